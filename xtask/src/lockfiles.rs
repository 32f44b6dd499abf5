//! `cargo xtask lockfiles`: the lockfile of every package a generated project installs, one per variant,
//! kept in the template: the frontend's and the Express backend's `package-lock.json`, the FastAPI
//! backend's `uv.lock`, and the project's Cargo workspace's `Cargo.lock` (its xtask, plus the axum backend).
//!
//! The post hook puts the variant's lockfile in place, and setup installs from it (`npm ci`,
//! `uv sync --locked`, `cargo build --locked`): every project gets the dependency tree this repository
//! tested, not whatever the registries serve that day for our pins and ranges. Variants are the distinct
//! manifests: the frontend's package.json differs by architecture (axios for separate) and database driver;
//! the Express backend's by driver; the FastAPI backend's pyproject by driver (Neon and Supabase use
//! psycopg like PostgreSQL; Turso adds sqlalchemy-libsql to SQLite); the Cargo workspace only by whether the
//! axum backend is a member (a Cargo.lock covers every feature, so the database does not matter).

mod cargo;
mod npm;
mod uv;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use project_xtask::project::{Architecture, Backend, Database};

use crate::combination::{Choices, architecture_name};
use crate::flags;

/// A package of the generated project whose lockfiles the template stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Package {
    Frontend,
    ExpressBackend,
    FastapiBackend,
    /// The project's Cargo workspace (root Cargo.toml).
    Workspace,
}

pub const PACKAGES: [Package; 4] = [
    Package::Frontend,
    Package::ExpressBackend,
    Package::FastapiBackend,
    Package::Workspace,
];

const ARCHITECTURES: [Architecture; 2] = [Architecture::Monolithic, Architecture::Separate];

/// Databases whose npm packages differ; Supabase uses PostgreSQL's driver and so its lockfiles.
const NPM_DATABASES: [Database; 5] = [
    Database::Sqlite,
    Database::Postgres,
    Database::Mysql,
    Database::Neon,
    Database::Turso,
];

/// Databases whose Python packages differ; Neon and Supabase use PostgreSQL's.
const PYTHON_DATABASES: [Database; 4] = [
    Database::Sqlite,
    Database::Postgres,
    Database::Mysql,
    Database::Turso,
];

impl Package {
    /// The name `cargo xtask lockfiles --package` takes.
    pub fn name(self) -> &'static str {
        match self {
            Package::Frontend => "frontend",
            Package::ExpressBackend => "express",
            Package::FastapiBackend => "fastapi",
            Package::Workspace => "cargo",
        }
    }

    fn parse(name: &str) -> anyhow::Result<Package> {
        PACKAGES
            .into_iter()
            .find(|package| package.name() == name)
            .with_context(|| {
                format!(
                    "--package {name}: expected one of {}",
                    PACKAGES.map(Package::name).join(", ")
                )
            })
    }

    /// Where its lockfiles live, relative to the repository root.
    pub fn locks_dir(self) -> &'static str {
        match self {
            Package::Frontend => "template/frontend/locks",
            Package::ExpressBackend => "template/backend-express/locks",
            Package::FastapiBackend => "template/backend-fastapi/locks",
            Package::Workspace => "template/cargo-locks",
        }
    }

    /// The locks folder as copied into a project, before the post hook removes it.
    fn copied_locks_dir(self) -> &'static str {
        match self {
            Package::Frontend => "frontend/locks",
            Package::ExpressBackend | Package::FastapiBackend => "backend/locks",
            Package::Workspace => "cargo-locks",
        }
    }

    /// The folder of the project the package is (where its manifest and lockfile are).
    fn folder(self) -> &'static str {
        match self {
            Package::Frontend => "frontend",
            Package::ExpressBackend | Package::FastapiBackend => "backend",
            Package::Workspace => "",
        }
    }

    /// Its lockfile in a generated project, where the post hook puts it.
    pub fn lockfile(self) -> &'static str {
        match self {
            Package::Frontend => "frontend/package-lock.json",
            Package::ExpressBackend => "backend/package-lock.json",
            Package::FastapiBackend => "backend/uv.lock",
            Package::Workspace => "Cargo.lock",
        }
    }

    /// The stored lockfile a combination installs this package from — `<architecture>-<database>.json` for
    /// the frontend, `<database>.json` for the Express backend, `<database>.lock` for the FastAPI backend,
    /// `xtask.lock` or `axum.lock` for the Cargo workspace — or None when the combination has no such
    /// package. `choices` is complete, as in `Choices::all()`.
    pub fn variant(self, choices: &Choices) -> Option<String> {
        let database = choices.database?;
        let npm_database = match database {
            Database::Supabase => Database::Postgres,
            other => other,
        };
        match self {
            Package::Frontend => Some(format!(
                "{}-{}.json",
                architecture_name(choices.architecture?),
                npm_database.name()
            )),
            Package::ExpressBackend => (choices.backend == Some(Backend::Express))
                .then(|| format!("{}.json", npm_database.name())),
            Package::FastapiBackend => {
                let python_database = match database {
                    Database::Neon | Database::Supabase => Database::Postgres,
                    other => other,
                };
                (choices.backend == Some(Backend::Fastapi))
                    .then(|| format!("{}.lock", python_database.name()))
            }
            Package::Workspace => Some(match choices.backend {
                Some(Backend::Axum) => "axum.lock".to_string(),
                _ => "xtask.lock".to_string(),
            }),
        }
    }

    /// One combination per lockfile: the projects `cargo xtask lockfiles` resolves them in.
    fn renderings(self) -> Vec<Choices> {
        let separate =
            |backend, database| Choices::of(Architecture::Separate, Some(backend), database);
        match self {
            Package::Frontend => ARCHITECTURES
                .into_iter()
                .flat_map(|architecture| {
                    // Any backend: the frontend is the same for all three.
                    let backend =
                        (architecture == Architecture::Separate).then_some(Backend::Fastapi);
                    NPM_DATABASES.map(|database| Choices::of(architecture, backend, database))
                })
                .collect(),
            Package::ExpressBackend => NPM_DATABASES
                .map(|database| separate(Backend::Express, database))
                .into(),
            Package::FastapiBackend => PYTHON_DATABASES
                .map(|database| separate(Backend::Fastapi, database))
                .into(),
            Package::Workspace => vec![
                Choices::of(Architecture::Monolithic, None, Database::Sqlite),
                separate(Backend::Axum, Database::Sqlite),
            ],
        }
    }

    /// Every lockfile the template must hold for this package.
    pub fn all_variants(self) -> Vec<String> {
        self.renderings()
            .iter()
            .filter_map(|choices| self.variant(choices))
            .collect()
    }

    /// Problems with this package's lockfile in a project rendered from `choices`: the other variants'
    /// lockfiles left behind, the lockfile missing or not parsing, or stale (its recorded requirements are
    /// not the manifest's, so the locked install would refuse).
    pub fn check(self, project: &Path, choices: &Choices) -> Vec<String> {
        if self.variant(choices).is_none() {
            return Vec::new();
        }
        let mut problems = Vec::new();
        if project.join(self.copied_locks_dir()).exists() {
            problems.push(format!(
                "{}: the other variants' lockfiles must not be copied",
                self.copied_locks_dir()
            ));
        }
        let lockfile = self.lockfile();
        let Ok(lock) = std::fs::read_to_string(project.join(lockfile)) else {
            problems.push(format!(
                "{lockfile} missing (the post hook takes it from {}/; run `cargo xtask lockfiles`)",
                self.locks_dir()
            ));
            return problems;
        };
        let folder = project.join(self.folder());
        let result = match self {
            Package::Frontend | Package::ExpressBackend => {
                // A JSON file that does not parse is reported once, by verify's structured-files check.
                let Ok(lock) = serde_json::from_str(&lock) else {
                    return problems;
                };
                read_json(&folder.join("package.json"))
                    .map(|package_json| npm::check(lockfile, &package_json, &lock))
            }
            Package::FastapiBackend => {
                read_toml(&folder.join("pyproject.toml")).and_then(|pyproject| {
                    let lock = lock.parse().context("does not parse")?;
                    Ok(uv::check(lockfile, &pyproject, &lock))
                })
            }
            Package::Workspace => workspace_manifests(project).and_then(|manifests| {
                let lock = lock.parse().context("does not parse")?;
                Ok(cargo::check(&lock, &manifests))
            }),
        };
        match result {
            Ok(found) => problems.extend(found),
            Err(err) => problems.push(format!("{lockfile}: {err:#}")),
        }
        problems
    }

    /// Brings the lockfile of a project rendered for one of `renderings` (holding the variant's current
    /// lockfile, put there by the post hook) in line with its manifest, keeping the locked versions that
    /// still fit, and returns the lockfile to store.
    fn resolve(self, project: &Path) -> anyhow::Result<String> {
        let folder = project.join(self.folder());
        match self {
            Package::Frontend | Package::ExpressBackend => {
                // package.json names the package `<project>-<folder>`; stored lockfiles use the folder's name.
                let generated_name = format!(
                    "{}-{}",
                    project.file_name().unwrap().display(),
                    self.folder()
                );
                npm::resolve(&folder, &generated_name, self.folder())
            }
            Package::FastapiBackend => uv::resolve(&folder),
            Package::Workspace => {
                cargo::resolve(project, &crate::project_root().join("Cargo.lock"))
            }
        }
    }
}

fn read_json(path: &Path) -> anyhow::Result<serde_json::Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} does not parse", path.display()))
}

fn read_toml(path: &Path) -> anyhow::Result<toml::Table> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    text.parse()
        .with_context(|| format!("{} does not parse", path.display()))
}

/// The Cargo.toml of each member of a project's workspace, by member folder.
fn workspace_manifests(project: &Path) -> anyhow::Result<BTreeMap<String, toml::Table>> {
    let root = read_toml(&project.join("Cargo.toml"))?;
    let members = root
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(|m| m.as_array())
        .context("Cargo.toml has no workspace.members")?;
    members
        .iter()
        .filter_map(|m| m.as_str())
        .map(|member| {
            Ok((
                member.to_string(),
                read_toml(&project.join(member).join("Cargo.toml"))?,
            ))
        })
        .collect()
}

pub fn run(cmd: flags::Lockfiles) -> anyhow::Result<()> {
    let packages = cmd
        .package
        .iter()
        .map(|name| Package::parse(name))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let packages = if packages.is_empty() {
        PACKAGES.to_vec()
    } else {
        packages
    };
    let work = tempfile::Builder::new()
        .prefix("better-auth-v2-lockfiles-")
        .tempdir()?;
    for &package in &packages {
        let locks_dir = package.locks_dir();
        let locks = crate::project_root().join(locks_dir);
        std::fs::create_dir_all(&locks)?;
        for choices in package.renderings() {
            let name = package
                .variant(&choices)
                .expect("a rendering has the package");
            eprintln!("==> {locks_dir}/{name}");
            // One folder per package: two packages may resolve in projects of the same name.
            let dest = work.path().join(package.name());
            std::fs::create_dir_all(&dest)?;
            let project = crate::generate::generate(&choices, &dest)?;
            let lock = package.resolve(&project)?;
            std::fs::write(locks.join(&name), lock)
                .with_context(|| format!("cannot write {locks_dir}/{name}"))?;
        }
    }
    eprintln!(
        "Lockfiles written to {}/. `cargo xtask verify` checks them against their manifests; \
         `cargo xtask verify --build` installs from them.",
        packages
            .iter()
            .map(|package| package.locks_dir())
            .collect::<Vec<_>>()
            .join("/, ")
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(frontend.all_variants().len(), 10);
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
        assert_eq!(
            express.all_variants(),
            [
                "sqlite.json",
                "postgres.json",
                "mysql.json",
                "neon.json",
                "turso.json"
            ]
        );
    }

    #[test]
    fn fastapi_lockfile_per_python_driver_neon_and_supabase_share_postgres() {
        let fastapi = Package::FastapiBackend;
        let separate_fastapi =
            |database| Choices::of(Architecture::Separate, Some(Backend::Fastapi), database);
        for database in [Database::Postgres, Database::Neon, Database::Supabase] {
            assert_eq!(
                fastapi.variant(&separate_fastapi(database)),
                Some("postgres.lock".to_string())
            );
        }
        assert_eq!(
            fastapi.all_variants(),
            ["sqlite.lock", "postgres.lock", "mysql.lock", "turso.lock"]
        );
    }

    #[test]
    fn cargo_workspace_lockfile_depends_only_on_the_axum_backend() {
        let workspace = Package::Workspace;
        assert_eq!(workspace.all_variants(), ["xtask.lock", "axum.lock"]);
        for choices in Choices::all() {
            let expected = if choices.backend == Some(Backend::Axum) {
                "axum.lock"
            } else {
                "xtask.lock"
            };
            assert_eq!(
                workspace.variant(&choices).as_deref(),
                Some(expected),
                "{choices}"
            );
        }
    }

    #[test]
    fn every_combination_uses_a_listed_lockfile_and_backends_only_their_own() {
        let has = |package, choices: &Choices| match package {
            Package::ExpressBackend => choices.backend == Some(Backend::Express),
            Package::FastapiBackend => choices.backend == Some(Backend::Fastapi),
            Package::Frontend | Package::Workspace => true,
        };
        for package in PACKAGES {
            let all = package.all_variants();
            for choices in Choices::all() {
                let variant = package.variant(&choices);
                assert_eq!(
                    variant.is_some(),
                    has(package, &choices),
                    "{package:?} {choices}"
                );
                if let Some(name) = variant {
                    assert!(all.contains(&name), "{package:?} {name}");
                }
            }
        }
    }

    #[test]
    fn problems_name_the_lockfile_and_the_fix() {
        let project = tempfile::tempdir().unwrap();
        let choices = Choices::of(
            Architecture::Separate,
            Some(Backend::Fastapi),
            Database::Sqlite,
        );
        for package in [Package::FastapiBackend, Package::Workspace] {
            let problems = package.check(project.path(), &choices);
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert!(problems[0].starts_with(package.lockfile()), "{problems:?}");
            assert!(
                problems[0].contains("cargo xtask lockfiles"),
                "{problems:?}"
            );
        }
        // No Express backend in this project: nothing to say about its lockfile.
        assert!(
            Package::ExpressBackend
                .check(project.path(), &choices)
                .is_empty()
        );
    }
}
