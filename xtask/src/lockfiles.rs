//! `cargo xtask lockfiles`: one `package-lock.json` per variant of each npm package a project can have, kept
//! in `template/frontend/locks/` and `template/backend-express/locks/`.
//!
//! A generated project installs its frontend, and its Express backend, with `npm ci` from the variant's
//! lockfile (the post hook puts it in place as `package-lock.json`): every project gets the dependency tree
//! this repository tested, not whatever the registry serves that day for our pins and ranges, and npm skips
//! resolving the tree. The frontend's package.json differs by architecture (axios for separate) and by
//! database driver; the Express backend's by database driver only. Supabase's are PostgreSQL's.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};
use project_xtask::project::{Architecture, Backend, Database};
use serde_json::Value;

use crate::combination::{Choices, architecture_name};
use crate::flags;

/// An npm package of the generated project whose lockfiles the template stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Package {
    Frontend,
    ExpressBackend,
}

pub const PACKAGES: [Package; 2] = [Package::Frontend, Package::ExpressBackend];

const ARCHITECTURES: [Architecture; 2] = [Architecture::Monolithic, Architecture::Separate];

/// Databases whose packages differ; Supabase uses PostgreSQL's driver and so its lockfiles.
const DATABASES: [Database; 5] = [
    Database::Sqlite,
    Database::Postgres,
    Database::Mysql,
    Database::Neon,
    Database::Turso,
];

impl Package {
    /// Where its lockfiles live, relative to the repository root.
    pub fn locks_dir(self) -> &'static str {
        match self {
            Package::Frontend => "template/frontend/locks",
            Package::ExpressBackend => "template/backend-express/locks",
        }
    }

    /// Its folder in a generated project (where the post hook puts `package-lock.json`).
    pub fn folder(self) -> &'static str {
        match self {
            Package::Frontend => "frontend",
            Package::ExpressBackend => "backend",
        }
    }

    /// The lockfile a combination installs this package from — `<architecture>-<database>.json` for the
    /// frontend, `<database>.json` for the Express backend — or None when the combination has no such
    /// package. `choices` is complete, as in `Choices::all()`.
    pub fn variant(self, choices: &Choices) -> Option<String> {
        let database = match choices.database? {
            Database::Supabase => Database::Postgres,
            other => other,
        };
        match self {
            Package::Frontend => Some(format!(
                "{}-{}.json",
                architecture_name(choices.architecture?),
                database.name()
            )),
            Package::ExpressBackend => (choices.backend == Some(Backend::Express))
                .then(|| format!("{}.json", database.name())),
        }
    }

    /// One combination per lockfile: the projects `cargo xtask lockfiles` resolves them in.
    fn renderings(self) -> Vec<Choices> {
        match self {
            Package::Frontend => ARCHITECTURES
                .into_iter()
                .flat_map(|architecture| {
                    // Any backend: the frontend is the same for all three.
                    let backend =
                        (architecture == Architecture::Separate).then_some(Backend::Fastapi);
                    DATABASES.map(|database| Choices::of(architecture, backend, database))
                })
                .collect(),
            Package::ExpressBackend => DATABASES
                .map(|database| {
                    Choices::of(Architecture::Separate, Some(Backend::Express), database)
                })
                .into(),
        }
    }

    /// Every lockfile the template must hold for this package.
    pub fn all_variants(self) -> Vec<String> {
        self.renderings()
            .iter()
            .filter_map(|choices| self.variant(choices))
            .collect()
    }

    /// Problems with a rendered project's lockfile of this package: missing, not lockfile version 3, or its
    /// root package's dependencies not exactly package.json's (npm ci would refuse to install).
    pub fn check(self, package_json: &Value, lock: Option<&Value>) -> Vec<String> {
        let lockfile = format!("{}/package-lock.json", self.folder());
        let Some(lock) = lock else {
            return vec![format!(
                "{lockfile} missing (the post hook takes it from {}/; run `cargo xtask lockfiles`)",
                self.locks_dir()
            )];
        };
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
}

pub fn run(_cmd: flags::Lockfiles) -> anyhow::Result<()> {
    let work = tempfile::Builder::new()
        .prefix("better-auth-v2-lockfiles-")
        .tempdir()?;
    for package in PACKAGES {
        let locks_dir = package.locks_dir();
        let locks = crate::project_root().join(locks_dir);
        std::fs::create_dir_all(&locks)?;
        for choices in package.renderings() {
            let name = package
                .variant(&choices)
                .expect("a rendering has the package");
            eprintln!("==> {locks_dir}/{name}");
            let project = crate::generate::generate(&choices, work.path())?;
            let lock = resolve(package, &project)?;
            std::fs::write(locks.join(&name), lock)
                .with_context(|| format!("cannot write {locks_dir}/{name}"))?;
        }
    }
    eprintln!(
        "Lockfiles written to {}/. `cargo xtask verify` checks them against package.json; \
         `cargo xtask verify --build` installs them with npm ci.",
        PACKAGES.map(Package::locks_dir).join("/ and ")
    );
    Ok(())
}

/// Brings the package's lockfile in a rendered project (the variant's current one, put there by the post
/// hook) in line with its package.json — npm keeps every locked version that still fits — and returns it
/// with the fixed root name in place of package.json's (as text, so npm's key order stays).
fn resolve(package: Package, project: &Path) -> anyhow::Result<String> {
    let dir = project.join(package.folder());
    // package.json names the package `<project>-<folder>`.
    let generated_name = format!(
        "{}-{}",
        project.file_name().unwrap().display(),
        package.folder()
    );
    // The root package's name in every stored lockfile is the folder's: npm ci does not compare it with
    // package.json's name, and the next `npm install` in the project rewrites it; a fixed name keeps the
    // files identical whatever the projects they were resolved in were called.
    let root_name = package.folder();
    let status = Command::new("npm")
        .args([
            "install",
            "--package-lock-only",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
        ])
        .current_dir(&dir)
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
    let lock = lock.replacen(&name(&generated_name), &name(root_name), 2);
    let parsed: Value =
        serde_json::from_str(&lock).context("npm wrote a lockfile that is not JSON")?;
    if parsed["name"] != root_name || parsed["packages"][""]["name"] != root_name {
        bail!("the lockfile's root package is not named {generated_name}");
    }
    Ok(lock)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn supabase_shares_postgres_frontend_lockfile_and_every_variant_is_listed() {
        let frontend = Package::Frontend;
        assert_eq!(
            frontend.variant(&Choices::of(
                Architecture::Separate,
                Some(Backend::Axum),
                Database::Supabase
            )),
            Some("separate-postgres.json".to_string())
        );
        assert_eq!(
            frontend.variant(&Choices::of(
                Architecture::Monolithic,
                None,
                Database::Sqlite
            )),
            Some("monolithic-sqlite.json".to_string())
        );
        let all = frontend.all_variants();
        assert_eq!(all.len(), 10);
        for choices in Choices::all() {
            let name = frontend
                .variant(&choices)
                .expect("every project has a frontend");
            assert!(all.contains(&name), "{name}");
        }
    }

    #[test]
    fn express_backend_lockfile_per_database_supabase_shares_postgres() {
        let express = Package::ExpressBackend;
        let separate_express =
            |database| Choices::of(Architecture::Separate, Some(Backend::Express), database);
        assert_eq!(
            express.variant(&separate_express(Database::Supabase)),
            Some("postgres.json".to_string())
        );
        assert_eq!(
            express.variant(&separate_express(Database::Neon)),
            Some("neon.json".to_string())
        );
        let all = express.all_variants();
        assert_eq!(
            all,
            [
                "sqlite.json",
                "postgres.json",
                "mysql.json",
                "neon.json",
                "turso.json"
            ]
        );
        for choices in Choices::all() {
            match express.variant(&choices) {
                Some(name) => assert!(all.contains(&name), "{name}"),
                None => assert_ne!(choices.backend, Some(Backend::Express), "{choices}"),
            }
        }
    }

    #[test]
    fn a_lock_must_match_package_json_exactly() {
        let check = |package_json: &Value, lock: Option<&Value>| {
            Package::Frontend.check(package_json, lock)
        };
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

    #[test]
    fn problems_name_the_package_folder_and_the_fix() {
        let package = json!({ "dependencies": { "express": "^5.2.1" } });
        let lock = json!({
            "lockfileVersion": 3,
            "packages": { "": { "dependencies": { "express": "^5.1.0" } } }
        });
        let backend = Package::ExpressBackend;
        for problem in [
            backend.check(&package, None),
            backend.check(&package, Some(&lock)),
        ]
        .concat()
        {
            assert!(
                problem.starts_with("backend/package-lock.json"),
                "{problem}"
            );
            assert!(problem.contains("cargo xtask lockfiles"), "{problem}");
        }
    }
}
