//! Credential files (`.env` files, SQLite databases with password hashes and session tokens) stay
//! readable by their owner only: 0600.
//!
//! cargo-generate writes files 0644 and SQLite creates its file with the umask, so the xtask tightens
//! them after generation, after setup writes the secret, and after a migration creates the database.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::Project;
use crate::project::url::sqlite_path;

/// The mode every credential file gets.
pub const OWNER_ONLY: u32 = 0o600;

/// A credential file whose group or others could read or write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LooseFile {
    /// Relative to the project root when inside it.
    pub path: PathBuf,
    pub mode: u32,
}

impl LooseFile {
    pub fn describe_tightened(&self) -> String {
        format!(
            "tightened {} from {:04o} to {OWNER_ONLY:04o}",
            self.path.display(),
            self.mode
        )
    }
}

/// The credential files that exist: both `.env` files and the local SQLite/libSQL database files
/// (with their `-wal`/`-shm`/`-journal` companions) their DATABASE_URLs name.
pub fn files(project: &Project) -> Vec<PathBuf> {
    let mut files = vec![project.frontend_dir().join(".env")];
    let mut databases = Vec::new();
    if let Ok(env) = project.frontend_env() {
        databases.extend(
            env.get_non_empty("DATABASE_URL")
                .map(|url| (url, project.frontend_dir())),
        );
    }
    if let (Some(backend_dir), Ok(Some(env))) = (project.backend_dir(), project.backend_env()) {
        files.push(backend_dir.join(".env"));
        databases.extend(
            env.get_non_empty("DATABASE_URL")
                .map(|url| (url, backend_dir)),
        );
    }
    for (url, base) in databases {
        files.extend(sqlite_files(&url, &base));
    }
    files.retain(|file| file.is_file());
    files.dedup();
    files
}

/// The local SQLite/libSQL database file a `file:`/`sqlite:` URL names, relative to `base` (the folder the
/// app runs in), and its `-wal`/`-shm`/`-journal` companions, whether they exist yet or not; none for a
/// server URL.
pub fn sqlite_files(url: &str, base: &Path) -> Vec<PathBuf> {
    if !is_sqlite_url(url) {
        return Vec::new();
    }
    let Some(path) = sqlite_path(url) else {
        return Vec::new();
    };
    let file = base.join(path.strip_prefix("./").unwrap_or(path));
    ["", "-wal", "-shm", "-journal"]
        .into_iter()
        .map(|suffix| {
            let mut name = file.clone().into_os_string();
            name.push(suffix);
            PathBuf::from(name)
        })
        .collect()
}

/// `file:`/`sqlite:` URLs only: a server URL is not a file, whatever `sqlite_path` makes of it.
fn is_sqlite_url(url: &str) -> bool {
    let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
    matches!(scheme.as_deref(), Some("file" | "sqlite"))
}

/// The credential files group or others can access, with their current mode.
pub fn loose(project: &Project) -> Vec<LooseFile> {
    files(project)
        .into_iter()
        .filter_map(|file| {
            let mode = mode_of(&file)?;
            (mode & 0o077 != 0).then(|| LooseFile {
                path: relative(&file, &project.root),
                mode,
            })
        })
        .collect()
}

/// Sets every loose credential file to 0600; returns what it changed (nothing when all were fine).
pub fn secure_credential_files(project: &Project) -> anyhow::Result<Vec<LooseFile>> {
    let loose = loose(project);
    for file in &loose {
        set_owner_only(&project.root.join(&file.path))?;
    }
    Ok(loose)
}

/// Prints one line per tightened file (setup's and migrate's steps call this).
pub fn secure_and_report(project: &Project) -> anyhow::Result<()> {
    for file in secure_credential_files(project)? {
        crate::ui::info(&file.describe_tightened());
    }
    Ok(())
}

pub fn set_owner_only(path: &Path) -> anyhow::Result<()> {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(OWNER_ONLY))
        .with_context(|| format!("cannot restrict permissions of {}", path.display()))
}

fn mode_of(path: &Path) -> Option<u32> {
    Some(std::fs::metadata(path).ok()?.permissions().mode() & 0o777)
}

fn relative(path: &Path, root: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}
