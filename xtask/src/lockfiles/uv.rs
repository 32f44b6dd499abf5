//! uv's `uv.lock` (the FastAPI backend): resolved with `uv lock`, installed with `uv sync --locked`.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

/// Brings `dir/uv.lock` (the variant's current one, put there by the post hook) in line with
/// `dir/pyproject.toml` — uv keeps every locked version that still fits — and returns it.
pub fn resolve(dir: &Path) -> anyhow::Result<String> {
    let status = Command::new("uv")
        .args(["lock", "--quiet"])
        .current_dir(dir)
        .status()
        .context("cannot run uv (install it: `pip install uv`)")?;
    if !status.success() {
        bail!("uv lock failed in {} ({status})", dir.display());
    }
    Ok(std::fs::read_to_string(dir.join("uv.lock"))?)
}

/// Problems with a uv.lock against its pyproject.toml: the project's requirements recorded in the lock
/// (`requires-python`, `[project] dependencies`, the dev group) are not pyproject's, so
/// `uv sync --locked` would refuse to install. `lockfile` names it.
pub fn check(lockfile: &str, pyproject: &toml::Table, lock: &toml::Table) -> Vec<String> {
    let stale = |what: &str| {
        format!("{lockfile}: {what} differ from pyproject.toml's (run `cargo xtask lockfiles`)")
    };
    let project = pyproject.get("project");
    let name = project
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .map(normalize_name);
    let root = lock
        .get("package")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
        .find(|package| {
            package
                .get("name")
                .and_then(|n| n.as_str())
                .map(normalize_name)
                == name
        });
    let Some(root) = root else {
        return vec![format!(
            "{lockfile}: no package named as pyproject.toml's project (run `cargo xtask lockfiles`)"
        )];
    };
    let mut problems = Vec::new();
    let requires_python = |value: Option<&toml::Value>| value.and_then(|v| v.as_str()).map(compact);
    if requires_python(project.and_then(|p| p.get("requires-python")))
        != requires_python(lock.get("requires-python"))
    {
        problems.push(stale("requires-python"));
    }
    let metadata = root.get("metadata");
    let expected = requirements(project.and_then(|p| p.get("dependencies")));
    let locked = locked_requirements(metadata.and_then(|m| m.get("requires-dist")));
    if expected != locked {
        problems.push(stale("dependencies"));
    }
    let expected = requirements(
        pyproject
            .get("dependency-groups")
            .and_then(|g| g.get("dev")),
    );
    let locked = locked_requirements(
        metadata
            .and_then(|m| m.get("requires-dev"))
            .and_then(|d| d.get("dev")),
    );
    if expected != locked {
        problems.push(stale("dev dependencies"));
    }
    problems
}

/// One requirement, normalised so pyproject's PEP 508 string and uv's table compare equal:
/// (name, sorted extras, specifier, marker).
type Requirement = (String, Vec<String>, String, String);

/// PEP 503 name normalisation: lower case, runs of `-`, `_`, `.` become one `-`.
fn normalize_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// Without whitespace and with one kind of quote: how a specifier or marker is compared.
fn compact(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == '"' { '\'' } else { c })
        .collect()
}

/// `name[extra, ...] specifier ; marker` (the PEP 508 forms a pyproject here uses; no URLs).
fn parse_pep508(text: &str) -> Requirement {
    let (requirement, marker) = text.split_once(';').unwrap_or((text, ""));
    let end = requirement
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(requirement.len());
    let (name, rest) = requirement.split_at(end);
    let rest = rest.trim();
    let (extras, specifier) = match rest.strip_prefix('[').and_then(|r| r.split_once(']')) {
        Some((extras, specifier)) => (extras.split(',').map(normalize_name).collect(), specifier),
        None => (Vec::new(), rest),
    };
    let mut extras: Vec<String> = extras;
    extras.retain(|e| !e.is_empty());
    extras.sort();
    (
        normalize_name(name),
        extras,
        compact(specifier),
        compact(marker),
    )
}

fn requirements(list: Option<&toml::Value>) -> Vec<Requirement> {
    let mut all: Vec<Requirement> = list
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
        .filter_map(|item| item.as_str().map(parse_pep508))
        .collect();
    all.sort();
    all
}

/// uv's `{ name, extras, specifier, marker }` tables.
fn locked_requirements(list: Option<&toml::Value>) -> Vec<Requirement> {
    let text = |item: &toml::Value, key: &str| {
        item.get(key)
            .and_then(|v| v.as_str())
            .map(compact)
            .unwrap_or_default()
    };
    let mut all: Vec<Requirement> = list
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
        .map(|item| {
            let mut extras: Vec<String> = item
                .get("extras")
                .and_then(|e| e.as_array())
                .into_iter()
                .flatten()
                .filter_map(|e| e.as_str().map(normalize_name))
                .collect();
            extras.sort();
            (
                normalize_name(&text(item, "name")),
                extras,
                text(item, "specifier"),
                text(item, "marker"),
            )
        })
        .collect();
    all.sort();
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    const PYPROJECT: &str = r#"
[project]
name = "backend"
requires-python = ">=3.11"
dependencies = [
    "fastapi==0.165.0",
    "uvloop==0.23.0; sys_platform != 'win32'",
    "pyjwt[crypto]==2.15.1",
]
[dependency-groups]
dev = ["pytest==9.2.0"]
"#;

    /// A lock as uv writes it for PYPROJECT (abridged to what the check reads).
    const LOCK: &str = r#"
version = 1
requires-python = ">=3.11"

[[package]]
name = "backend"
version = "0.1.0"
source = { virtual = "." }

[package.metadata]
requires-dist = [
    { name = "fastapi", specifier = "==0.165.0" },
    { name = "pyjwt", extras = ["crypto"], specifier = "==2.15.1" },
    { name = "uvloop", marker = "sys_platform != 'win32'", specifier = "==0.23.0" },
]

[package.metadata.requires-dev]
dev = [{ name = "pytest", specifier = "==9.2.0" }]

[[package]]
name = "fastapi"
version = "0.165.0"
source = { registry = "https://pypi.org/simple" }
"#;

    fn check_texts(pyproject: &str, lock: &str) -> Vec<String> {
        check(
            "backend/uv.lock",
            &pyproject.parse().unwrap(),
            &lock.parse().unwrap(),
        )
    }

    #[test]
    fn a_fresh_lock_passes() {
        assert_eq!(check_texts(PYPROJECT, LOCK), Vec::<String>::new());
    }

    #[test]
    fn a_changed_pin_an_added_or_dropped_requirement_is_stale() {
        for pyproject in [
            PYPROJECT.replace("fastapi==0.165.0", "fastapi==0.166.0"),
            PYPROJECT.replace(
                "\"fastapi==0.165.0\",",
                "\"fastapi==0.165.0\", \"httpx==0.28.1\",",
            ),
            PYPROJECT.replace("\"fastapi==0.165.0\",", ""),
            PYPROJECT.replace("pyjwt[crypto]", "pyjwt"),
            PYPROJECT.replace("; sys_platform != 'win32'", ""),
            PYPROJECT.replace("pytest==9.2.0", "pytest==9.3.0"),
            PYPROJECT.replace(">=3.11", ">=3.12"),
        ] {
            let problems = check_texts(&pyproject, LOCK);
            assert_eq!(problems.len(), 1, "{pyproject}: {problems:?}");
            assert!(
                problems[0].contains("cargo xtask lockfiles"),
                "{problems:?}"
            );
        }
    }

    #[test]
    fn a_lock_for_another_project_name_is_reported() {
        let problems = check_texts(
            &PYPROJECT.replace("\"backend\"", "\"my-app-backend\""),
            LOCK,
        );
        assert_eq!(problems.len(), 1, "{problems:?}");
    }

    #[test]
    fn pep508_forms_compare_like_uvs_tables() {
        assert_eq!(
            parse_pep508("Psycopg[binary] == 3.3.9 ; python_version >= \"3.11\""),
            (
                "psycopg".to_string(),
                vec!["binary".to_string()],
                "==3.3.9".to_string(),
                "python_version>='3.11'".to_string()
            )
        );
        assert_eq!(normalize_name("SQLAlchemy_libsql"), "sqlalchemy-libsql");
    }
}
