//! The `note` table: connection, creation at startup and the three queries.
//! Each enabled cargo feature (sqlite, postgres, mysql) compiles its family's driver and SQL;
//! the scheme of DATABASE_URL picks one of them at startup.

use std::path::Path;
use std::time::{Duration, SystemTime};

use serde::Serialize;
use sqlx::pool::PoolOptions;

#[cfg(feature = "mysql")]
mod mysql;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

#[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
compile_error!("enable a database feature: sqlite, postgres or mysql");

/// A database family, compiled in or not (so a URL of another family gets a precise message).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Sqlite,
    Postgres,
    Mysql,
}

impl Family {
    pub const ALL: [Self; 3] = [Self::Sqlite, Self::Postgres, Self::Mysql];

    /// The cargo feature's name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
            Self::Mysql => "mysql",
        }
    }

    const fn url_prefixes(self) -> &'static [&'static str] {
        match self {
            Self::Sqlite => &["file:", "sqlite:"],
            Self::Postgres => &["postgres://", "postgresql://"],
            Self::Mysql => &["mysql://"],
        }
    }

    pub const fn is_compiled(self) -> bool {
        match self {
            Self::Sqlite => cfg!(feature = "sqlite"),
            Self::Postgres => cfg!(feature = "postgres"),
            Self::Mysql => cfg!(feature = "mysql"),
        }
    }

    pub fn of_url(url: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|family| {
            family
                .url_prefixes()
                .iter()
                .any(|prefix| url.starts_with(prefix))
        })
    }

    /// The families this build can open, e.g. "sqlite or postgres".
    pub fn compiled() -> String {
        let names: Vec<&str> = Self::ALL
            .into_iter()
            .filter(|family| family.is_compiled())
            .map(Self::name)
            .collect();
        names.join(" or ")
    }
}

/// Used when DATABASE_URL is unset: next to Better Auth's own SQLite file, but a separate file
/// (see .env.example). Server databases have no sensible default.
pub const DEFAULT_URL: Option<&str> = if cfg!(feature = "sqlite") {
    Some("file:./notes.db")
} else {
    None
};

/// A connection pool of the family DATABASE_URL names.
#[derive(Clone, Debug)]
pub enum Pool {
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::SqlitePool),
    #[cfg(feature = "postgres")]
    Postgres(sqlx::PgPool),
    #[cfg(feature = "mysql")]
    Mysql(sqlx::MySqlPool),
}

/// Runs `$body` with `$pool` bound to the family's sqlx pool and `$sql` to the module holding
/// that family's statements: one body, compiled once per enabled family.
macro_rules! per_family {
    ($pool:expr, |$inner:ident, $sql:ident| $body:expr) => {
        match $pool {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite($inner) => {
                use sqlite as $sql;
                $body
            }
            #[cfg(feature = "postgres")]
            Pool::Postgres($inner) => {
                use postgres as $sql;
                $body
            }
            #[cfg(feature = "mysql")]
            Pool::Mysql($inner) => {
                use mysql as $sql;
                $body
            }
        }
    };
}

#[derive(Clone, Debug, Serialize)]
pub struct Note {
    pub id: String,
    pub text: String,
    /// RFC 3339 UTC with milliseconds, e.g. `2026-01-31T12:00:00.123Z`.
    #[serde(rename = "createdAt")]
    pub created_at: String,
}

/// The family DATABASE_URL names, when this build can open it; else why not, with the fix.
pub fn check_url(url: &str) -> Result<Family, String> {
    if url.starts_with("libsql:") || url.starts_with("wss:") || url.starts_with("https:") {
        return Err(
            "the axum backend cannot reach Turso over the network (sqlx has no libSQL driver). \
             Point DATABASE_URL at a local SQLite file (file:./notes.db) or at the local file of a \
             Turso embedded replica, and build with --features sqlite"
                .to_owned(),
        );
    }
    match Family::of_url(url) {
        Some(family) if family.is_compiled() => Ok(family),
        Some(family) => Err(format!(
            "this backend was built for {}, not {}: rebuild with --features {} to use this URL",
            Family::compiled(),
            family.name(),
            family.name()
        )),
        None => Err(format!(
            "this backend was built for {}, so DATABASE_URL must start with {}",
            Family::compiled(),
            Family::ALL
                .into_iter()
                .filter(|family| family.is_compiled())
                .flat_map(|family| family.url_prefixes().iter().copied())
                .collect::<Vec<_>>()
                .join(" or ")
        )),
    }
}

/// `base_dir` resolves a relative SQLite path; server URLs do not use it.
#[cfg_attr(not(feature = "sqlite"), allow(unused_variables))]
pub async fn connect(url: &str, base_dir: &Path) -> Result<Pool, sqlx::Error> {
    let family = check_url(url).map_err(|reason| sqlx::Error::Configuration(reason.into()))?;
    Ok(match family {
        #[cfg(feature = "sqlite")]
        Family::Sqlite => Pool::Sqlite(
            pool_options()
                .connect_with(sqlite::connect_options(url, base_dir)?)
                .await?,
        ),
        #[cfg(feature = "postgres")]
        Family::Postgres => Pool::Postgres(pool_options().connect_with(url.parse()?).await?),
        #[cfg(feature = "mysql")]
        Family::Mysql => Pool::Mysql(pool_options().connect_with(url.parse()?).await?),
        #[allow(unreachable_patterns)] // when every family is compiled in
        _ => unreachable!("check_url accepts compiled families only"),
    })
}

fn pool_options<Db: sqlx::Database>() -> PoolOptions<Db> {
    PoolOptions::new().acquire_timeout(Duration::from_secs(5))
}

/// Idempotent; the table sits next to Better Auth's but never references them.
pub async fn create_schema(pool: &Pool) -> Result<(), sqlx::Error> {
    per_family!(pool, |pool, sql| {
        for statement in sql::CREATE_SCHEMA {
            sqlx::query(statement).execute(pool).await?;
        }
    });
    Ok(())
}

pub async fn insert_note(pool: &Pool, user_id: &str, text: &str) -> Result<Note, sqlx::Error> {
    // v7 ids sort by creation time: the tie-breaker for notes created in the same millisecond.
    let note = Note {
        id: uuid::Uuid::now_v7().to_string(),
        text: text.to_owned(),
        created_at: humantime::format_rfc3339_millis(SystemTime::now()).to_string(),
    };
    per_family!(pool, |pool, sql| {
        sqlx::query(sql::INSERT_NOTE)
            .bind(&note.id)
            .bind(user_id)
            .bind(&note.text)
            .bind(&note.created_at)
            .execute(pool)
            .await?;
    });
    Ok(note)
}

/// The caller's notes, newest first.
pub async fn list_notes(pool: &Pool, user_id: &str) -> Result<Vec<Note>, sqlx::Error> {
    let rows: Vec<(String, String, String)> = per_family!(pool, |pool, sql| {
        sqlx::query_as(sql::LIST_NOTES)
            .bind(user_id)
            .fetch_all(pool)
            .await?
    });
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
    let deleted = per_family!(pool, |pool, sql| {
        sqlx::query(sql::DELETE_NOTE)
            .bind(id)
            .bind(user_id)
            .execute(pool)
            .await?
            .rows_affected()
    });
    Ok(deleted > 0)
}
