//! SQLite (also a Turso embedded replica's local file). Timestamps are stored as the RFC 3339
//! text we generate: fixed width, so text order is time order.

use std::path::Path;

use sqlx::sqlite::SqliteConnectOptions;

pub const CREATE_SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS note (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at TEXT NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS note_user_id_idx ON note (user_id)",
];
pub const INSERT_NOTE: &str =
    "INSERT INTO note (id, user_id, text, created_at) VALUES (?, ?, ?, ?)";
pub const LIST_NOTES: &str = "SELECT id, text, created_at FROM note WHERE user_id = ? \
     ORDER BY created_at DESC, id DESC";
pub const DELETE_NOTE: &str = "DELETE FROM note WHERE id = ? AND user_id = ?";

/// Accepts `file:PATH` (Better Auth's spelling), `sqlite:PATH` and `sqlite://PATH`; a relative
/// PATH is taken from `base_dir` so the file does not move with the working directory.
pub fn connect_options(url: &str, base_dir: &Path) -> Result<SqliteConnectOptions, sqlx::Error> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .or_else(|| url.strip_prefix("file:"))
        .unwrap_or(url);
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Err(sqlx::Error::Configuration(
            "DATABASE_URL needs a SQLite file path, e.g. file:./notes.db".into(),
        ));
    }
    Ok(SqliteConnectOptions::new()
        .filename(base_dir.join(path))
        .create_if_missing(true))
}
