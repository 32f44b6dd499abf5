//! SQLite (and local libSQL files) through the `pragma_*` table-valued functions.

use std::path::Path;

use anyhow::Context;
use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

use super::SchemaBuilder;
use crate::verify::schema::LiveSchema;

pub async fn read(path: &Path) -> anyhow::Result<LiveSchema> {
    // No file yet is an empty database: every table is reported missing, fixed by `cargo xtask migrate`.
    if !path.is_file() {
        return Ok(LiveSchema::default());
    }
    // Read-only: verifying must never create or change the file.
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .create_if_missing(false);
    let mut db = SqliteConnection::connect_with(&options)
        .await
        .with_context(|| format!("cannot open {}", path.display()))?;
    let mut schema = SchemaBuilder::default();

    let tables: Vec<(String,)> =
        sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .fetch_all(&mut db)
            .await?;
    for (table,) in tables {
        schema.table(&table);
        let columns: Vec<(String, String, i64)> = sqlx::query_as(
            r#"SELECT name, type, "notnull" FROM pragma_table_info(?1) ORDER BY cid"#,
        )
        .bind(&table)
        .fetch_all(&mut db)
        .await?;
        for (name, data_type, not_null) in columns {
            schema.column(&table, name, data_type, not_null == 0);
        }

        let keys: Vec<(String, String, Option<String>, String)> =
            sqlx::query_as(r#"SELECT "from", "table", "to", on_delete FROM pragma_foreign_key_list(?1) ORDER BY id, seq"#)
                .bind(&table)
                .fetch_all(&mut db)
                .await?;
        for (column, ref_table, ref_column, on_delete) in keys {
            // `REFERENCES user` without a column means the primary key, `id` in Better Auth's tables.
            schema.foreign_key(
                &table,
                column,
                ref_table,
                ref_column.unwrap_or_else(|| "id".into()),
                &on_delete,
            );
        }

        let index_columns: Vec<(String, i64, Option<String>)> = sqlx::query_as(
            r#"SELECT il.name, il."unique", ii.name FROM pragma_index_list(?1) AS il
               JOIN pragma_index_info(il.name) AS ii WHERE il.partial = 0 ORDER BY il.name, ii.seqno"#,
        )
        .bind(&table)
        .fetch_all(&mut db)
        .await?;
        for (index, unique, column) in index_columns {
            // Expression indexes have no column name; they cannot stand in for Better Auth's indexes.
            schema.index_column(&table, &index, unique != 0, column.unwrap_or_default());
        }
    }
    db.close().await?;
    Ok(schema.schema)
}
