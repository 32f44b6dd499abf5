"use client";

import { isAxiosError } from "axios";
import { type FormEvent, useEffect, useState } from "react";
import { api } from "@/lib/api-interceptor";

type Me = { id: string; email: string | null };
type Note = { id: string; text: string; createdAt: string };

function describe(error: unknown): string {
  if (isAxiosError<{ detail?: string }>(error)) {
    // No response at all: the backend is down, or its CORS settings do not allow this origin.
    if (!error.response) return `The backend at ${api.defaults.baseURL} did not answer (is it running? CORS?)`;
    const detail = error.response.data?.detail;
    return `The backend answered ${error.response.status}${detail ? `: ${detail}` : ""}`;
  }
  return error instanceof Error ? error.message : String(error);
}

// Everything here comes from the separate backend, called with `Authorization: Bearer <jwt>` by the interceptor.
export function BackendNotes() {
  const [me, setMe] = useState<Me | null>(null);
  const [notes, setNotes] = useState<Note[]>([]);
  const [error, setError] = useState<string | null>(null);

  async function run(call: () => Promise<void>) {
    try {
      setError(null);
      await call();
    } catch (cause) {
      setError(describe(cause));
    }
  }

  useEffect(() => {
    // Two requests at once share one token mint.
    void run(async () => {
      const [meResponse, notesResponse] = await Promise.all([api.get<Me>("/api/me"), api.get<Note[]>("/api/notes")]);
      setMe(meResponse.data);
      setNotes(notesResponse.data);
    });
  }, []);

  async function addNote(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const text = String(new FormData(form).get("text")).trim();
    if (!text) return;
    await run(async () => {
      const { data } = await api.post<Note>("/api/notes", { text });
      setNotes((current) => [data, ...current]);
      form.reset();
    });
  }

  async function deleteNote(id: string) {
    await run(async () => {
      await api.delete(`/api/notes/${id}`);
      setNotes((current) => current.filter((note) => note.id !== id));
    });
  }

  return (
    <section>
      <h2>From the backend</h2>
      {error && (
        <p className="error" role="alert" data-testid="api-error">
          {error}
        </p>
      )}
      {me && (
        <dl className="details" data-testid="api-me">
          <dt>User id (token sub)</dt>
          <dd data-testid="me-id">{me.id}</dd>
          <dt>Email (token claim)</dt>
          <dd data-testid="me-email">{me.email}</dd>
        </dl>
      )}
      <form className="inline" onSubmit={addNote} data-testid="note-form">
        <input name="text" placeholder="Write a note" maxLength={1000} required />
        <button type="submit">Add note</button>
      </form>
      <ul className="notes" data-testid="note-list">
        {notes.map((note) => (
          <li key={note.id} data-testid="note-item">
            <span>{note.text}</span>
            <button type="button" className="secondary" onClick={() => deleteNote(note.id)} data-testid="delete-note">
              Delete
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
