//! Creating the database when it lives on a local server that does not have it yet.
//!
//! Only local servers (localhost, 127.0.0.1, ::1, a Unix socket) are touched: a hosted database is the
//! provider's to create, and setup must never run DDL against someone's production server by accident.

use std::path::Path;

use anyhow::bail;

use crate::project::url::sqlite_path;
use crate::project::{Database, DbFamily};

/// What `ensure` found or did.
#[cfg_attr(not(any(feature = "postgres", feature = "mysql")), allow(dead_code))]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbState {
    Exists,
    Created,
    /// A SQLite/libSQL file, already there or (its folder ready) created by the first migration.
    SqliteFile {
        exists: bool,
    },
    /// A hosted server or remote libSQL: left alone.
    NotLocal(String),
}

impl DbState {
    pub fn describe(&self, name: &str) -> String {
        match self {
            DbState::Exists => format!("database `{name}` exists"),
            DbState::Created => format!("created database `{name}`"),
            DbState::SqliteFile { exists: true } => format!("{name}: the SQLite file exists"),
            DbState::SqliteFile { exists: false } => {
                format!("{name}: SQLite file, created by the first migration")
            }
            DbState::NotLocal(host) => {
                format!("{name} is on {host}, not a local server: not created here")
            }
        }
    }
}

/// Makes sure the database behind `url` exists. `base_dir` is what a relative SQLite path is relative to.
pub fn ensure(database: Database, url: &str, base_dir: &Path) -> anyhow::Result<DbState> {
    match database.family() {
        DbFamily::Sqlite => ensure_sqlite_folder(url, base_dir),
        DbFamily::Postgres => block_on(server::ensure_postgres(database, url, Missing::Create)),
        DbFamily::Mysql => block_on(server::ensure_mysql(url, Missing::Create)),
    }
}

/// Checks, without changing anything, that a local server answers, accepts the login and has the
/// database: `migrate` runs this first so these failures read the same as in setup, in one line.
pub fn check(database: Database, url: &str) -> anyhow::Result<()> {
    match database.family() {
        DbFamily::Sqlite => Ok(()),
        DbFamily::Postgres => {
            block_on(server::ensure_postgres(database, url, Missing::Refuse)).map(drop)
        }
        DbFamily::Mysql => block_on(server::ensure_mysql(url, Missing::Refuse)).map(drop),
    }
}

/// What to do about a database the server lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Missing {
    Create,
    Refuse,
}

/// The message for a database a local server lacks (`setup` creates it).
#[cfg_attr(not(any(feature = "postgres", feature = "mysql")), allow(dead_code))]
fn missing_message(database: Database, host: &str, port: u16, name: &str) -> String {
    format!(
        "the {} server at {host}:{port} has no database `{name}`. Fix: run `cargo xtask setup`, which creates it, or correct DATABASE_URL in frontend/.env",
        database.name()
    )
}

fn ensure_sqlite_folder(url: &str, base_dir: &Path) -> anyhow::Result<DbState> {
    let Some(path) = sqlite_path(url) else {
        return Ok(DbState::NotLocal(
            url.split('?').next().unwrap_or(url).to_string(),
        ));
    };
    let file = base_dir.join(path);
    if let Some(folder) = file.parent() {
        std::fs::create_dir_all(folder).map_err(|err| {
            anyhow::anyhow!(
                "cannot create {} for the SQLite file: {err}",
                folder.display()
            )
        })?;
    }
    Ok(DbState::SqliteFile {
        exists: file.is_file(),
    })
}

/// Whether `host` is this machine (or a Unix socket folder, which is always local).
#[cfg_attr(not(any(feature = "postgres", feature = "mysql")), allow(dead_code))]
pub fn is_local_host(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "::1" | "[::1]") || host.starts_with('/')
}

/// The message for a local server that does not answer: which address, and how to start it.
#[cfg_attr(not(any(feature = "postgres", feature = "mysql")), allow(dead_code))]
pub fn unreachable_message(database: Database, host: &str, port: u16, cause: &str) -> String {
    let how = match database {
        Database::Supabase => {
            "run `supabase start` in the project (Supabase's local stack)".to_string()
        }
        Database::Mysql => format!(
            "start MySQL/MariaDB (`sudo systemctl start mariadb`, `brew services start mysql`, or `docker run -d -p {port}:3306 -e MYSQL_ALLOW_EMPTY_PASSWORD=yes mysql:8`)"
        ),
        _ => format!(
            "start PostgreSQL (`sudo systemctl start postgresql`, `brew services start postgresql@17`, or `docker run -d -p {port}:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:17`)"
        ),
    };
    format!(
        "cannot reach the {} server at {host}:{port} ({cause}). Fix: {how}, or point DATABASE_URL in frontend/.env at a running server",
        database.name()
    )
}

/// Runs one database task on a small single-threaded runtime: setup needs a handful of queries, not a
/// thread pool.
fn block_on<T>(future: impl Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(future)
}

/// The server-backed databases, each compiled only with its cargo feature.
mod server {
    #[cfg(any(feature = "postgres", feature = "mysql"))]
    use std::str::FromStr;
    #[cfg(any(feature = "postgres", feature = "mysql"))]
    use std::time::Duration;

    #[cfg(any(feature = "postgres", feature = "mysql"))]
    use sqlx::{ConnectOptions, Executor};

    use super::*;

    /// Long enough for a slow local server, short enough that a firewall dropping packets is noticed.
    #[cfg(any(feature = "postgres", feature = "mysql"))]
    const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

    #[cfg(feature = "postgres")]
    pub async fn ensure_postgres(
        database: Database,
        url: &str,
        missing: Missing,
    ) -> anyhow::Result<DbState> {
        use sqlx::postgres::PgConnectOptions;

        let options = PgConnectOptions::from_str(url)?;
        let (host, port) = (options.get_host().to_string(), options.get_port());
        if !is_local_host(&host) {
            return Ok(DbState::NotLocal(format!("{host}:{port}")));
        }
        let name = options
            .get_database()
            .unwrap_or(options.get_username())
            .to_string();
        let cause = match connect(options.clone()).await {
            Ok(_) => return Ok(DbState::Exists),
            Err(err) => err,
        };
        // 3D000 invalid_catalog_name: the server answers but lacks the database.
        let is_missing =
            matches!(&cause, sqlx::Error::Database(db) if db.code().as_deref() == Some("3D000"));
        if !is_missing {
            return Err(connect_error(database, &host, port, cause));
        }
        if missing == Missing::Refuse {
            bail!(missing_message(database, &host, port, &name));
        }
        let mut admin = connect(options.database("postgres"))
            .await
            .map_err(|err| connect_error(database, &host, port, err))?;
        admin
            .execute(format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\"")).as_str())
            .await?;
        Ok(DbState::Created)
    }

    #[cfg(feature = "mysql")]
    pub async fn ensure_mysql(url: &str, missing: Missing) -> anyhow::Result<DbState> {
        use sqlx::mysql::{MySqlConnectOptions, MySqlDatabaseError};

        let options = MySqlConnectOptions::from_str(url)?;
        let (host, port) = (options.get_host().to_string(), options.get_port());
        if !is_local_host(&host) {
            return Ok(DbState::NotLocal(format!("{host}:{port}")));
        }
        let Some(name) = options.get_database().map(str::to_string) else {
            bail!(
                "DATABASE_URL names no database (expected mysql://user@{host}:{port}/<database>)"
            );
        };
        let cause = match connect(options.clone()).await {
            Ok(_) => return Ok(DbState::Exists),
            Err(err) => err,
        };
        // 1049 ER_BAD_DB_ERROR: the server answers but lacks the database.
        let is_missing = matches!(&cause, sqlx::Error::Database(db)
            if db.try_downcast_ref::<MySqlDatabaseError>().is_some_and(|e| e.number() == 1049));
        if !is_missing {
            return Err(connect_error(Database::Mysql, &host, port, cause));
        }
        if missing == Missing::Refuse {
            bail!(missing_message(Database::Mysql, &host, port, &name));
        }
        // information_schema is readable by every account, so the login itself succeeds.
        let mut admin = connect(options.database("information_schema"))
            .await
            .map_err(|err| connect_error(Database::Mysql, &host, port, err))?;
        admin
            .execute(
                format!(
                    "CREATE DATABASE IF NOT EXISTS `{}`",
                    name.replace('`', "``")
                )
                .as_str(),
            )
            .await?;
        Ok(DbState::Created)
    }

    #[cfg(any(feature = "postgres", feature = "mysql"))]
    async fn connect<O: ConnectOptions>(options: O) -> Result<O::Connection, sqlx::Error>
    where
        O::Connection: Sized,
    {
        tokio::time::timeout(CONNECT_TIMEOUT, options.connect())
            .await
            .unwrap_or_else(|_| Err(sqlx::Error::PoolTimedOut))
    }

    /// A refused connection names the address and how to start the server; anything else (a wrong
    /// password, say) names the address and the server's own words.
    #[cfg(any(feature = "postgres", feature = "mysql"))]
    fn connect_error(database: Database, host: &str, port: u16, err: sqlx::Error) -> anyhow::Error {
        match err {
            sqlx::Error::Io(io) => {
                anyhow::anyhow!(unreachable_message(database, host, port, &io.to_string()))
            }
            sqlx::Error::PoolTimedOut => {
                anyhow::anyhow!(unreachable_message(
                    database,
                    host,
                    port,
                    "no answer within 10 s"
                ))
            }
            other => anyhow::anyhow!(
                "the {} server at {host}:{port} refused the connection: {other}. Fix DATABASE_URL in frontend/.env (user, password, database)",
                database.name()
            ),
        }
    }

    #[cfg(not(feature = "postgres"))]
    pub async fn ensure_postgres(_: Database, _: &str, _: Missing) -> anyhow::Result<DbState> {
        bail!(missing_feature("postgres"))
    }

    #[cfg(not(feature = "mysql"))]
    pub async fn ensure_mysql(_: &str, _: Missing) -> anyhow::Result<DbState> {
        bail!(missing_feature("mysql"))
    }

    #[cfg(any(not(feature = "postgres"), not(feature = "mysql")))]
    fn missing_feature(family: &str) -> String {
        format!(
            "this xtask was built without its `{family}` feature; run it as `cargo xtask …` from the project (the alias in .cargo/config.toml picks the feature)"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_machine_is_local() {
        assert!(is_local_host("localhost"));
        assert!(is_local_host("127.0.0.1"));
        assert!(is_local_host("/var/run/postgresql"));
        assert!(!is_local_host("db.example.com"));
        assert!(!is_local_host("ep-cool-name.eu-central-1.aws.neon.tech"));
    }

    #[test]
    fn unreachable_server_message_names_address_and_fix() {
        let message =
            unreachable_message(Database::Postgres, "127.0.0.1", 5433, "Connection refused");
        assert!(message.contains("127.0.0.1:5433"), "{message}");
        assert!(
            message.contains("start PostgreSQL") && message.contains("-p 5433:5432"),
            "{message}"
        );
        let message = unreachable_message(Database::Supabase, "127.0.0.1", 54322, "refused");
        assert!(message.contains("supabase start"), "{message}");
    }

    #[test]
    fn sqlite_folder_is_created() {
        let dir = std::env::temp_dir().join(format!("px-db-{}", std::process::id()));
        let state = ensure(Database::Sqlite, "file:./data/auth.db", &dir).unwrap();
        assert_eq!(state, DbState::SqliteFile { exists: false });
        assert!(dir.join("data").is_dir());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
