//! Installing the frontend's and the backend's dependencies, skipped when they are already up to date.
//!
//! Needs no database driver: the template repository's `cargo xtask new` runs [`dependencies`] while the
//! project's own automation compiles, and the project's `cargo xtask setup` then finds them up to date.

use std::path::Path;

use anyhow::Context;

use crate::Project;
use crate::project::{Backend, PackageManager};
use crate::tools::cargo;
use crate::tools::node::{Node, run_checked};
use crate::tools::python::Python;
use crate::ui::{info, step};

/// Written into `node_modules` or `.venv` after a successful install: a hash of what it depended on.
const STAMP_FILE: &str = ".better-auth-v2-stamp";

/// What an install step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Installed {
    Ran,
    /// The stamp matched: nothing to do.
    UpToDate,
    /// A tool that checks for itself (`uv sync`, `cargo build`) ran and did whatever was missing.
    Synced(&'static str),
}

impl Installed {
    pub fn describe(self) -> String {
        match self {
            Installed::Ran => "installed".to_string(),
            Installed::UpToDate => {
                "already up to date (same manifest and lockfile as the last install)".to_string()
            }
            Installed::Synced(tool) => format!("in sync (`{tool}` installs only what changed)"),
        }
    }
}

/// Installs the frontend's dependencies and, beside them, the backend's (two package managers, mostly
/// waiting on the disk and the network). axum's "install" is its first compile: `setup` runs it as a step of
/// its own.
pub fn dependencies(project: &Project, node: &Node) -> anyhow::Result<()> {
    let manager = project.package_manager();
    match project.manifest.backend {
        None | Some(Backend::Axum) => step(
            &format!("Install frontend dependencies ({})", manager.name()),
            || {
                let installed = packages(node, manager, &project.frontend_dir())?;
                info(&installed.describe());
                Ok(())
            },
        ),
        Some(backend) => step(
            &format!(
                "Install frontend ({}) and backend ({}) dependencies, in parallel",
                manager.name(),
                tool(backend)
            ),
            || {
                let (frontend, backend) = std::thread::scope(|scope| {
                    let frontend = scope.spawn(|| packages(node, manager, &project.frontend_dir()));
                    let backend = self::backend(project, backend, node);
                    (
                        frontend.join().expect("the npm install thread panicked"),
                        backend,
                    )
                });
                info(&format!("frontend: {}", frontend?.describe()));
                info(&format!("backend: {}", backend?.describe()));
                Ok(())
            },
        ),
    }
}

/// What installs a backend's dependencies, as the user would name it.
pub fn tool(backend: Backend) -> &'static str {
    match backend {
        Backend::Fastapi => "uv, or venv + pip",
        Backend::Express => "npm",
        Backend::Axum => "cargo build",
    }
}

/// `npm ci` (or the manager's frozen install) with a lockfile, `install` without, in `dir`, unless
/// `node_modules` was installed from the same package.json, lockfile and Node major version.
pub fn packages(node: &Node, manager: PackageManager, dir: &Path) -> anyhow::Result<Installed> {
    let args = manager.install_args(dir.join(manager.lockfile()).is_file());
    let what = format!("{} {}", manager.name(), args.join(" "));
    // Hashed again after installing: an install without a lockfile has just written it.
    stamped(
        &dir.join("node_modules"),
        || package_inputs(node, manager, dir),
        || {
            let mut command = node.command(manager.name());
            command.args(args).current_dir(dir);
            if manager == PackageManager::Npm {
                // The registry metadata of exact pins does not change: reuse the cache without asking.
                command.args(["--prefer-offline", "--no-audit", "--no-fund"]);
            }
            run_checked(&mut command, &what).map(drop)
        },
    )
}

/// The backend's dependencies; what "installing" means depends on its language.
pub fn backend(project: &Project, backend: Backend, node: &Node) -> anyhow::Result<Installed> {
    let dir = project
        .backend_dir()
        .context("a backend is configured but has no folder")?;
    match backend {
        // The generated Express backend is an npm package.
        Backend::Express => packages(node, PackageManager::Npm, &dir),
        Backend::Fastapi => {
            let python = Python::ensure(&dir)?;
            info(&python.describe());
            match python {
                Python::Uv { .. } => python.install(&dir).map(|()| Installed::Synced("uv sync")),
                Python::Venv { .. } => {
                    let pyproject = || {
                        std::fs::read(dir.join("pyproject.toml"))
                            .context("cannot read backend/pyproject.toml")
                    };
                    stamped(&dir.join(".venv"), pyproject, || python.install(&dir))
                }
            }
        }
        Backend::Axum => {
            let mut build = cargo::backend_command("build", project.manifest.database.family());
            run_checked(build.current_dir(&project.root), "cargo build -p backend")?;
            Ok(Installed::Synced("cargo build"))
        }
    }
}

/// Runs `install` unless `folder` holds a stamp of the same `inputs`; stamps it afterwards.
fn stamped(
    folder: &Path,
    inputs: impl Fn() -> anyhow::Result<Vec<u8>>,
    install: impl FnOnce() -> anyhow::Result<()>,
) -> anyhow::Result<Installed> {
    let stamp_path = folder.join(STAMP_FILE);
    let stamp = |inputs: &[u8]| format!("{:016x}\n", fnv1a(&[inputs]));
    if std::fs::read_to_string(&stamp_path).ok() == Some(stamp(&inputs()?)) {
        return Ok(Installed::UpToDate);
    }
    install()?;
    std::fs::write(&stamp_path, stamp(&inputs()?))
        .with_context(|| format!("cannot write {}", stamp_path.display()))?;
    Ok(Installed::Ran)
}

fn package_inputs(node: &Node, manager: PackageManager, dir: &Path) -> anyhow::Result<Vec<u8>> {
    let package_json = std::fs::read(dir.join("package.json"))
        .with_context(|| format!("cannot read {}", dir.join("package.json").display()))?;
    let lock = std::fs::read(dir.join(manager.lockfile())).unwrap_or_default();
    // Native addons are built per Node major version.
    let node_major = node.version.0.to_le_bytes();
    Ok([
        package_json.as_slice(),
        &[0xff],
        &lock,
        &[0xff],
        &node_major,
    ]
    .concat())
}

/// FNV-1a, 64 bits: stable across Rust releases (unlike `DefaultHasher`), enough to notice a change.
fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.iter().chain(&[0xff]) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_hash_tells_inputs_apart() {
        assert_eq!(fnv1a(&[b""]), fnv1a(&[b""]));
        assert_ne!(fnv1a(&[b"ab", b"c"]), fnv1a(&[b"a", b"bc"]));
        assert_ne!(fnv1a(&[b"{}"]), fnv1a(&[b"{ }"]));
    }
}
