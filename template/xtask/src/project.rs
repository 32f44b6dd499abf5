//! The generated project as the commands see it: its folders, the decisions in `better-auth.toml`, and
//! its env files.

mod auth_flows;
mod env_file;
mod layout;
mod manifest;
pub mod url;

pub use auth_flows::{AUTH_FLOW_NAMES, AuthFlow, AuthFlows};
pub use env_file::EnvFile;
pub use layout::{Layout, PackageManager, source_dir};
pub use manifest::{Architecture, Backend, Database, DbFamily, FRONTEND_DRIVERS, Manifest};

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// The file that marks a project's root and records the choices it was generated with.
pub const MANIFEST_FILE: &str = "better-auth.toml";

#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub manifest: Manifest,
}

impl Project {
    /// Finds the project root: the nearest folder at or above the current directory holding
    /// `better-auth.toml`.
    pub fn discover() -> anyhow::Result<Project> {
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        let mut dir: &Path = &cwd;
        loop {
            if dir.join(MANIFEST_FILE).is_file() {
                return Project::load(dir);
            }
            match dir.parent() {
                Some(parent) => dir = parent,
                None => bail!(
                    "no {MANIFEST_FILE} in {} or any folder above it; run this inside a project made by better-auth-v2",
                    cwd.display()
                ),
            }
        }
    }

    /// Loads the project whose root folder is `root`.
    pub fn load(root: &Path) -> anyhow::Result<Project> {
        let manifest_path = root.join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&manifest_path)
            .with_context(|| format!("cannot read {}", manifest_path.display()))?;
        let manifest = Manifest::parse(&text)
            .with_context(|| format!("{} is not valid", manifest_path.display()))?;
        Ok(Project {
            root: root.to_path_buf(),
            manifest,
        })
    }

    /// The Next.js app's folder: `frontend/`, or where `[layout]` says.
    pub fn frontend_dir(&self) -> PathBuf {
        self.root.join(&self.manifest.layout.frontend)
    }

    /// The Next.js app's source folder, which holds `app/` and `lib/`: `frontend/src` for a generated
    /// project, the app's own folder for an app without `src/` that `cargo xtask add` set up.
    pub fn frontend_source_dir(&self) -> PathBuf {
        source_dir(&self.frontend_dir())
    }

    /// The separate backend's folder (`backend/`, or where `[layout]` says); `None` for a monolithic project.
    pub fn backend_dir(&self) -> Option<PathBuf> {
        self.manifest
            .backend
            .map(|_| self.root.join(&self.manifest.layout.backend))
    }

    /// The package manager that installs and runs the Next.js app.
    pub fn package_manager(&self) -> PackageManager {
        self.manifest.layout.package_manager
    }

    /// `frontend/.env`: the one env file of the Next.js app, read by Next.js, the `auth` CLI and this xtask.
    pub fn frontend_env(&self) -> anyhow::Result<EnvFile> {
        EnvFile::load(&self.frontend_dir().join(".env"))
    }

    /// `backend/.env`; `None` for a monolithic project.
    pub fn backend_env(&self) -> anyhow::Result<Option<EnvFile>> {
        self.backend_dir()
            .map(|dir| EnvFile::load(&dir.join(".env")))
            .transpose()
    }
}
