//! npm's `package-lock.json` (the frontend and the Express backend): resolved with
//! `npm install --package-lock-only`, installed with `npm ci`.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};
use serde_json::Value;

/// Brings `dir/package-lock.json` (the variant's current one, put there by the post hook) in line with
/// `dir/package.json` — npm keeps every locked version that still fits — and returns it with `root_name` in
/// place of package.json's name (as text, so npm's key order stays). The root name in every stored lockfile
/// is fixed: npm ci does not compare it with package.json's, and a fixed name keeps the files identical
/// whatever the projects they were resolved in were called.
pub fn resolve(dir: &Path, generated_name: &str, root_name: &str) -> anyhow::Result<String> {
    let status = Command::new("npm")
        .args([
            "install",
            "--package-lock-only",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
        ])
        .current_dir(dir)
        .status()
        .context("cannot run npm (is Node.js installed?)")?;
    if !status.success() {
        bail!(
            "npm install --package-lock-only failed in {} ({status})",
            dir.display()
        );
    }
    let lock = std::fs::read_to_string(dir.join("package-lock.json"))?;
    let name = |name: &str| format!("\"name\": \"{name}\"");
    let lock = lock.replacen(&name(generated_name), &name(root_name), 2);
    let parsed: Value =
        serde_json::from_str(&lock).context("npm wrote a lockfile that is not JSON")?;
    if parsed["name"] != root_name || parsed["packages"][""]["name"] != root_name {
        bail!("the lockfile's root package is not named {generated_name}");
    }
    Ok(lock)
}

/// Problems with a lockfile against its package.json: not lockfile version 3, or its root package's
/// dependencies not exactly package.json's (npm ci would refuse to install). `lockfile` names it.
pub fn check(lockfile: &str, package_json: &Value, lock: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if lock["lockfileVersion"] != 3 {
        problems.push(format!("{lockfile}: lockfileVersion must be 3"));
    }
    let root = &lock["packages"][""];
    for field in ["dependencies", "devDependencies"] {
        let empty = Value::Object(Default::default());
        let expected = package_json.get(field).unwrap_or(&empty);
        let locked = root.get(field).unwrap_or(&empty);
        if expected != locked {
            problems.push(format!(
                "{lockfile}: {field} differ from package.json's (run `cargo xtask lockfiles`)"
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_lock_must_match_package_json_exactly() {
        let check =
            |package_json: &Value, lock: &Value| check("package-lock.json", package_json, lock);
        let package = json!({
            "dependencies": { "next": "16.4.6" },
            "devDependencies": { "auth": "1.7.7" }
        });
        let lock = |dependencies: Value| {
            json!({
                "lockfileVersion": 3,
                "packages": { "": { "dependencies": dependencies, "devDependencies": { "auth": "1.7.7" } } }
            })
        };
        assert!(check(&package, &lock(json!({ "next": "16.4.6" }))).is_empty());
        assert_eq!(check(&package, &lock(json!({ "next": "16.4.5" }))).len(), 1);
        assert_eq!(
            check(
                &package,
                &lock(json!({ "next": "16.4.6", "axios": "1.21.1" }))
            )
            .len(),
            1
        );
        let mut old = lock(json!({ "next": "16.4.6" }));
        old["lockfileVersion"] = json!(2);
        assert_eq!(check(&package, &old).len(), 1);
    }
}
