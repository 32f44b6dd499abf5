//! PostgreSQL (also Neon and Supabase) through pg_catalog, in the schema Better Auth migrates into:
//! the first one on the search_path.

use anyhow::Context;
use sqlx::Connection;
use sqlx::postgres::PgConnection;

use super::SchemaBuilder;
use crate::project::url::redact;
use crate::verify::schema::LiveSchema;

pub async fn read(url: &str) -> anyhow::Result<LiveSchema> {
    let mut db = PgConnection::connect(url)
        .await
        .with_context(|| connect_hint(url))?;
    let mut schema = SchemaBuilder::default();

    let columns: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text, c.udt_name::text, c.is_nullable::text
         FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
         ORDER BY c.table_name, c.ordinal_position",
    )
    .fetch_all(&mut db)
    .await?;
    for (table, column, udt_name, is_nullable) in columns {
        schema.column(&table, column, udt_name, is_nullable == "YES");
    }

    // confdeltype: a = no action, r = restrict, c = cascade, n = set null, d = set default.
    let keys: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT cl.relname::text, a.attname::text, rt.relname::text, ra.attname::text,
                CASE c.confdeltype WHEN 'c' THEN 'cascade' WHEN 'r' THEN 'restrict' WHEN 'n' THEN 'set null'
                                   WHEN 'd' THEN 'set default' ELSE 'no action' END
         FROM pg_constraint c
         JOIN pg_class cl ON cl.oid = c.conrelid
         JOIN pg_namespace n ON n.oid = cl.relnamespace
         JOIN pg_class rt ON rt.oid = c.confrelid
         CROSS JOIN LATERAL unnest(c.conkey, c.confkey) AS k(col, refcol)
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col
         JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = k.refcol
         WHERE c.contype = 'f' AND n.nspname = current_schema()",
    )
    .fetch_all(&mut db)
    .await?;
    for (table, column, ref_table, ref_column, on_delete) in keys {
        schema.foreign_key(&table, column, ref_table, ref_column, &on_delete);
    }

    // Valid, non-partial indexes, including those behind UNIQUE and PRIMARY KEY constraints.
    let index_columns: Vec<(String, String, bool, String)> = sqlx::query_as(
        "SELECT t.relname::text, i.relname::text, ix.indisunique, a.attname::text
         FROM pg_index ix
         JOIN pg_class t ON t.oid = ix.indrelid
         JOIN pg_class i ON i.oid = ix.indexrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         CROSS JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
         WHERE n.nspname = current_schema() AND ix.indpred IS NULL AND ix.indisvalid
         ORDER BY t.relname, i.relname, k.ord",
    )
    .fetch_all(&mut db)
    .await?;
    for (table, index, unique, column) in index_columns {
        schema.index_column(&table, &index, unique, column);
    }
    db.close().await?;
    Ok(schema.schema)
}

fn connect_hint(url: &str) -> String {
    let mut hint = format!("cannot connect to {}", redact(url));
    if cfg!(not(feature = "tls"))
        && (url.contains("sslmode=require") || url.contains("sslmode=verify"))
    {
        hint.push_str(" (this xtask was built without TLS: run it with `--features postgres,tls`, as the generated alias does for Neon and Supabase)");
    }
    hint
}
