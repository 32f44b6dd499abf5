//! `cargo xtask lockfiles`: one `package-lock.json` per frontend variant, kept in `template/frontend/locks/`.
//!
//! A generated project installs its frontend with `npm ci` from its variant's lockfile (the post hook puts it
//! in place as `frontend/package-lock.json`): every project gets the dependency tree this repository tested,
//! not whatever the registry serves that day for the packages our exact pins depend on, and npm skips
//! resolving the tree. The frontend's package.json differs by architecture (axios for separate) and by
//! database driver; Supabase's is PostgreSQL's.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};
use project_xtask::project::{Architecture, Backend, Database};
use serde_json::Value;

use crate::combination::{Choices, architecture_name};
use crate::flags;

/// Where the lockfiles live, relative to the repository root.
pub const LOCKS_DIR: &str = "template/frontend/locks";

/// The root package's name inside every stored lockfile. npm ci does not compare it with package.json's
/// name, and the next `npm install` in the project rewrites it; a fixed name keeps the files identical
/// whatever the projects they were resolved in were called.
const ROOT_NAME: &str = "frontend";

const ARCHITECTURES: [Architecture; 2] = [Architecture::Monolithic, Architecture::Separate];

/// Databases whose frontend differs; Supabase uses PostgreSQL's driver and so its lockfile.
const DATABASES: [Database; 5] = [
    Database::Sqlite,
    Database::Postgres,
    Database::Mysql,
    Database::Neon,
    Database::Turso,
];

/// The lockfile a combination installs from: `<architecture>-<database>.json`.
pub fn variant(architecture: Architecture, database: Database) -> String {
    let database = match database {
        Database::Supabase => Database::Postgres,
        other => other,
    };
    format!(
        "{}-{}.json",
        architecture_name(architecture),
        database.name()
    )
}

/// Every lockfile the template must hold.
pub fn all_variants() -> Vec<String> {
    ARCHITECTURES
        .into_iter()
        .flat_map(|architecture| DATABASES.map(|database| variant(architecture, database)))
        .collect()
}

pub fn run(_cmd: flags::Lockfiles) -> anyhow::Result<()> {
    let locks = crate::project_root().join(LOCKS_DIR);
    std::fs::create_dir_all(&locks)?;
    let work = tempfile::Builder::new()
        .prefix("better-auth-v2-lockfiles-")
        .tempdir()?;
    for architecture in ARCHITECTURES {
        for database in DATABASES {
            let name = variant(architecture, database);
            eprintln!("==> {name}");
            let backend = (architecture == Architecture::Separate).then_some(Backend::Fastapi);
            let project = crate::generate::generate(
                &Choices::of(architecture, backend, database),
                work.path(),
            )?;
            let generated_name = format!("{}-frontend", project.file_name().unwrap().display());
            let lock = resolve(&project.join("frontend"), &generated_name)?;
            std::fs::write(locks.join(&name), lock)
                .with_context(|| format!("cannot write {LOCKS_DIR}/{name}"))?;
        }
    }
    eprintln!(
        "Lockfiles written to {LOCKS_DIR}/. `cargo xtask verify` checks them against package.json; \
         `cargo xtask verify --build` installs them with npm ci."
    );
    Ok(())
}

/// Brings the frontend's lockfile (the variant's current one, put there by the post hook) in line with its
/// package.json — npm keeps every locked version that still fits — and returns it with the fixed root name
/// in place of `generated_name` (as text, so npm's key order stays).
fn resolve(frontend: &Path, generated_name: &str) -> anyhow::Result<String> {
    let status = Command::new("npm")
        .args([
            "install",
            "--package-lock-only",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
        ])
        .current_dir(frontend)
        .status()
        .context("cannot run npm (is Node.js installed?)")?;
    if !status.success() {
        bail!(
            "npm install --package-lock-only failed in {} ({status})",
            frontend.display()
        );
    }
    let lock = std::fs::read_to_string(frontend.join("package-lock.json"))?;
    let name = |name: &str| format!("\"name\": \"{name}\"");
    let lock = lock.replacen(&name(generated_name), &name(ROOT_NAME), 2);
    let parsed: Value =
        serde_json::from_str(&lock).context("npm wrote a lockfile that is not JSON")?;
    if parsed["name"] != ROOT_NAME || parsed["packages"][""]["name"] != ROOT_NAME {
        bail!("the lockfile's root package is not named {generated_name}");
    }
    Ok(lock)
}

/// Problems with a rendered frontend's lockfile: missing, not lockfile version 3, or its root package's
/// dependencies not exactly package.json's (npm ci would refuse to install).
pub fn check(package_json: &Value, lock: Option<&Value>) -> Vec<String> {
    let Some(lock) = lock else {
        return vec![format!(
            "frontend/package-lock.json missing (the post hook takes it from {LOCKS_DIR}/; \
             run `cargo xtask lockfiles`)"
        )];
    };
    let mut problems = Vec::new();
    if lock["lockfileVersion"] != 3 {
        problems.push("frontend/package-lock.json: lockfileVersion must be 3".to_string());
    }
    let root = &lock["packages"][""];
    for field in ["dependencies", "devDependencies"] {
        let empty = Value::Object(Default::default());
        let expected = package_json.get(field).unwrap_or(&empty);
        let locked = root.get(field).unwrap_or(&empty);
        if expected != locked {
            problems.push(format!(
                "frontend/package-lock.json: {field} differ from package.json's \
                 (run `cargo xtask lockfiles`)"
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
    fn supabase_shares_postgres_lockfile_and_every_variant_is_listed() {
        assert_eq!(
            variant(Architecture::Separate, Database::Supabase),
            "separate-postgres.json"
        );
        assert_eq!(
            variant(Architecture::Monolithic, Database::Sqlite),
            "monolithic-sqlite.json"
        );
        let all = all_variants();
        assert_eq!(all.len(), 10);
        for choices in Choices::all() {
            let name = variant(choices.architecture.unwrap(), choices.database.unwrap());
            assert!(all.contains(&name), "{name}");
        }
    }

    #[test]
    fn a_lock_must_match_package_json_exactly() {
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
        assert!(check(&package, Some(&lock(json!({ "next": "16.4.6" })))).is_empty());
        assert_eq!(
            check(&package, Some(&lock(json!({ "next": "16.4.5" })))).len(),
            1
        );
        assert_eq!(
            check(
                &package,
                Some(&lock(json!({ "next": "16.4.6", "axios": "1.21.1" })))
            )
            .len(),
            1
        );
        assert_eq!(check(&package, None).len(), 1);
        let mut old = lock(json!({ "next": "16.4.6" }));
        old["lockfileVersion"] = json!(2);
        assert_eq!(check(&package, Some(&old)).len(), 1);
    }
}
