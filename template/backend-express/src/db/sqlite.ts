// SQLite through Node's built-in node:sqlite: no native addon to compile, nothing to install.
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import type { NotesStore, OpenNotesStore } from "./store.ts";
import { CREATE_NOTE_INDEX, CREATE_NOTE_TABLE, DELETE_NOTE, INSERT_NOTE, SELECT_NOTES, type NoteRow } from "./sqlite-sql.ts";

export const defaultDatabaseUrl = "file:./notes.db";

export const openNotesStore: OpenNotesStore = async ({ url }) => {
  const db = new DatabaseSync(sqlitePath(url));
  // Waits for a concurrent writer (e.g. a second process during tests) instead of failing with SQLITE_BUSY.
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec(CREATE_NOTE_TABLE);
  db.exec(CREATE_NOTE_INDEX);
  const select = db.prepare(SELECT_NOTES);
  const insert = db.prepare(INSERT_NOTE);
  const remove = db.prepare(DELETE_NOTE);
  const store: NotesStore = {
    async list(userId) {
      const rows = select.all(userId) as unknown as NoteRow[];
      return rows.map((row) => ({ id: row.id, text: row.text, createdAt: new Date(row.created_at) }));
    },
    async insert(userId, note) {
      insert.run(note.id, userId, note.text, note.createdAt.toISOString());
    },
    async remove(userId, noteId) {
      return Number(remove.run(noteId, userId).changes) > 0;
    },
    async close() {
      db.close();
    },
  };
  return store;
};

/** Accepts `file:./notes.db`, `file:///abs/notes.db` or a plain path; relative paths are relative to the working directory. */
function sqlitePath(url: string): string {
  if (url.startsWith("file://")) return fileURLToPath(url);
  return url.startsWith("file:") ? url.slice("file:".length) : url;
}
