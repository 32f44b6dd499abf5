//! The backend's dependencies, installed with the backend's own tool (`uv add`, `poetry add`, its
//! virtualenv's pip, or its Node package manager), inside the rollback: the manifest and lockfile the tool
//! rewrites are backed up first.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, bail};

use super::apply::Undo;

/// One command the plan runs in the backend's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Install {
    pub dir: PathBuf,
    pub argv: Vec<String>,
    /// Files the command rewrites (absolute), restored when `add` fails.
    pub writes: Vec<PathBuf>,
}

pub fn run(installs: &[Install], undo: &mut Undo) -> anyhow::Result<()> {
    for install in installs {
        for path in &install.writes {
            undo.before_write(path)?;
        }
        let shown = install.argv.join(" ");
        eprintln!("==> {shown} (in {})", install.dir.display());
        let status = Command::new(&install.argv[0])
            .args(&install.argv[1..])
            .current_dir(&install.dir)
            .status()
            .with_context(|| {
                format!(
                    "cannot run {}: is it installed and on PATH?",
                    install.argv[0]
                )
            })?;
        if !status.success() {
            bail!(
                "`{shown}` in {} exited with {status}",
                install.dir.display()
            );
        }
    }
    Ok(())
}
