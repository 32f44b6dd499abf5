// MySQL / MariaDB through mysql2. `timezone: "Z"` keeps DATETIME values in UTC both ways.
import mysql from "mysql2/promise";
import type { NotesStore, OpenNotesStore } from "./store.ts";

export const defaultDatabaseUrl = "mysql://root@127.0.0.1:3306/better_auth";

interface NoteRow {
  id: string;
  text: string;
  created_at: Date;
}

export const openNotesStore: OpenNotesStore = async ({ url }) => {
  const pool = mysql.createPool({ uri: url, timezone: "Z" });
  await pool.query(`CREATE TABLE IF NOT EXISTS note (
    id VARCHAR(36) PRIMARY KEY,
    user_id VARCHAR(255) NOT NULL,
    text TEXT NOT NULL,
    created_at DATETIME(3) NOT NULL,
    INDEX note_user_id_idx (user_id)
  )`);
  const store: NotesStore = {
    async list(userId) {
      const [rows] = await pool.query(
        "SELECT id, text, created_at FROM note WHERE user_id = ? ORDER BY created_at DESC, id DESC",
        [userId],
      );
      return (rows as NoteRow[]).map((row) => ({ id: row.id, text: row.text, createdAt: row.created_at }));
    },
    async insert(userId, note) {
      await pool.execute("INSERT INTO note (id, user_id, text, created_at) VALUES (?, ?, ?, ?)", [
        note.id,
        userId,
        note.text,
        note.createdAt,
      ]);
    },
    async remove(userId, noteId) {
      const [result] = await pool.execute("DELETE FROM note WHERE id = ? AND user_id = ?", [noteId, userId]);
      return (result as mysql.ResultSetHeader).affectedRows > 0;
    },
    async close() {
      await pool.end();
    },
  };
  return store;
};
