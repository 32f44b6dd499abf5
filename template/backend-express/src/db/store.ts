// The one interface the routes use, whatever the database. Each driver module implements it and exports
// `openNotesStore`; db/index.ts re-exports the one this project was generated for.
import type { DatabaseConfig } from "../config.ts";

export interface Note {
  id: string;
  text: string;
  createdAt: Date;
}

export interface NotesStore {
  /** The user's notes, newest first. */
  list(userId: string): Promise<Note[]>;
  insert(userId: string, note: Note): Promise<void>;
  /** Deletes the note only if it belongs to the user; false when there was nothing to delete. */
  remove(userId: string, noteId: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Connects and creates the `note` table if it is missing. */
export type OpenNotesStore = (config: DatabaseConfig) => Promise<NotesStore>;
