//! PostgreSQL (also Neon and Supabase). RFC 3339 text goes in as `timestamptz` and comes
//! back formatted the same way, so no date crate is compiled in.

pub const CREATE_SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS note (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS note_user_id_idx ON note (user_id)",
];
pub const INSERT_NOTE: &str =
    "INSERT INTO note (id, user_id, text, created_at) VALUES ($1, $2, $3, $4::timestamptz)";
pub const LIST_NOTES: &str = "SELECT id, text, \
     to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') \
     FROM note WHERE user_id = $1 ORDER BY created_at DESC, id DESC";
pub const DELETE_NOTE: &str = "DELETE FROM note WHERE id = $1 AND user_id = $2";
