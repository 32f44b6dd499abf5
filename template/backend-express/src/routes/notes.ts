// The user-scoped resource: every query is filtered by the token's subject, so a user can neither list nor
// delete someone else's notes (a foreign note answers 404, exactly like a missing one: no existence oracle).
import { randomUUID } from "node:crypto";
import express, { Router } from "express";
import { currentUser } from "../auth.ts";
import type { Note, NotesStore } from "../db/store.ts";

const MAX_TEXT_CHARS = 1000;

export function notesRouter(store: NotesStore): Router {
  const router = Router();

  router.get("/notes", async (req, res) => {
    const notes = await store.list(currentUser(req).id);
    res.json(notes.map(toJson));
  });

  // Only this route reads a body.
  router.post("/notes", express.json({ limit: "16kb" }), async (req, res) => {
    const text = noteText(req.body);
    if (text === undefined) {
      res.status(422).json({ detail: `"text" must be a string of 1 to ${MAX_TEXT_CHARS} characters` });
      return;
    }
    const note: Note = { id: randomUUID(), text, createdAt: nextTimestamp() };
    await store.insert(currentUser(req).id, note);
    res.status(201).json(toJson(note));
  });

  router.delete("/notes/:id", async (req, res) => {
    const deleted = await store.remove(currentUser(req).id, req.params.id);
    if (!deleted) {
      res.status(404).json({ detail: "note not found" });
      return;
    }
    res.status(204).end();
  });

  return router;
}

function noteText(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const text = (body as { text?: unknown }).text;
  // Counted in characters (code points), not UTF-16 units, like the Python and Rust backends.
  if (typeof text !== "string" || text.length === 0 || [...text].length > MAX_TEXT_CHARS) return undefined;
  return text;
}

function toJson(note: Note) {
  return { id: note.id, text: note.text, createdAt: note.createdAt.toISOString() };
}

// Strictly increasing millisecond timestamps, so "newest first" is well defined even for notes created
// within the same millisecond (all databases here store milliseconds).
let lastTimestampMs = 0;
function nextTimestamp(): Date {
  lastTimestampMs = Math.max(Date.now(), lastTimestampMs + 1);
  return new Date(lastTimestampMs);
}
