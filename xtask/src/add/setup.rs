//! After the plan is written: the same setup as a new project, in the app's own folder. The install runs
//! here with the app's package manager (the plan changed package.json, so the lockfile is rewritten, which
//! `cargo xtask setup`'s frozen install would refuse); then the app's own `cargo xtask setup --no-install`
//! writes the secret, creates the database, migrates and verifies. With `--no-xtask` there is no such
//! command: the secret and the migration run in this process instead (no verify).
//! Every file a step changes is backed up first, so a failed step restores the app with the rest.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use project_xtask::credentials;
use project_xtask::project::EnvFile;
use project_xtask::secret::{self, SecretState};

use super::apply::Undo;
use super::detect::{App, LOCKFILES};

pub fn run(app: &App, with_xtask: bool, undo: &mut Undo) -> anyhow::Result<()> {
    // Migrating creates (or changes) the SQLite file and its companions: a later failure removes or
    // restores them with the rest.
    for file in sqlite_files(app)? {
        undo.before_write(&file)?;
    }
    if with_xtask {
        // Setup writes the secret into .env.
        undo.before_write(&app.root.join(".env"))?;
        install(app, undo)?;
        return step("Set up (cargo xtask setup --no-install)", || {
            run_in(
                &app.root,
                Command::new("cargo").args(["xtask", "setup", "--no-install"]),
            )
        });
    }
    step("Write BETTER_AUTH_SECRET into .env", || {
        let path = app.root.join(".env");
        undo.before_write(&path)?;
        if !path.exists() {
            // The app keeps its settings in .env.local only: the secret still goes to .env, which the `auth`
            // CLI reads first.
            std::fs::write(&path, "")
                .with_context(|| format!("cannot create {}", path.display()))?;
        }
        let mut env = EnvFile::load(&path)?;
        match secret::ensure(&mut env)? {
            SecretState::Generated => eprintln!("  wrote a new random secret (not shown)"),
            SecretState::Kept => eprintln!("  kept the existing secret"),
        }
        restrict_to_owner(&path)
    })?;
    install(app, undo)?;
    step("Migrate the database (auth migrate --yes)", || {
        let cli = app.root.join("node_modules/.bin/auth");
        let config = app.src_dir.join("lib/auth.ts");
        run_in(
            &app.root,
            Command::new(&cli)
                .args(["migrate", "--yes", "--config"])
                .arg(&config),
        )
    })
}

/// The SQLite database files the app's DATABASE_URL names (in .env, then .env.local, as the plan left
/// them), relative to the app's folder, where the `auth` CLI and the app run; none for a server database.
fn sqlite_files(app: &App) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for name in [".env", ".env.local"] {
        let path = app.root.join(name);
        if !path.is_file() {
            continue;
        }
        if let Some(url) = EnvFile::load(&path)?.get_non_empty("DATABASE_URL") {
            files.extend(credentials::sqlite_files(&url, &app.root));
        }
    }
    Ok(files)
}

/// The install, with the app's package manager; every lockfile it may rewrite is backed up first
/// (`node_modules/` is ignored and not restored).
fn install(app: &App, undo: &mut Undo) -> anyhow::Result<()> {
    step(
        &format!("Install dependencies ({})", app.package_manager.name()),
        || {
            for (lockfile, _) in LOCKFILES {
                let path = app.root.join(lockfile);
                if path.exists() || app.package_manager.lockfile() == lockfile {
                    undo.before_write(&path)?;
                }
            }
            run_in(
                &app.root,
                Command::new(app.package_manager.name())
                    .args(app.package_manager.lock_updating_install_args()),
            )
        },
    )
}

fn step(what: &str, work: impl FnOnce() -> anyhow::Result<()>) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    eprintln!("==> {what}");
    work().with_context(|| format!("{what} failed"))?;
    eprintln!("    done in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn run_in(dir: &Path, command: &mut Command) -> anyhow::Result<()> {
    let program = command.get_program().to_string_lossy().into_owned();
    let status = command
        .current_dir(dir)
        .status()
        .with_context(|| format!("cannot run {program}: is it installed and on PATH?"))?;
    if !status.success() {
        bail!("{program} exited with {status}");
    }
    Ok(())
}

/// `.env` holds the secret: owner-only.
fn restrict_to_owner(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot restrict {}", path.display()))?;
    }
    Ok(())
}
