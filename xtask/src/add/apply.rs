//! Writing a plan so that a failure part-way leaves the app as it was: every file is backed up before it is
//! overwritten, every file and folder created is recorded, and on any error all of it is put back.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::plan::Plan;

/// The app's state before the plan touched it: what to put back, and what to remove.
#[derive(Debug, Default)]
pub struct Undo {
    /// Files that existed, with their bytes and permissions.
    backups: Vec<(PathBuf, Vec<u8>, std::fs::Permissions)>,
    /// Files and then folders the plan created, in creation order.
    created_files: Vec<PathBuf>,
    created_dirs: Vec<PathBuf>,
}

impl Undo {
    /// Backs up `path` (if it exists) before it is written.
    pub fn before_write(&mut self, path: &Path) -> anyhow::Result<()> {
        if self.backups.iter().any(|(backed, ..)| backed == path)
            || self.created_files.iter().any(|p| p == path)
        {
            return Ok(());
        }
        match std::fs::read(path) {
            Ok(bytes) => {
                let permissions = std::fs::metadata(path)?.permissions();
                self.backups.push((path.to_path_buf(), bytes, permissions));
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                self.created_files.push(path.to_path_buf());
            }
            Err(err) => {
                return Err(err).with_context(|| format!("cannot back up {}", path.display()));
            }
        }
        Ok(())
    }

    /// Creates the missing folders of `dir`, recording each.
    fn create_dirs(&mut self, dir: &Path) -> anyhow::Result<()> {
        let mut missing = Vec::new();
        let mut current = Some(dir);
        while let Some(path) = current.filter(|path| !path.as_os_str().is_empty() && !path.exists())
        {
            missing.push(path.to_path_buf());
            current = path.parent();
        }
        for path in missing.into_iter().rev() {
            std::fs::create_dir(&path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            self.created_dirs.push(path);
        }
        Ok(())
    }

    /// Puts every backed-up file back byte for byte and removes what was created; returns the problems it
    /// could not fix (each names the file).
    pub fn restore(self) -> Vec<String> {
        let mut problems = Vec::new();
        for (path, bytes, permissions) in self.backups.into_iter().rev() {
            if let Err(err) = std::fs::write(&path, &bytes) {
                problems.push(format!("cannot restore {}: {err}", path.display()));
            }
            let _ = std::fs::set_permissions(&path, permissions);
        }
        for path in self.created_files.into_iter().rev() {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => problems.push(format!("cannot remove {}: {err}", path.display())),
            }
        }
        for path in self.created_dirs.into_iter().rev() {
            if let Err(err) = std::fs::remove_dir(&path) {
                problems.push(format!("cannot remove {}: {err}", path.display()));
            }
        }
        problems
    }
}

/// Writes every change of `plan` under `root`, recording what to undo in `undo`. On error the caller
/// restores (so later steps, such as installs, share one undo).
pub fn write_plan(root: &Path, plan: &Plan, undo: &mut Undo) -> anyhow::Result<()> {
    for change in &plan.changes {
        let path = root.join(&change.path);
        if let Some(parent) = path.parent() {
            undo.create_dirs(parent)?;
        }
        undo.before_write(&path)?;
        std::fs::write(&path, &change.after)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// Runs `work` with a fresh undo; when it fails, restores everything it touched and says so.
pub fn transaction<T>(work: impl FnOnce(&mut Undo) -> anyhow::Result<T>) -> anyhow::Result<T> {
    let mut undo = Undo::default();
    match work(&mut undo) {
        Ok(value) => Ok(value),
        Err(err) => {
            let problems = undo.restore();
            if problems.is_empty() {
                Err(err.context("add failed; every file it touched was restored"))
            } else {
                Err(err.context(format!(
                    "add failed and could not restore everything: {}",
                    problems.join("; ")
                )))
            }
        }
    }
}
