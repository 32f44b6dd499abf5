//! The `note` table: connection, creation at startup and the three queries.
//! One database family is compiled in, chosen by cargo feature (see Cargo.toml).

use std::path::Path;
use std::time::{Duration, SystemTime};

use serde::Serialize;

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "postgres")]
use postgres as family;

#[cfg(all(feature = "mysql", not(feature = "postgres")))]
mod mysql;
#[cfg(all(feature = "mysql", not(feature = "postgres")))]
use mysql as family;

#[cfg(all(feature = "sqlite", not(any(feature = "postgres", feature = "mysql"))))]
mod sqlite;
#[cfg(all(feature = "sqlite", not(any(feature = "postgres", feature = "mysql"))))]
use sqlite as family;

#[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
compile_error!("enable one database feature: sqlite, postgres or mysql");

pub use family::{DEFAULT_URL, Db, FAMILY};
pub type Pool = sqlx::Pool<Db>;

#[derive(Clone, Debug, Serialize)]
pub struct Note {
    pub id: String,
    pub text: String,
    /// RFC 3339 UTC with milliseconds, e.g. `2026-01-31T12:00:00.123Z`.
    #[serde(rename = "createdAt")]
    pub created_at: String,
}

/// Refuses URLs of another family up front, with the fix in the message.
pub fn check_url(url: &str) -> Result<(), String> {
    if url.starts_with("libsql:") || url.starts_with("wss:") || url.starts_with("https:") {
        return Err(
            "the axum backend cannot reach Turso over the network (sqlx has no libSQL driver). \
             Point DATABASE_URL at a local SQLite file (file:./notes.db) or at the local file of a \
             Turso embedded replica, and build with --features sqlite"
                .to_owned(),
        );
    }
    if family::URL_PREFIXES
        .iter()
        .any(|prefix| url.starts_with(prefix))
    {
        Ok(())
    } else {
        Err(format!(
            "this backend was built for {FAMILY}, so DATABASE_URL must start with {}; \
             rebuild with --no-default-features --features <sqlite|postgres|mysql> to match the URL",
            family::URL_PREFIXES.join(" or ")
        ))
    }
}

pub async fn connect(url: &str, base_dir: &Path) -> Result<Pool, sqlx::Error> {
    sqlx::pool::PoolOptions::<Db>::new()
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(family::connect_options(url, base_dir)?)
        .await
}

/// Idempotent; the table sits next to Better Auth's but never references them.
pub async fn create_schema(pool: &Pool) -> Result<(), sqlx::Error> {
    for statement in family::CREATE_SCHEMA {
        sqlx::query(statement).execute(pool).await?;
    }
    Ok(())
}

pub async fn insert_note(pool: &Pool, user_id: &str, text: &str) -> Result<Note, sqlx::Error> {
    // v7 ids sort by creation time: the tie-breaker for notes created in the same millisecond.
    let note = Note {
        id: uuid::Uuid::now_v7().to_string(),
        text: text.to_owned(),
        created_at: humantime::format_rfc3339_millis(SystemTime::now()).to_string(),
    };
    sqlx::query(family::INSERT_NOTE)
        .bind(&note.id)
        .bind(user_id)
        .bind(&note.text)
        .bind(&note.created_at)
        .execute(pool)
        .await?;
    Ok(note)
}

/// The caller's notes, newest first.
pub async fn list_notes(pool: &Pool, user_id: &str) -> Result<Vec<Note>, sqlx::Error> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(family::LIST_NOTES)
        .bind(user_id)
        .fetch_all(pool)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, text, created_at)| Note {
            id,
            text,
            created_at,
        })
        .collect())
}

/// False when no note with that id belongs to the caller (missing or someone else's).
pub async fn delete_note(pool: &Pool, user_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(family::DELETE_NOTE)
        .bind(id)
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(result.rows_affected() > 0)
}
