//! Cargo's `Cargo.lock` for the generated project's workspace (its xtask, plus the axum backend):
//! resolved from this repository's own Cargo.lock, built with `--locked`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

/// Writes `project/Cargo.lock` from `seed` (this repository's lock, where template/xtask and
/// template/backend-axum are workspace members, so their tested versions are the ones kept) and lets cargo
/// drop what the project does not use and add what it needs (`cargo update --workspace` keeps every other
/// locked version). Returns the lock.
pub fn resolve(project: &Path, seed: &Path) -> anyhow::Result<String> {
    let lock = project.join("Cargo.lock");
    std::fs::copy(seed, &lock).with_context(|| format!("cannot copy {}", seed.display()))?;
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["update", "--workspace", "--quiet"])
        .current_dir(project)
        .status()
        .context("cannot run cargo")?;
    if !status.success() {
        bail!(
            "cargo update --workspace failed in {} ({status})",
            project.display()
        );
    }
    Ok(std::fs::read_to_string(lock)?)
}

/// Problems with a project's Cargo.lock: a workspace member missing from it, or a member whose
/// dependencies in the lock are not the ones its Cargo.toml names, or whose locked version does not
/// satisfy the Cargo.toml requirement (`cargo build --locked` would refuse). `manifests` maps each member's
/// folder to its parsed Cargo.toml.
pub fn check(lock: &toml::Table, manifests: &BTreeMap<String, toml::Table>) -> Vec<String> {
    let stale = |what: String| format!("Cargo.lock: {what} (run `cargo xtask lockfiles`)");
    let packages: Vec<&toml::Value> = lock
        .get("package")
        .and_then(|p| p.as_array())
        .map(|p| p.iter().collect())
        .unwrap_or_default();
    let field = |package: &toml::Value, key: &str| {
        package
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let mut problems = Vec::new();
    for (folder, manifest) in manifests {
        let name = manifest
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .unwrap_or_default();
        // A workspace member is a package without a source.
        let Some(member) = packages
            .iter()
            .find(|p| field(p, "name") == name && p.get("source").is_none())
        else {
            problems.push(stale(format!("no package {name} ({folder}/)")));
            continue;
        };
        let expected = dependencies(manifest);
        let locked: BTreeMap<String, String> = member
            .get("dependencies")
            .and_then(|d| d.as_array())
            .into_iter()
            .flatten()
            .filter_map(|d| d.as_str())
            .map(|entry| {
                // "name", "name version" or "name version (source)"; a bare name is the only version.
                let mut words = entry.split_whitespace();
                let dependency = words.next().unwrap_or_default().to_string();
                let version = words.next().map(str::to_string).unwrap_or_else(|| {
                    packages
                        .iter()
                        .find(|p| field(p, "name") == dependency)
                        .map(|p| field(p, "version"))
                        .unwrap_or_default()
                });
                (dependency, version)
            })
            .collect();
        if !expected.keys().eq(locked.keys()) {
            problems.push(stale(format!(
                "{name}'s dependencies differ from {folder}/Cargo.toml's"
            )));
            continue;
        }
        for (dependency, requirement) in &expected {
            let Some(requirement) = requirement else {
                continue;
            };
            let fits = semver::VersionReq::parse(requirement)
                .ok()
                .zip(semver::Version::parse(&locked[dependency]).ok())
                .is_some_and(|(requirement, version)| requirement.matches(&version));
            if !fits {
                problems.push(stale(format!(
                    "{dependency} {} does not satisfy {folder}/Cargo.toml's \"{requirement}\"",
                    locked[dependency]
                )));
            }
        }
    }
    problems
}

/// Every dependency a Cargo.toml names (normal, dev, build; target-specific too), by package name, with
/// its version requirement (None for a path dependency without one).
fn dependencies(manifest: &toml::Table) -> BTreeMap<String, Option<String>> {
    let mut tables: Vec<&toml::Value> = Vec::new();
    let kinds = ["dependencies", "dev-dependencies", "build-dependencies"];
    for kind in kinds {
        tables.extend(manifest.get(kind));
    }
    for target in manifest
        .get("target")
        .and_then(|t| t.as_table())
        .into_iter()
        .flat_map(|t| t.values())
    {
        for kind in kinds {
            tables.extend(target.get(kind));
        }
    }
    let mut all = BTreeMap::new();
    for (key, spec) in tables.into_iter().filter_map(|t| t.as_table()).flatten() {
        let (name, requirement) = match spec {
            toml::Value::String(version) => (key.clone(), Some(version.clone())),
            table => (
                table
                    .get("package")
                    .and_then(|p| p.as_str())
                    .unwrap_or(key)
                    .to_string(),
                table
                    .get("version")
                    .and_then(|v| v.as_str())
                    .map(str::to_string),
            ),
        };
        all.insert(name, requirement);
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"
[package]
name = "backend"
[dependencies]
axum = { version = "0.8", default-features = false }
serde_json = "1"
[dev-dependencies]
rand = "0.8"
"#;

    const LOCK: &str = r#"
version = 4

[[package]]
name = "axum"
version = "0.8.4"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "backend"
version = "0.1.0"
dependencies = ["axum", "rand 0.8.5", "serde_json"]

[[package]]
name = "rand"
version = "0.8.5"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "rand"
version = "0.9.2"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "serde_json"
version = "1.0.140"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;

    fn check_texts(manifest: &str, lock: &str) -> Vec<String> {
        let manifests = BTreeMap::from([("backend".to_string(), manifest.parse().unwrap())]);
        check(&lock.parse().unwrap(), &manifests)
    }

    #[test]
    fn a_fresh_lock_passes() {
        assert_eq!(check_texts(MANIFEST, LOCK), Vec::<String>::new());
    }

    #[test]
    fn an_added_dropped_or_outgrown_dependency_is_stale() {
        for manifest in [
            MANIFEST.replace(
                "serde_json = \"1\"",
                "serde_json = \"1\"\ntracing = \"0.1\"",
            ),
            MANIFEST.replace("serde_json = \"1\"", ""),
            MANIFEST.replace("\"0.8\", default", "\"0.9\", default"),
            MANIFEST.replace("rand = \"0.8\"", "rand = \"0.9\""),
            MANIFEST.replace("name = \"backend\"", "name = \"api\""),
        ] {
            let problems = check_texts(&manifest, LOCK);
            assert_eq!(problems.len(), 1, "{manifest}: {problems:?}");
            assert!(
                problems[0].contains("cargo xtask lockfiles"),
                "{problems:?}"
            );
        }
    }

    #[test]
    fn renamed_dependencies_count_by_package_name() {
        let manifest = MANIFEST.replace(
            "serde_json = \"1\"",
            "json = { package = \"serde_json\", version = \"1\" }",
        );
        assert_eq!(check_texts(&manifest, LOCK), Vec::<String>::new());
    }
}
