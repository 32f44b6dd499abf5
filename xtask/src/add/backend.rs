//! An existing backend beside the app: a FastAPI app (`fastapi` in pyproject.toml or requirements.txt and a
//! `FastAPI(` instance) or an Express app (`express` in package.json and an `express()` instance), looked for
//! in `--backend-dir` or in the app's sibling folders.

use std::path::{Path, PathBuf};

use project_xtask::project::Backend;

use super::detect::{Evidence, Finding};

/// A backend found, with the module that creates its app instance (when exactly one does).
#[derive(Debug, Clone)]
pub struct DetectedBackend {
    pub backend: Backend,
    pub dir: PathBuf,
    /// The one source file creating the app instance, and the line; None when none or several do.
    pub instance: Option<Evidence>,
    pub findings: Vec<Finding>,
}

/// Looks in `backend_dir` when given, else in every sibling folder of `app_root`.
pub fn detect(app_root: &Path, backend_dir: Option<&Path>) -> Option<DetectedBackend> {
    let candidates: Vec<PathBuf> = match backend_dir {
        Some(dir) => vec![dir.to_path_buf()],
        None => {
            let app = app_root.canonicalize().ok()?;
            let mut siblings: Vec<PathBuf> = std::fs::read_dir(app.parent()?)
                .ok()?
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|path| path.is_dir() && *path != app)
                .collect();
            siblings.sort();
            siblings
        }
    };
    candidates.iter().find_map(|dir| detect_in(dir))
}

fn detect_in(dir: &Path) -> Option<DetectedBackend> {
    let manifest = |file: &str, needle: &str| {
        let text = std::fs::read_to_string(dir.join(file)).ok()?;
        let line = text
            .lines()
            .position(|line| mentions_package(line, needle))?;
        Some(Finding {
            what: format!("{needle} dependency"),
            evidence: Evidence {
                file: dir.join(file),
                line: Some(line + 1),
            },
        })
    };
    let (backend, dependency, extensions, marker) = if let Some(found) =
        manifest("pyproject.toml", "fastapi").or_else(|| manifest("requirements.txt", "fastapi"))
    {
        (Backend::Fastapi, found, &["py"][..], "FastAPI(")
    } else if let Some(found) = manifest("package.json", "express") {
        (
            Backend::Express,
            found,
            &["ts", "js", "mjs", "cjs"][..],
            "express()",
        )
    } else {
        return None;
    };
    let mut instances = Vec::new();
    find_instances(dir, extensions, marker, 0, &mut instances);
    let instance = (instances.len() == 1).then(|| instances.remove(0));
    let mut findings = vec![dependency];
    findings.extend(instance.iter().map(|evidence| Finding {
        what: format!("the app instance ({marker})"),
        evidence: evidence.clone(),
    }));
    Some(DetectedBackend {
        backend,
        dir: dir.to_path_buf(),
        instance,
        findings,
    })
}

/// True when a dependency line names `package` itself (not `fastapi-users` or `express-session`).
fn mentions_package(line: &str, package: &str) -> bool {
    let line = line.trim().trim_start_matches(['"', '\'']);
    line.strip_prefix(package).is_some_and(|rest| {
        rest.is_empty()
            || rest.starts_with(['"', '\'', '=', '>', '<', '~', '[', ' ', ':', '^', '!', ','])
    })
}

fn find_instances(
    dir: &Path,
    extensions: &[&str],
    marker: &str,
    depth: usize,
    out: &mut Vec<Evidence>,
) {
    const SKIPPED: [&str; 6] = ["node_modules", ".venv", "venv", "tests", "test", "dist"];
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if depth < 4 && !name.starts_with('.') && !SKIPPED.contains(&name.as_str()) {
                find_instances(&path, extensions, marker, depth + 1, out);
            }
        } else if extensions
            .iter()
            .any(|ext| name.ends_with(&format!(".{ext}")))
        {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            if let Some(line) = text.lines().position(|line| line.contains(marker)) {
                out.push(Evidence {
                    file: path,
                    line: Some(line + 1),
                });
            }
        }
    }
}
