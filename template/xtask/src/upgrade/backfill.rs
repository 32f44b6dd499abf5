//! A required column the target adds to a table that has rows: `auth migrate` refuses it (existing rows have
//! no value), and its `auth generate` says so in a banner. The safe sequence instead: add the column nullable,
//! backfill a value the user gives, then make it NOT NULL, as SQL per dialect.

use anyhow::{Context, bail};

use crate::project::DbFamily;

/// A column the target's CLI refuses to add, with its SQL type and what follows NOT NULL (a reference).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredColumn {
    pub table: String,
    pub column: String,
    pub sql_type: String,
    pub rest: String,
}

const REFUSAL: &str = "Cannot add required column \"";

/// The columns `auth generate`'s banner names (`Cannot add required column "C" to populated table "T"`),
/// each with the type its `alter table … add column` statement gives.
pub fn required_columns(sql: &str) -> anyhow::Result<Vec<RequiredColumn>> {
    let mut columns = Vec::new();
    for line in sql.lines().filter(|l| l.starts_with("--")) {
        let Some((_, tail)) = line.split_once(REFUSAL) else {
            continue;
        };
        let (column, tail) = tail.split_once('"').context("a column name in quotes")?;
        let table = tail
            .strip_prefix(" to populated table \"")
            .and_then(|t| t.split_once('"'))
            .map(|(t, _)| t)
            .with_context(|| format!("no table in `{line}`"))?;
        columns.push(add_column(sql, table, column)?);
    }
    Ok(columns)
}

/// Type and tail of `alter table "T" add column "C" TYPE not null …` (quotes: `"` or MySQL's backtick).
fn add_column(sql: &str, table: &str, column: &str) -> anyhow::Result<RequiredColumn> {
    for q in ['"', '`'] {
        let head = format!("alter table {q}{table}{q} add column {q}{column}{q} ");
        let Some(start) = sql.find(&head) else {
            continue;
        };
        let statement = sql[start + head.len()..]
            .split(';')
            .next()
            .unwrap_or_default();
        let (sql_type, rest) = statement
            .split_once(" not null")
            .with_context(|| format!("`{head}{statement}` has no NOT NULL"))?;
        return Ok(RequiredColumn {
            table: table.into(),
            column: column.into(),
            sql_type: sql_type.trim().into(),
            rest: rest.trim_end().into(),
        });
    }
    bail!("auth generate names {table}.{column} as required but has no statement adding it")
}

/// A string literal for `family` (quotes doubled; MySQL also treats a backslash as an escape).
fn literal(family: DbFamily, value: &str) -> String {
    let value = value.replace('\'', "''");
    match family {
        DbFamily::Mysql => format!("'{}'", value.replace('\\', "\\\\")),
        _ => format!("'{value}'"),
    }
}

/// The statements that add `c` to its populated table safely, existing rows getting `value`.
pub fn safe_sequence(
    family: DbFamily,
    c: &RequiredColumn,
    value: &str,
) -> anyhow::Result<Vec<String>> {
    let v = literal(family, value);
    let (t, col, ty, rest) = (&c.table, &c.column, &c.sql_type, &c.rest);
    Ok(match family {
        DbFamily::Postgres => vec![
            format!(r#"alter table "{t}" add column "{col}" {ty}{rest}"#),
            format!(r#"update "{t}" set "{col}" = {v} where "{col}" is null"#),
            format!(r#"alter table "{t}" alter column "{col}" set not null"#),
        ],
        DbFamily::Mysql => vec![
            format!("alter table `{t}` add column `{col}` {ty} null{rest}"),
            format!("update `{t}` set `{col}` = {v} where `{col}` is null"),
            format!("alter table `{t}` modify column `{col}` {ty} not null"),
        ],
        // SQLite cannot ALTER a column to NOT NULL (short of rebuilding the table, which would have to
        // recreate every index and foreign key that points at it). Adding the column NOT NULL with a
        // DEFAULT does all three steps in one statement: SQLite fills existing rows with the default.
        // With foreign keys on, SQLite refuses a non-NULL default on a REFERENCES column.
        DbFamily::Sqlite if rest.contains("references") => bail!(
            "{t}.{col} references another table, and SQLite refuses a default on such a column; \
             add it by hand (rebuild {t} with the column) and run the upgrade again"
        ),
        DbFamily::Sqlite => {
            vec![format!(
                r#"alter table "{t}" add column "{col}" {ty} not null default {v}"#
            )]
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQLITE: &str = r#"-- -----------------------------------------------------------------------------
-- DO NOT RUN THIS SCRIPT AS IT IS.
-- Applying it to a populated database corrupts the rows it touches:
--
-- Cannot add required column "issuer" to populated table "account": the schema declares no default value, so existing rows have no value to backfill. Add the column as nullable, backfill a correct value for every row, then make it NOT NULL.
-- -----------------------------------------------------------------------------
alter table "account" add column "issuer" text not null;

alter table "jwks" add column "alg" text;"#;

    fn issuer() -> RequiredColumn {
        required_columns(SQLITE).unwrap().remove(0)
    }

    #[test]
    fn finds_the_columns_the_target_cli_refuses() {
        assert_eq!(
            required_columns(SQLITE).unwrap(),
            [RequiredColumn {
                table: "account".into(),
                column: "issuer".into(),
                sql_type: "text".into(),
                rest: String::new(),
            }]
        );
        assert!(
            required_columns("alter table \"jwks\" add column \"alg\" text;")
                .unwrap()
                .is_empty()
        );
        let mysql = "-- Cannot add required column \"issuer\" to populated table \"account\": …\n\
                     alter table `account` add column `issuer` varchar(255) not null references `user` (`id`) on delete cascade;";
        let c = required_columns(mysql).unwrap().remove(0);
        assert_eq!(
            (c.sql_type.as_str(), c.rest.as_str()),
            (
                "varchar(255)",
                " references `user` (`id`) on delete cascade"
            )
        );
    }

    #[test]
    fn postgres_adds_nullable_backfills_then_constrains() {
        assert_eq!(
            safe_sequence(DbFamily::Postgres, &issuer(), "it's").unwrap(),
            [
                r#"alter table "account" add column "issuer" text"#,
                r#"update "account" set "issuer" = 'it''s' where "issuer" is null"#,
                r#"alter table "account" alter column "issuer" set not null"#,
            ]
        );
    }

    #[test]
    fn mysql_adds_nullable_backfills_then_constrains() {
        let c = RequiredColumn {
            sql_type: "varchar(255)".into(),
            ..issuer()
        };
        assert_eq!(
            safe_sequence(DbFamily::Mysql, &c, r"a\b").unwrap(),
            [
                "alter table `account` add column `issuer` varchar(255) null",
                r"update `account` set `issuer` = 'a\\b' where `issuer` is null",
                "alter table `account` modify column `issuer` varchar(255) not null",
            ]
        );
    }

    #[test]
    fn sqlite_adds_with_a_default_or_refuses_a_reference() {
        assert_eq!(
            safe_sequence(DbFamily::Sqlite, &issuer(), "https://a").unwrap(),
            [r#"alter table "account" add column "issuer" text not null default 'https://a'"#]
        );
        let referencing = RequiredColumn {
            rest: r#" references "user" ("id") on delete cascade"#.into(),
            ..issuer()
        };
        let err = safe_sequence(DbFamily::Sqlite, &referencing, "x").unwrap_err();
        assert!(format!("{err}").contains("refuses a default"), "{err}");
    }
}
