// SQL shared by the two SQLite drivers (node:sqlite and libSQL/Turso). Timestamps are stored as ISO-8601
// UTC text with milliseconds, which sorts chronologically as plain text.
export const CREATE_NOTE_TABLE = `CREATE TABLE IF NOT EXISTS note (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at TEXT NOT NULL
)`;
export const CREATE_NOTE_INDEX = "CREATE INDEX IF NOT EXISTS note_user_id_idx ON note (user_id)";
export const SELECT_NOTES = "SELECT id, text, created_at FROM note WHERE user_id = ? ORDER BY created_at DESC, id DESC";
export const INSERT_NOTE = "INSERT INTO note (id, user_id, text, created_at) VALUES (?, ?, ?, ?)";
export const DELETE_NOTE = "DELETE FROM note WHERE id = ? AND user_id = ?";

export interface NoteRow {
  id: string;
  text: string;
  created_at: string;
}
