// Turso / libSQL: a local `file:` database in development, `libsql://…` plus DATABASE_AUTH_TOKEN in production.
import { createClient } from "@libsql/client";
import type { NotesStore, OpenNotesStore } from "./store.ts";
import { CREATE_NOTE_INDEX, CREATE_NOTE_TABLE, DELETE_NOTE, INSERT_NOTE, SELECT_NOTES, type NoteRow } from "./sqlite-sql.ts";

export const defaultDatabaseUrl = "file:./notes.db";

export const openNotesStore: OpenNotesStore = async ({ url, authToken }) => {
  const client = createClient({ url, authToken });
  await client.batch([CREATE_NOTE_TABLE, CREATE_NOTE_INDEX], "write");
  const store: NotesStore = {
    async list(userId) {
      const result = await client.execute({ sql: SELECT_NOTES, args: [userId] });
      const rows = result.rows as unknown as NoteRow[];
      return rows.map((row) => ({ id: row.id, text: row.text, createdAt: new Date(row.created_at) }));
    },
    async insert(userId, note) {
      await client.execute({ sql: INSERT_NOTE, args: [note.id, userId, note.text, note.createdAt.toISOString()] });
    },
    async remove(userId, noteId) {
      const result = await client.execute({ sql: DELETE_NOTE, args: [noteId, userId] });
      return result.rowsAffected > 0;
    },
    async close() {
      client.close();
    },
  };
  return store;
};
