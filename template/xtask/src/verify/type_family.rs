//! Which column types hold which Better Auth type family, per dialect. Follows the table Better Auth's
//! own migrator uses to decide that a column "has a different type", widened where a hand-written schema
//! is still read correctly (SQLite type affinity, TEXT dates, MariaDB's JSON alias).

use super::schema::TypeFamily;
use crate::project::DbFamily;

/// True when a column declared as `data_type` can hold values of `family` in `dialect`.
pub fn accepts(dialect: DbFamily, family: TypeFamily, data_type: &str) -> bool {
    let base = base_type(data_type);
    match dialect {
        DbFamily::Sqlite => sqlite_accepts(family, data_type),
        DbFamily::Postgres => postgres_types(family).contains(&base.as_str()),
        DbFamily::Mysql => mysql_types(family).contains(&base.as_str()),
    }
}

/// The type Better Auth's migrator creates for `family`: what a hand fix should change a column to.
pub fn suggested(dialect: DbFamily, family: TypeFamily) -> &'static str {
    match (dialect, family) {
        (DbFamily::Sqlite, TypeFamily::String | TypeFamily::Json) => "text",
        (DbFamily::Sqlite, TypeFamily::Number | TypeFamily::Boolean) => "integer",
        (DbFamily::Sqlite, TypeFamily::Date) => "date",
        (DbFamily::Postgres, TypeFamily::String) => "text",
        (DbFamily::Postgres, TypeFamily::Number) => "integer",
        (DbFamily::Postgres, TypeFamily::Boolean) => "boolean",
        (DbFamily::Postgres, TypeFamily::Date) => "timestamptz",
        (DbFamily::Postgres, TypeFamily::Json) => "jsonb",
        (DbFamily::Mysql, TypeFamily::String) => "text (varchar(255) when unique or indexed)",
        (DbFamily::Mysql, TypeFamily::Number) => "integer",
        (DbFamily::Mysql, TypeFamily::Boolean) => "boolean",
        (DbFamily::Mysql, TypeFamily::Date) => "timestamp(3)",
        (DbFamily::Mysql, TypeFamily::Json) => "json",
    }
}

/// `varchar(36)` → `varchar`, `TIMESTAMP(3)` → `timestamp`, `int unsigned` → `int`.
fn base_type(data_type: &str) -> String {
    let lower = data_type.to_ascii_lowercase();
    let head = lower.split('(').next().unwrap_or_default();
    head.split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

fn postgres_types(family: TypeFamily) -> &'static [&'static str] {
    // `udt_name` spellings, as information_schema.columns reports them.
    match family {
        TypeFamily::String => &["text", "varchar", "bpchar", "uuid", "citext"],
        TypeFamily::Number => &["int2", "int4", "int8", "numeric", "float4", "float8"],
        TypeFamily::Boolean => &["bool"],
        TypeFamily::Date => &["timestamptz", "timestamp", "date"],
        TypeFamily::Json => &["json", "jsonb"],
    }
}

fn mysql_types(family: TypeFamily) -> &'static [&'static str] {
    match family {
        TypeFamily::String => &[
            "varchar",
            "char",
            "text",
            "tinytext",
            "mediumtext",
            "longtext",
            "uuid",
        ],
        TypeFamily::Number => &[
            "int",
            "integer",
            "bigint",
            "smallint",
            "mediumint",
            "decimal",
            "float",
            "double",
        ],
        // `boolean` is an alias MySQL stores as tinyint(1).
        TypeFamily::Boolean => &["tinyint", "boolean", "bool", "bit"],
        TypeFamily::Date => &["timestamp", "datetime", "date"],
        // MariaDB reports its JSON type as longtext.
        TypeFamily::Json => &["json", "longtext"],
    }
}

/// SQLite stores any value in any column; what matters is the declared type's affinity
/// (https://www.sqlite.org/datatype3.html#determination_of_column_affinity).
fn sqlite_accepts(family: TypeFamily, data_type: &str) -> bool {
    let affinity = sqlite_affinity(data_type);
    match family {
        TypeFamily::String | TypeFamily::Json => affinity == Affinity::Text,
        TypeFamily::Number => matches!(
            affinity,
            Affinity::Integer | Affinity::Real | Affinity::Numeric
        ),
        // Booleans are stored as 0/1; `boolean` has NUMERIC affinity.
        TypeFamily::Boolean => matches!(affinity, Affinity::Integer | Affinity::Numeric),
        // Better Auth's `date` (NUMERIC affinity) holds ISO text or epoch numbers; TEXT and INTEGER work too.
        TypeFamily::Date => matches!(
            affinity,
            Affinity::Numeric | Affinity::Integer | Affinity::Text
        ),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Affinity {
    Integer,
    Text,
    Blob,
    Real,
    Numeric,
}

fn sqlite_affinity(data_type: &str) -> Affinity {
    let upper = data_type.to_ascii_uppercase();
    if upper.contains("INT") {
        Affinity::Integer
    } else if ["CHAR", "CLOB", "TEXT"].iter().any(|t| upper.contains(t)) {
        Affinity::Text
    } else if upper.contains("BLOB") || upper.trim().is_empty() {
        Affinity::Blob
    } else if ["REAL", "FLOA", "DOUB"].iter().any(|t| upper.contains(t)) {
        Affinity::Real
    } else {
        Affinity::Numeric
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_better_auth_creates_are_accepted() {
        use TypeFamily::*;
        for (dialect, family, data_type) in [
            (DbFamily::Sqlite, String, "text"),
            (DbFamily::Sqlite, Boolean, "integer"),
            (DbFamily::Sqlite, Date, "date"),
            (DbFamily::Postgres, String, "text"),
            (DbFamily::Postgres, Boolean, "bool"),
            (DbFamily::Postgres, Date, "timestamptz"),
            (DbFamily::Mysql, String, "varchar(36)"),
            (DbFamily::Mysql, String, "text"),
            (DbFamily::Mysql, Boolean, "tinyint(1)"),
            (DbFamily::Mysql, Date, "timestamp(3)"),
        ] {
            assert!(
                accepts(dialect, family, data_type),
                "{dialect:?} {family:?} {data_type}"
            );
        }
    }

    #[test]
    fn wrong_families_are_refused() {
        assert!(!accepts(DbFamily::Postgres, TypeFamily::Boolean, "text"));
        assert!(!accepts(DbFamily::Postgres, TypeFamily::Date, "int8"));
        assert!(!accepts(DbFamily::Mysql, TypeFamily::Date, "varchar(255)"));
        assert!(!accepts(DbFamily::Sqlite, TypeFamily::String, "integer"));
        assert!(!accepts(DbFamily::Sqlite, TypeFamily::Boolean, "text"));
    }

    #[test]
    fn sqlite_reads_declared_types_by_affinity() {
        assert!(accepts(
            DbFamily::Sqlite,
            TypeFamily::String,
            "VARCHAR(255)"
        ));
        assert!(accepts(DbFamily::Sqlite, TypeFamily::Boolean, "BOOLEAN"));
        assert!(accepts(DbFamily::Sqlite, TypeFamily::Date, "DATETIME"));
        assert!(!accepts(DbFamily::Sqlite, TypeFamily::Number, "BLOB"));
    }
}
