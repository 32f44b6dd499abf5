//! The fix for each problem. `cargo xtask migrate` (Better Auth's migrator) creates missing tables,
//! columns and indexes, but never changes an existing column: types, nullability, foreign keys and
//! UNIQUE on existing columns need a hand fix, spelled out here in the database's own SQL.

use super::schema::ExpectedIndex;
use crate::project::DbFamily;

pub const MIGRATE: &str = "run `cargo xtask migrate`";

/// SQLite cannot alter a column's constraints in place.
const SQLITE_REBUILD: &str = "SQLite cannot change an existing column: rebuild the table \
(https://www.sqlite.org/lang_altertable.html#otheralter), or in development delete the database file and run `cargo xtask migrate`";

pub fn quote(dialect: DbFamily, name: &str) -> String {
    match dialect {
        DbFamily::Mysql => format!("`{name}`"),
        DbFamily::Sqlite | DbFamily::Postgres => format!("\"{name}\""),
    }
}

pub fn wrong_type(dialect: DbFamily, table: &str, column: &str, suggested: &str) -> String {
    let (t, c) = (quote(dialect, table), quote(dialect, column));
    match dialect {
        DbFamily::Sqlite => SQLITE_REBUILD.to_string(),
        DbFamily::Postgres => format!(
            "change it by hand: ALTER TABLE {t} ALTER COLUMN {c} TYPE {suggested} USING {c}::{suggested};"
        ),
        DbFamily::Mysql => format!("change it by hand: ALTER TABLE {t} MODIFY {c} {suggested};"),
    }
}

/// `not_null`: what the column should become. `data_type` is the column's current type (MySQL restates it).
pub fn nullability(
    dialect: DbFamily,
    table: &str,
    column: &str,
    data_type: &str,
    not_null: bool,
) -> String {
    let (t, c) = (quote(dialect, table), quote(dialect, column));
    match (dialect, not_null) {
        (DbFamily::Sqlite, _) => SQLITE_REBUILD.to_string(),
        (DbFamily::Postgres, true) => {
            format!("fill the empty rows, then: ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL;")
        }
        (DbFamily::Postgres, false) => format!("ALTER TABLE {t} ALTER COLUMN {c} DROP NOT NULL;"),
        (DbFamily::Mysql, true) => {
            format!("fill the empty rows, then: ALTER TABLE {t} MODIFY {c} {data_type} NOT NULL;")
        }
        (DbFamily::Mysql, false) => format!("ALTER TABLE {t} MODIFY {c} {data_type} NULL;"),
    }
}

pub fn add_foreign_key(
    dialect: DbFamily,
    table: &str,
    column: &str,
    ref_table: &str,
    ref_column: &str,
    on_delete: &str,
) -> String {
    match dialect {
        DbFamily::Sqlite => SQLITE_REBUILD.to_string(),
        DbFamily::Postgres | DbFamily::Mysql => format!(
            "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE {};",
            quote(dialect, table),
            quote(dialect, &format!("{table}_{column}_fkey")),
            quote(dialect, column),
            quote(dialect, ref_table),
            quote(dialect, ref_column),
            on_delete.to_ascii_uppercase()
        ),
    }
}

pub fn replace_foreign_key(dialect: DbFamily, add: String) -> String {
    match dialect {
        DbFamily::Sqlite => add,
        DbFamily::Postgres | DbFamily::Mysql => {
            format!("drop the existing foreign key constraint, then: {add}")
        }
    }
}

pub fn add_unique(dialect: DbFamily, table: &str, column: &str) -> String {
    format!(
        "remove duplicate values, then: CREATE UNIQUE INDEX {} ON {} ({});",
        quote(dialect, &format!("{table}_{column}_uidx")),
        quote(dialect, table),
        quote(dialect, column)
    )
}

/// The statement that creates a missing index, as Better Auth's migrator would.
pub fn create_index(dialect: DbFamily, table: &str, index: &ExpectedIndex) -> String {
    let columns = index
        .columns
        .iter()
        .map(|c| quote(dialect, c))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "CREATE {}INDEX {} ON {} ({columns})",
        if index.unique { "UNIQUE " } else { "" },
        quote(dialect, &index.name),
        quote(dialect, table)
    )
}

pub fn replace_index(dialect: DbFamily, table: &str, name: &str) -> String {
    let drop = match dialect {
        DbFamily::Mysql => format!(
            "DROP INDEX {} ON {};",
            quote(dialect, name),
            quote(dialect, table)
        ),
        DbFamily::Sqlite | DbFamily::Postgres => format!("DROP INDEX {};", quote(dialect, name)),
    };
    format!("{drop} then {MIGRATE}")
}
