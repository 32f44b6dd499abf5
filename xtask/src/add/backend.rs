//! An existing backend beside the app: a FastAPI app (`fastapi` in pyproject.toml or requirements.txt and a
//! `FastAPI(` instance) or an Express app (`express` in package.json and an `express()` instance), looked for
//! in `--backend-dir` or in the app's sibling folders.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use project_xtask::project::Backend;

use super::detect::{App, Evidence, Finding};
use super::frontend::{append_env, read_if_exists};
use super::plan::Plan;

/// A backend found, with the modules that create an app instance.
#[derive(Debug, Clone)]
pub struct DetectedBackend {
    pub backend: Backend,
    pub dir: PathBuf,
    /// Every source file creating an app instance, with the line, in path order.
    pub instances: Vec<Evidence>,
    pub findings: Vec<Finding>,
}

impl DetectedBackend {
    /// The module creating the app instance when exactly one does: the one `add` wires automatically.
    pub fn instance(&self) -> Option<&Evidence> {
        match self.instances.as_slice() {
            [only] => Some(only),
            _ => None,
        }
    }

    /// Why nothing is wired automatically when [`instance`](Self::instance) is `None`: `none` when no module
    /// creates the app, else "N `several`: file:line, …".
    pub fn why_not_one_instance(&self, none: &str, several: &str) -> String {
        match self.instances.as_slice() {
            [] => none.to_string(),
            instances => format!(
                "{} {several}: {}",
                instances.len(),
                instances
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
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
    instances.sort_by(|a, b| a.file.cmp(&b.file));
    let mut findings = vec![dependency];
    findings.extend(instances.iter().map(|evidence| Finding {
        what: format!("an app instance ({marker})"),
        evidence: evidence.clone(),
    }));
    Some(DetectedBackend {
        backend,
        dir: dir.to_path_buf(),
        instances,
        findings,
    })
}

/// Adds the backend's half to `plan` from the rendered project's `backend/`; paths in the plan are relative
/// to the app's root (`../api/...` for a sibling folder).
pub fn plan(
    app: &App,
    found: &DetectedBackend,
    rendered: &Path,
    plan: &mut Plan,
) -> anyhow::Result<()> {
    let to_backend = relative_path(&app.root, &found.dir)?;
    match found.backend {
        Backend::Fastapi => super::backend_fastapi::plan(found, &to_backend, rendered, plan),
        Backend::Express => super::backend_express::plan(found, &to_backend, rendered, plan),
        Backend::Axum => bail!("add wires existing FastAPI or Express backends, not axum"),
    }
}

/// The rendered backend's settings an existing backend needs; its database and listen address stay its own.
const ENV_KEYS: [&str; 2] = ["BETTER_AUTH_URL", "FRONTEND_URL"];

/// Plans a file of `add`'s own in the backend (`file` relative to its folder); an existing file that
/// differs is kept and named.
pub(super) fn write_new(
    plan: &mut Plan,
    found: &DetectedBackend,
    to_backend: &Path,
    file: &Path,
    text: String,
) -> anyhow::Result<()> {
    let before = read_if_exists(&found.dir.join(file))?;
    match before {
        Some(before) if before != text => plan.by_hand.push(format!(
            "kept your {}: add's version is template/backend-{}/ in better-auth-v2",
            found.dir.join(file).display(),
            found.backend.name()
        )),
        before => plan.write(to_backend.join(file), before, text),
    }
    Ok(())
}

/// BETTER_AUTH_URL and FRONTEND_URL (with their comments, from the rendered backend's `.env`) appended to the
/// backend's `.env` when it lacks them; its other keys are its own.
pub(super) fn plan_env(
    found: &DetectedBackend,
    to_backend: &Path,
    rendered: &Path,
    plan: &mut Plan,
) -> anyhow::Result<()> {
    let ours = std::fs::read_to_string(rendered.join(".env"))
        .context("cannot read the rendered backend .env")?;
    let wanted: String = ours
        .split("\n\n")
        .filter(|block| {
            block.lines().any(|line| {
                ENV_KEYS.iter().any(|key| {
                    line.strip_prefix(key)
                        .is_some_and(|rest| rest.starts_with('='))
                })
            })
        })
        .map(|block| format!("{block}\n\n"))
        .collect();
    let before = read_if_exists(&found.dir.join(".env"))?;
    append_env(
        plan,
        to_backend.join(".env"),
        before.clone(),
        &before.unwrap_or_default(),
        &wanted,
    );
    Ok(())
}

/// `to` as seen from `from` (both existing folders), e.g. `../api`.
pub(super) fn relative_path(from: &Path, to: &Path) -> anyhow::Result<PathBuf> {
    let canonical = |path: &Path| {
        path.canonicalize()
            .with_context(|| format!("cannot resolve {}", path.display()))
    };
    let (from, to) = (canonical(from)?, canonical(to)?);
    let common = from
        .components()
        .zip(to.components())
        .take_while(|(a, b)| a == b)
        .count();
    let mut path: PathBuf = from.components().skip(common).map(|_| "..").collect();
    path.extend(to.components().skip(common));
    Ok(path)
}

/// True when a dependency line names `package` itself (not `fastapi-users` or `express-session`).
pub(super) fn mentions_package(line: &str, package: &str) -> bool {
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
