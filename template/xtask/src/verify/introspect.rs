//! Reads the live schema with sqlx, one module per database family, each behind its cargo feature
//! (a generated project compiles only its own driver).

#[cfg(feature = "mysql")]
mod mysql;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::time::Duration;

use anyhow::{Context, bail};

use super::schema::{LiveColumn, LiveForeignKey, LiveIndex, LiveSchema, LiveTable};
use super::target::Target;

/// A database that does not answer within this is reported, not waited for.
const TIMEOUT: Duration = Duration::from_secs(15);

pub fn read(target: &Target) -> anyhow::Result<LiveSchema> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        tokio::time::timeout(TIMEOUT, read_async(target))
            .await
            .with_context(|| {
                format!(
                    "{} did not answer within {}s",
                    target.describe(),
                    TIMEOUT.as_secs()
                )
            })?
    })
}

/// Runs DDL statements, in order, on the target (writable, unlike `read`).
pub fn execute(target: &Target, statements: &[String]) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        tokio::time::timeout(TIMEOUT, execute_async(target, statements))
            .await
            .with_context(|| {
                format!(
                    "{} did not answer within {}s",
                    target.describe(),
                    TIMEOUT.as_secs()
                )
            })?
    })
}

#[cfg_attr(
    not(any(feature = "sqlite", feature = "postgres", feature = "mysql")),
    allow(unused_variables, dead_code)
)]
async fn execute_async(target: &Target, statements: &[String]) -> anyhow::Result<()> {
    use sqlx::{Connection, Executor};

    async fn run<C: Connection>(mut db: C, statements: &[String]) -> anyhow::Result<()>
    where
        for<'c> &'c mut C: Executor<'c>,
    {
        for statement in statements {
            db.execute(statement.as_str())
                .await
                .with_context(|| format!("`{statement}` failed"))?;
        }
        Ok(())
    }
    #[allow(unreachable_patterns)] // the last arm is reachable only when a driver feature is off
    match target {
        #[cfg(feature = "sqlite")]
        Target::SqliteFile(path) => {
            let options = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(false);
            run(
                sqlx::sqlite::SqliteConnection::connect_with(&options).await?,
                statements,
            )
            .await
        }
        #[cfg(feature = "postgres")]
        Target::Postgres(url) => {
            run(
                sqlx::postgres::PgConnection::connect(url).await?,
                statements,
            )
            .await
        }
        #[cfg(feature = "mysql")]
        Target::Mysql(url) => {
            run(
                sqlx::mysql::MySqlConnection::connect(url).await?,
                statements,
            )
            .await
        }
        other => bail!("cannot change {} from here", other.describe()),
    }
}

async fn read_async(target: &Target) -> anyhow::Result<LiveSchema> {
    #[allow(unreachable_patterns)] // the last arm is reachable only when a driver feature is off
    match target {
        #[cfg(feature = "sqlite")]
        Target::SqliteFile(path) => sqlite::read(path).await,
        #[cfg(feature = "postgres")]
        Target::Postgres(url) => postgres::read(url).await,
        #[cfg(feature = "mysql")]
        Target::Mysql(url) => mysql::read(url).await,
        Target::RemoteLibsql(url) => {
            bail!("{url} is a remote libSQL database, which sqlx cannot read")
        }
        other => bail!(
            "this xtask was built without the `{}` feature, but DATABASE_URL points at {}: check DATABASE_URL in \
             frontend/.env against better-auth.toml, or build with `--features {0}`",
            other.kind(),
            other.describe()
        ),
    }
}

/// Collects introspection rows (in any order) into a `LiveSchema`.
#[derive(Default)]
struct SchemaBuilder {
    schema: LiveSchema,
}

#[cfg_attr(
    not(any(feature = "sqlite", feature = "postgres", feature = "mysql")),
    allow(dead_code)
)]
impl SchemaBuilder {
    fn table(&mut self, name: &str) -> &mut LiveTable {
        if let Some(index) = self.schema.tables.iter().position(|t| t.name == name) {
            return &mut self.schema.tables[index];
        }
        self.schema.tables.push(LiveTable {
            name: name.to_string(),
            ..LiveTable::default()
        });
        self.schema.tables.last_mut().expect("just pushed")
    }

    fn column(&mut self, table: &str, name: String, data_type: String, nullable: bool) {
        self.table(table).columns.push(LiveColumn {
            name,
            data_type,
            nullable,
        });
    }

    fn foreign_key(
        &mut self,
        table: &str,
        column: String,
        ref_table: String,
        ref_column: String,
        on_delete: &str,
    ) {
        let on_delete = on_delete.to_ascii_lowercase();
        self.table(table).foreign_keys.push(LiveForeignKey {
            column,
            ref_table,
            ref_column,
            on_delete,
        });
    }

    /// Call once per indexed column, in column order.
    fn index_column(&mut self, table: &str, index: &str, unique: bool, column: String) {
        let indexes = &mut self.table(table).indexes;
        match indexes.iter_mut().find(|i| i.name == index) {
            Some(existing) => existing.columns.push(column),
            None => indexes.push(LiveIndex {
                name: index.to_string(),
                columns: vec![column],
                unique,
            }),
        }
    }
}
