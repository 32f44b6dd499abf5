//! After the plan is written: the same setup steps as a new project, in the app's own folder and with its
//! own package manager: a CSPRNG secret in `.env` (kept when set), the install, the migration.
//! Every file a step changes is backed up first, so a failed step restores the app with the rest.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};
use project_xtask::project::EnvFile;
use project_xtask::secret::{self, SecretState};

use super::apply::Undo;
use super::detect::App;

/// The files an install rewrites besides `node_modules/` (which is ignored and not restored).
const LOCKFILES: [&str; 5] = [
    "package-lock.json",
    "pnpm-lock.yaml",
    "yarn.lock",
    "bun.lock",
    "bun.lockb",
];

pub fn run(app: &App, undo: &mut Undo) -> anyhow::Result<()> {
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
    step(
        &format!("Install dependencies ({})", app.package_manager.name()),
        || {
            for lockfile in LOCKFILES {
                let path = app.root.join(lockfile);
                if path.exists() || app.package_manager.lockfile() == lockfile {
                    undo.before_write(&path)?;
                }
            }
            run_in(
                &app.root,
                Command::new(app.package_manager.name()).arg("install"),
            )
        },
    )?;
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
