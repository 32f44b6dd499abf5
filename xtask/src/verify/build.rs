//! `verify --build`: install, type-check and build the rendered variants.
//!
//! Frontends differ only by architecture × database, so 12 of the 24 renderings are distinct; they are
//! type-checked against ONE shared install of the union of their dependencies (the driver packages are
//! checked statically). `next build` needs a real install, so it runs for one variant per architecture,
//! or for every distinct frontend with `--full`. Every backend variant is installed and checked, and each
//! backend's own test suite runs once per database family, against the local PostgreSQL and MariaDB.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use project_xtask::project::{Architecture, Backend, Database, DbFamily};

use crate::combination::Choices;
use crate::scratch_db::{self, ScratchDb};

use super::report::{Report, Row};

pub fn run(rendered: &[(Choices, PathBuf)], full: bool, report: &mut Report) -> anyhow::Result<()> {
    require_node()?;
    let frontends = distinct_frontends(rendered);

    let started = Instant::now();
    let shared = shared_frontend_install(&frontends)?;
    report.push(Row::new(
        "frontend deps",
        "one shared npm install",
        Vec::new(),
        started,
    ));

    for (choices, dir) in &frontends {
        let started = Instant::now();
        let problems = typecheck_frontend(&dir.join("frontend"), &shared);
        report.push(Row::new(
            &frontend_name(choices),
            "tsc --noEmit",
            problems,
            started,
        ));
    }

    let to_build: Vec<&(Choices, PathBuf)> = if full {
        frontends.iter().collect()
    } else {
        // Monolithic + SQLite: the build must not create the database file; separate: the first variant.
        [
            (Architecture::Monolithic, Some(Database::Sqlite)),
            (Architecture::Separate, None),
        ]
        .iter()
        .filter_map(|(arch, database)| {
            frontends.iter().find(|(c, _)| {
                c.architecture == Some(*arch) && database.is_none_or(|d| c.database == Some(d))
            })
        })
        .collect()
    };
    for (choices, dir) in to_build {
        let started = Instant::now();
        let problems = next_build(&dir.join("frontend"));
        report.push(Row::new(
            &frontend_name(choices),
            "npm ci + next build",
            problems,
            started,
        ));
    }

    let mut tested = Vec::new();
    for (choices, dir) in rendered {
        let Some(backend) = choices.backend else {
            continue;
        };
        let started = Instant::now();
        let database = choices.database.unwrap_or(Database::Sqlite);
        let problems = check_backend(backend, database, &dir.join("backend"), dir);
        let installed = problems.is_empty();
        report.push(Row::new(
            &choices.to_string(),
            backend_check_name(backend),
            problems,
            started,
        ));
        // Each backend's own test suite, once per database family it has a driver for, on a real server.
        let family = database.family();
        if installed && !tested.contains(&(backend, family)) {
            tested.push((backend, family));
            let started = Instant::now();
            let problems = test_backend(backend, family, &dir.join("backend"), dir);
            report.push(Row::new(
                &choices.to_string(),
                "backend test suite",
                problems,
                started,
            ));
        }
    }
    Ok(())
}

/// Runs the backend's own tests, against a scratch database on the local server for PostgreSQL and MySQL.
fn test_backend(backend: Backend, family: DbFamily, dir: &Path, project: &Path) -> Vec<String> {
    let scratch = match scratch_db::server_url(family) {
        Some(server) => match ScratchDb::create(
            family,
            &server,
            &format!("verify_{}_{}", backend.name(), family.name()),
        ) {
            Ok(scratch) => Some(scratch),
            Err(err) => {
                return vec![format!(
                    "{err:#} (is the {} server running?)",
                    family.name()
                )];
            }
        },
        None => None,
    };
    let mut command = match backend {
        Backend::Fastapi => {
            let mut command = Command::new("uv");
            command
                .args(["run", "--quiet", "pytest", "-q"])
                .current_dir(dir);
            command
        }
        Backend::Express => {
            let mut command = Command::new("npm");
            command.args(["test"]).current_dir(dir);
            command
        }
        Backend::Axum => {
            let mut command = Command::new("cargo");
            command
                .args([
                    "test",
                    "--locked",
                    "--quiet",
                    "-p",
                    "backend",
                    "--no-default-features",
                    "--features",
                    family.name(),
                ])
                .current_dir(project)
                .env("CARGO_TARGET_DIR", generated_target_dir());
            command
        }
    };
    if let Some(scratch) = &scratch {
        command.env("DATABASE_URL", scratch.url());
    }
    run_step(&mut command, "backend tests")
}

fn frontend_name(choices: &Choices) -> String {
    let database = choices.database.map_or("default", Database::name);
    match choices.architecture {
        Some(Architecture::Separate) => format!("frontend separate-{database}"),
        _ => format!("frontend monolithic-{database}"),
    }
}

/// One rendering per architecture × database (the backend choice does not change the frontend).
fn distinct_frontends(rendered: &[(Choices, PathBuf)]) -> Vec<(Choices, PathBuf)> {
    let mut seen = BTreeMap::new();
    for (choices, dir) in rendered {
        seen.entry(frontend_name(choices))
            .or_insert_with(|| (choices.clone(), dir.clone()));
    }
    seen.into_values().collect()
}

/// The Express backend runs TypeScript directly, which needs type stripping on by default: Node 22.18.
const MIN_NODE: (u32, u32) = (22, 18);

fn require_node() -> anyhow::Result<()> {
    match project_xtask::tools::node::version_of(Path::new("node")) {
        Some(version) if project_xtask::tools::node::version_ok(version, MIN_NODE) => Ok(()),
        Some((major, minor, patch)) => bail!(
            "verify --build needs Node >= 22.18 on PATH, found {major}.{minor}.{patch}; install one with `npm install --prefix ~/.cache/better-auth-v2/node22 node@22` and put its node_modules/.bin first on PATH (as .ci/run does)"
        ),
        None => bail!("verify --build needs Node >= 22.18 on PATH; none found"),
    }
}

/// Installs the union of every frontend's dependencies once, into `target/verify/frontend-deps`, and
/// returns its `node_modules`. Skipped when the union has not changed since the last install.
fn shared_frontend_install(frontends: &[(Choices, PathBuf)]) -> anyhow::Result<PathBuf> {
    let mut dependencies = serde_json::Map::new();
    for (_, dir) in frontends {
        let path = dir.join("frontend/package.json");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let package: serde_json::Value = serde_json::from_str(&text)?;
        for section in ["dependencies", "devDependencies"] {
            if let Some(map) = package[section].as_object() {
                for (name, version) in map {
                    dependencies.insert(name.clone(), version.clone());
                }
            }
        }
    }
    let union = serde_json::json!({
        "name": "better-auth-v2-verify-frontend-deps",
        "private": true,
        "dependencies": dependencies,
    });
    let union = serde_json::to_string_pretty(&union)?;

    let cache = crate::project_root().join("target/verify/frontend-deps");
    std::fs::create_dir_all(&cache)?;
    let node_modules = cache.join("node_modules");
    let stamp = node_modules.join(".installed-package.json");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(union.as_str()) {
        eprintln!(
            "    shared frontend install is up to date ({})",
            cache.display()
        );
        return Ok(node_modules);
    }
    std::fs::write(cache.join("package.json"), &union)?;
    let mut npm = Command::new("npm");
    npm.args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&cache);
    let problems = run_step(&mut npm, "npm install (shared frontend deps)");
    if !problems.is_empty() {
        bail!("{}", problems.join("\n"));
    }
    std::fs::write(&stamp, &union)?;
    Ok(node_modules)
}

fn typecheck_frontend(frontend: &Path, shared_node_modules: &Path) -> Vec<String> {
    let link = frontend.join("node_modules");
    if !link.exists()
        && let Err(err) = std::os::unix::fs::symlink(shared_node_modules, &link)
    {
        return vec![format!("cannot link the shared node_modules: {err}")];
    }
    let tsc = shared_node_modules.join("typescript/bin/tsc");
    let mut command = Command::new("node");
    command
        .arg(tsc)
        .args(["--noEmit", "-p", "."])
        .current_dir(frontend);
    let problems = run_step(&mut command, "tsc --noEmit");
    // The link must not survive: a later real install (next build) would write into the shared folder.
    let _ = std::fs::remove_file(&link);
    problems
}

fn next_build(frontend: &Path) -> Vec<String> {
    // `npm ci`, as setup installs: proves the variant's lockfile installs.
    let mut install = Command::new("npm");
    install
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(frontend);
    let problems = run_step(&mut install, "npm ci");
    if !problems.is_empty() {
        return problems;
    }
    // As CI and container builds from git run it: no .env (git-ignored) and no runtime settings at all; the app
    // reads them on its first request.
    if let Err(err) = std::fs::remove_file(frontend.join(".env")) {
        return vec![format!(
            "cannot remove frontend/.env before the build: {err}"
        )];
    }
    let mut build = Command::new("npm");
    build
        .args(["run", "build"])
        .current_dir(frontend)
        .env_clear()
        .envs(["PATH", "HOME"].map(|key| (key, std::env::var_os(key).unwrap_or_default())))
        .env("NEXT_TELEMETRY_DISABLED", "1");
    let mut problems = run_step(&mut build, "next build");
    if frontend.join("auth.db").exists() {
        problems.push(
            "next build created frontend/auth.db: the build must not open the database".to_string(),
        );
    }
    problems
}

fn backend_check_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Fastapi => "uv sync --locked + ruff + import",
        Backend::Express => "npm ci + tsc --noEmit",
        Backend::Axum => "cargo check --locked",
    }
}

fn check_backend(backend: Backend, database: Database, dir: &Path, project: &Path) -> Vec<String> {
    match backend {
        Backend::Fastapi => {
            // `uv sync --locked`, as setup installs: proves the variant's uv.lock installs.
            let mut sync = Command::new("uv");
            sync.args(["sync", "--locked", "--quiet"]).current_dir(dir);
            let mut problems = run_step(&mut sync, "uv sync --locked");
            if problems.is_empty() {
                let mut ruff = Command::new("uv");
                ruff.args(["run", "--quiet", "ruff", "check", "."])
                    .current_dir(dir);
                problems.extend(run_step(&mut ruff, "ruff check"));
                let mut import = Command::new("uv");
                import
                    .args(["run", "--quiet", "python", "-c", "import app.main"])
                    .current_dir(dir);
                problems.extend(run_step(&mut import, "import app.main"));
            }
            problems
        }
        Backend::Express => {
            // `npm ci`, as setup installs: proves the variant's lockfile installs.
            let mut install = Command::new("npm");
            install
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(dir);
            let mut problems = run_step(&mut install, "npm ci");
            if problems.is_empty() {
                let mut typecheck = Command::new("npm");
                typecheck.args(["run", "typecheck"]).current_dir(dir);
                problems.extend(run_step(&mut typecheck, "npm run typecheck"));
            }
            problems
        }
        Backend::Axum => {
            let family = database.family().name();
            let mut check = Command::new("cargo");
            check
                .args([
                    "check",
                    "--locked",
                    "--quiet",
                    "-p",
                    "backend",
                    "--no-default-features",
                    "--features",
                    family,
                ])
                .current_dir(project)
                .env("CARGO_TARGET_DIR", generated_target_dir());
            run_step(&mut check, "cargo check --locked -p backend")
        }
    }
}

/// One target dir shared by every generated project's Rust builds, so each dependency compiles once.
pub fn generated_target_dir() -> PathBuf {
    match std::env::var_os("GENERATED_CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => crate::project_root().join("target/generated"),
    }
}

/// Runs `command`; on failure returns one problem with the last lines of its output.
fn run_step(command: &mut Command, what: &str) -> Vec<String> {
    match command.output() {
        Ok(output) if output.status.success() => Vec::new(),
        Ok(output) => {
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            let lines: Vec<&str> = text.lines().collect();
            let tail = lines[lines.len().saturating_sub(25)..].join("\n           ");
            vec![format!(
                "{what} failed ({}):\n           {tail}",
                output.status
            )]
        }
        Err(err) => vec![format!(
            "cannot run {what}: {err} (is it installed? see .ci/run)"
        )],
    }
}
