//! The canary's part of a case (`cargo xtask canary`): with `E2E_LATEST_DEPENDENCIES=<dir>` set, each case
//! replaces the lockfiles it was generated with by fresh resolutions right after generation — the newest
//! releases of the frontend's dependencies (better-auth, next, react, the database driver) and of the `auth`
//! CLI, of the Express backend's dependencies, of the FastAPI backend's libraries (exact pins loosened to
//! `>=`), and the axum backend's crates within their Cargo.toml ranges — and records in `<dir>` which package
//! moved from which version to which, and how the case ended. The rest of the case runs unchanged.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use project_xtask::Project;
use project_xtask::project::Backend;
use serde_json::{Value, json};
use xtask::combination::Choices;

pub const ENV: &str = "E2E_LATEST_DEPENDENCIES";

/// Where the records go, when the canary asked for fresh dependencies.
pub fn records_dir() -> Option<PathBuf> {
    std::env::var_os(ENV)
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
}

/// One package whose resolved version the fresh resolution changed (or added).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    /// `frontend`, `backend` or `cargo`.
    pub part: &'static str,
    pub package: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Resolves the generated project's dependencies afresh and writes `<records>/<case>.versions.json`.
pub fn refresh(dir: &Path, choices: &Choices, records: &Path) -> anyhow::Result<Vec<Move>> {
    let project = Project::load(dir)?;
    let node = project_xtask::tools::node::Node::find(&project)?;
    let mut moves = Vec::new();

    let frontend = project.frontend_dir();
    let manifest = read_json(&frontend.join("package.json"))?;
    let before = npm_versions(&frontend)?;
    let dependencies = keys(&manifest["dependencies"]);
    npm_latest(&node, &frontend, &dependencies, false)?;
    // The `auth` CLI migrates the database: it moves with better-auth.
    npm_latest(&node, &frontend, &["auth".to_string()], true)?;
    let watched: Vec<String> = dependencies
        .into_iter()
        .chain(["auth".to_string()])
        .collect();
    moves.extend(diff(
        "frontend",
        &watched,
        &before,
        &npm_versions(&frontend)?,
    ));

    if let (Some(backend), Some(backend_dir)) = (project.manifest.backend, project.backend_dir()) {
        match backend {
            Backend::Express => {
                let manifest = read_json(&backend_dir.join("package.json"))?;
                let dependencies = keys(&manifest["dependencies"]);
                let before = npm_versions(&backend_dir)?;
                npm_latest(&node, &backend_dir, &dependencies, false)?;
                moves.extend(diff(
                    "backend",
                    &dependencies,
                    &before,
                    &npm_versions(&backend_dir)?,
                ));
            }
            Backend::Fastapi => {
                let pyproject = backend_dir.join("pyproject.toml");
                let text = std::fs::read_to_string(&pyproject)?;
                let (loosened, names) = loosen_pins(&text);
                let before = toml_lock_versions(&backend_dir.join("uv.lock"))?;
                std::fs::write(&pyproject, loosened)?;
                run(Command::new("uv")
                    .args(["lock", "--upgrade"])
                    .current_dir(&backend_dir))?;
                moves.extend(diff(
                    "backend",
                    &names,
                    &before,
                    &toml_lock_versions(&backend_dir.join("uv.lock"))?,
                ));
            }
            Backend::Axum => {
                let manifest: toml::Table =
                    std::fs::read_to_string(backend_dir.join("Cargo.toml"))?.parse()?;
                let crates: Vec<String> = manifest
                    .get("dependencies")
                    .and_then(|d| d.as_table())
                    .map(|d| d.keys().cloned().collect())
                    .unwrap_or_default();
                let before = toml_lock_versions(&dir.join("Cargo.lock"))?;
                run(Command::new("cargo").arg("update").current_dir(dir))?;
                moves.extend(diff(
                    "backend",
                    &crates,
                    &before,
                    &toml_lock_versions(&dir.join("Cargo.lock"))?,
                ));
            }
        }
    }

    let record: Vec<Value> = moves
        .iter()
        .map(|m| json!({"part": m.part, "package": m.package, "from": m.from, "to": m.to}))
        .collect();
    std::fs::create_dir_all(records)?;
    std::fs::write(
        records.join(format!("{choices}.versions.json")),
        serde_json::to_string_pretty(&record)?,
    )?;
    for m in &moves {
        eprintln!(
            "     {} {}: {} -> {}",
            m.part,
            m.package,
            m.from.as_deref().unwrap_or("(none)"),
            m.to.as_deref().unwrap_or("(none)")
        );
    }
    Ok(moves)
}

/// Writes `<records>/<case>.outcome.json`: passed, or the failed step and the first error.
pub fn record_outcome(
    records: &Path,
    choices: &Choices,
    steps: &[(String, f64)],
    error: Option<&anyhow::Error>,
) {
    let outcome = match error {
        None => json!({"case": choices.to_string(), "passed": true}),
        Some(err) => json!({
            "case": choices.to_string(),
            "passed": false,
            "step": steps.last().map(|(name, _)| name.clone()),
            "error": format!("{err:#}"),
        }),
    };
    let written = std::fs::create_dir_all(records).and_then(|()| {
        std::fs::write(
            records.join(format!("{choices}.outcome.json")),
            serde_json::to_string_pretty(&outcome).unwrap_or_default(),
        )
    });
    if let Err(err) = written {
        eprintln!(
            "  warning: cannot write the canary record in {}: {err}",
            records.display()
        );
    }
}

fn read_json(path: &Path) -> anyhow::Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
}

fn keys(object: &Value) -> Vec<String> {
    object
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// `npm install NAME@latest ... --package-lock-only`: package.json and package-lock.json move together,
/// so the case's `npm ci` installs exactly the fresh tree.
fn npm_latest(
    node: &project_xtask::tools::node::Node,
    dir: &Path,
    packages: &[String],
    dev: bool,
) -> anyhow::Result<()> {
    let mut npm = node.command("npm");
    npm.args([
        "install",
        "--package-lock-only",
        "--no-audit",
        "--no-fund",
        "--save-exact",
    ]);
    if dev {
        npm.arg("--save-dev");
    }
    npm.args(packages.iter().map(|p| format!("{p}@latest")))
        .current_dir(dir);
    run(&mut npm)
}

/// Resolved versions of the top-level packages of a package-lock.json (v2/v3).
fn npm_versions(dir: &Path) -> anyhow::Result<BTreeMap<String, String>> {
    let lock = read_json(&dir.join("package-lock.json"))?;
    Ok(lock["packages"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(path, entry)| {
            let name = path.strip_prefix("node_modules/")?;
            (!name.contains("/node_modules/"))
                .then(|| Some((name.to_string(), entry["version"].as_str()?.to_string())))?
        })
        .collect())
}

/// `[[package]] name/version` of a uv.lock or Cargo.lock; several versions of one name are joined.
fn toml_lock_versions(path: &Path) -> anyhow::Result<BTreeMap<String, String>> {
    let lock: toml::Table = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .parse()
        .with_context(|| format!("{} is not TOML", path.display()))?;
    let mut versions: BTreeMap<String, String> = BTreeMap::new();
    for package in lock
        .get("package")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
    {
        let (Some(name), Some(version)) = (
            package.get("name").and_then(|n| n.as_str()),
            package.get("version").and_then(|v| v.as_str()),
        ) else {
            continue;
        };
        versions
            .entry(name.to_string())
            .and_modify(|v| *v = format!("{v}, {version}"))
            .or_insert_with(|| version.to_string());
    }
    Ok(versions)
}

/// The `[project] dependencies` pins `"name[extras]==X..."` become `>=X`, so `uv lock --upgrade` may move
/// them; returns the new text and the package names (normalised the way uv.lock spells them).
fn loosen_pins(pyproject: &str) -> (String, Vec<String>) {
    let mut in_dependencies = false;
    let mut names = Vec::new();
    let mut lines = Vec::new();
    for line in pyproject.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("dependencies = [") {
            in_dependencies = true;
        } else if in_dependencies && trimmed.starts_with(']') {
            in_dependencies = false;
        } else if in_dependencies
            && trimmed.starts_with('"')
            && let Some((requirement, _)) = trimmed[1..].split_once("==")
        {
            let name = requirement.split('[').next().unwrap_or(requirement);
            names.push(name.to_ascii_lowercase().replace('_', "-"));
            lines.push(line.replacen("==", ">=", 1));
            continue;
        }
        lines.push(line.to_string());
    }
    let mut text = lines.join("\n");
    text.push('\n');
    (text, names)
}

fn diff(
    part: &'static str,
    watched: &[String],
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> Vec<Move> {
    watched
        .iter()
        .filter(|name| before.get(*name) != after.get(*name))
        .map(|name| Move {
            part,
            package: name.clone(),
            from: before.get(name).cloned(),
            to: after.get(name).cloned(),
        })
        .collect()
}

fn run(command: &mut Command) -> anyhow::Result<()> {
    let output = command
        .output()
        .with_context(|| format!("cannot start {command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loosens_only_the_project_pins() {
        let text = "[project]\ndependencies = [\n    \"fastapi==0.165.0\",\n    \"pyjwt[crypto]==2.15.1\",\n    \"uvloop==0.23.0; sys_platform != 'win32'\",\n]\n\n[dependency-groups]\ndev = [\n    \"pytest==9.2.0\",\n]\n";
        let (loosened, names) = loosen_pins(text);
        assert_eq!(names, ["fastapi", "pyjwt", "uvloop"]);
        assert!(loosened.contains("\"fastapi>=0.165.0\""));
        assert!(loosened.contains("\"pyjwt[crypto]>=2.15.1\""));
        assert!(
            loosened.contains("\"pytest==9.2.0\""),
            "dev tools stay pinned"
        );
    }

    #[test]
    fn reports_moved_and_new_packages_only() {
        let before = BTreeMap::from([
            ("next".to_string(), "16.4.6".to_string()),
            ("pg".to_string(), "8.23.1".to_string()),
        ]);
        let after = BTreeMap::from([
            ("next".to_string(), "16.5.0".to_string()),
            ("pg".to_string(), "8.23.1".to_string()),
            ("auth".to_string(), "1.7.29".to_string()),
        ]);
        let watched = ["next", "pg", "auth"].map(String::from);
        let moves = diff("frontend", &watched, &before, &after);
        assert_eq!(moves.len(), 2);
        assert_eq!(moves[0].from.as_deref(), Some("16.4.6"));
        assert_eq!(moves[0].to.as_deref(), Some("16.5.0"));
        assert_eq!(moves[1].package, "auth");
        assert_eq!(moves[1].from, None);
    }
}
