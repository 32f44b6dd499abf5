//! MySQL and MariaDB through information_schema, in the URL's database.

use anyhow::Context;
use sqlx::Connection;
use sqlx::mysql::MySqlConnection;

use super::SchemaBuilder;
use crate::project::url::redact;
use crate::verify::schema::LiveSchema;

pub async fn read(url: &str) -> anyhow::Result<LiveSchema> {
    let mut db = MySqlConnection::connect(url)
        .await
        .with_context(|| format!("cannot connect to {}", redact(url)))?;
    let mut schema = SchemaBuilder::default();

    // CONVERT: MySQL 8 reports some information_schema columns in binary collations.
    let columns: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT CONVERT(c.table_name USING utf8mb4), CONVERT(c.column_name USING utf8mb4),
                CONVERT(c.column_type USING utf8mb4), CONVERT(c.is_nullable USING utf8mb4)
         FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = DATABASE() AND t.table_type = 'BASE TABLE'
         ORDER BY c.table_name, c.ordinal_position",
    )
    .fetch_all(&mut db)
    .await?;
    for (table, column, column_type, is_nullable) in columns {
        schema.column(&table, column, column_type, is_nullable == "YES");
    }

    let keys: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT CONVERT(k.table_name USING utf8mb4), CONVERT(k.column_name USING utf8mb4),
                CONVERT(k.referenced_table_name USING utf8mb4), CONVERT(k.referenced_column_name USING utf8mb4),
                CONVERT(r.delete_rule USING utf8mb4)
         FROM information_schema.key_column_usage k
         JOIN information_schema.referential_constraints r
           ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name
          AND r.table_name = k.table_name
         WHERE k.table_schema = DATABASE() AND k.referenced_table_name IS NOT NULL",
    )
    .fetch_all(&mut db)
    .await?;
    for (table, column, ref_table, ref_column, on_delete) in keys {
        schema.foreign_key(&table, column, ref_table, ref_column, &on_delete);
    }

    let index_columns: Vec<(String, String, i64, String)> = sqlx::query_as(
        "SELECT CONVERT(table_name USING utf8mb4), CONVERT(index_name USING utf8mb4), CAST(non_unique AS SIGNED),
                CONVERT(column_name USING utf8mb4)
         FROM information_schema.statistics
         WHERE table_schema = DATABASE() AND column_name IS NOT NULL
         ORDER BY table_name, index_name, seq_in_index",
    )
    .fetch_all(&mut db)
    .await?;
    for (table, index, non_unique, column) in index_columns {
        schema.index_column(&table, &index, non_unique == 0, column);
    }
    db.close().await?;
    Ok(schema.schema)
}
