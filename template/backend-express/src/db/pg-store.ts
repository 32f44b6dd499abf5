// The notes store over any pg-compatible pool: node-postgres (postgres, supabase) and Neon's serverless
// driver share this code; only how the pool is created differs.
import type { NotesStore } from "./store.ts";

/** The part of a pg `Pool` this store uses (Neon's `Pool` has the same shape). */
export interface PgPool {
  query(sql: string, params?: unknown[]): Promise<{ rows: any[]; rowCount: number | null }>;
  end(): Promise<void>;
}

// Any constant works: it only serialises table creation between processes that start at the same time
// (CREATE TABLE IF NOT EXISTS can still collide on PostgreSQL's catalog otherwise).
const SCHEMA_LOCK_ID = 74_530_001;

export async function createPgNotesStore(pool: PgPool): Promise<NotesStore> {
  await pool.query(`DO $$ BEGIN
    PERFORM pg_advisory_xact_lock(${SCHEMA_LOCK_ID});
    CREATE TABLE IF NOT EXISTS note (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL,
      text TEXT NOT NULL,
      created_at TIMESTAMPTZ NOT NULL
    );
    CREATE INDEX IF NOT EXISTS note_user_id_idx ON note (user_id);
  END $$`);
  return {
    async list(userId) {
      const { rows } = await pool.query(
        "SELECT id, text, created_at FROM note WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
        [userId],
      );
      return rows.map((row) => ({ id: row.id, text: row.text, createdAt: new Date(row.created_at) }));
    },
    async insert(userId, note) {
      await pool.query("INSERT INTO note (id, user_id, text, created_at) VALUES ($1, $2, $3, $4)", [
        note.id,
        userId,
        note.text,
        note.createdAt,
      ]);
    },
    async remove(userId, noteId) {
      const { rowCount } = await pool.query("DELETE FROM note WHERE id = $1 AND user_id = $2", [noteId, userId]);
      return (rowCount ?? 0) > 0;
    },
    async close() {
      await pool.end();
    },
  };
}
