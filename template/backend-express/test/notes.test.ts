// Notes are scoped to the token's subject; bad input is a 400/422 with a JSON reason, never a 500.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { bearer, startTestApp, type TestApp } from "./helpers/app.ts";
import { JwksServer } from "./helpers/jwks-server.ts";
import { mintToken, newSigningKey, type SigningKey } from "./helpers/keys.ts";

describe("notes", () => {
  let jwks: JwksServer;
  let app: TestApp;
  let key: SigningKey;
  // Fresh users on every run, so a shared database (CI's PostgreSQL/MariaDB) never mixes runs.
  const alice = `alice-${randomUUID()}`;
  const bob = `bob-${randomUUID()}`;

  before(async () => {
    key = await newSigningKey();
    jwks = await JwksServer.start([key.publicJwk]);
    app = await startTestApp({ JWKS_URL: jwks.url });
  });
  after(async () => {
    // Leave a shared database as we found it.
    for (const user of app ? [alice, bob] : []) {
      for (const note of await list(user)) await call(user, "DELETE", `/api/notes/${note.id}`);
    }
    // Optional chaining: after() also runs when before() failed (e.g. the database is unreachable).
    await app?.close();
    await jwks?.close();
  });

  async function call(user: string, method: string, path: string, body?: string, contentType = "application/json") {
    const headers: Record<string, string> = bearer(await mintToken(key, { sub: user }));
    if (body !== undefined) headers["content-type"] = contentType;
    return fetch(`${app.url}${path}`, { method, headers, body });
  }
  const create = (user: string, text: unknown) => call(user, "POST", "/api/notes", JSON.stringify({ text }));
  const list = async (user: string) => (await (await call(user, "GET", "/api/notes")).json()) as { id: string; text: string }[];

  async function assertBadRequest(response: Response, status: 400 | 422): Promise<void> {
    assert.equal(response.status, status);
    const body = (await response.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ["detail"]);
    assert.equal(typeof body.detail, "string");
  }

  test("GET /health → 200 without a token", async () => {
    const response = await fetch(`${app.url}/health`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: "ok" });
  });

  test("create → 201 with the note; list → the caller's notes, newest first", async () => {
    const created = await create(alice, "first");
    assert.equal(created.status, 201);
    const note = (await created.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(note).sort(), ["createdAt", "id", "text"]);
    assert.equal(note.text, "first");
    assert.ok(!Number.isNaN(Date.parse(note.createdAt as string)));
    assert.equal((await create(alice, "second")).status, 201);
    const notes = await list(alice);
    assert.deepEqual(notes.map((n) => n.text), ["second", "first"]);
    assert.equal(notes[1]?.id, note.id);
    assert.equal((notes[1] as Record<string, unknown> | undefined)?.createdAt, note.createdAt);
  });

  test("another user's note: not listed, and deleting it → 404 (it survives)", async () => {
    const note = (await (await create(alice, "private")).json()) as { id: string };
    assert.ok(!(await list(bob)).some((n) => n.id === note.id));
    const response = await call(bob, "DELETE", `/api/notes/${note.id}`);
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { detail: "note not found" });
    assert.ok((await list(alice)).some((n) => n.id === note.id));
  });

  test("delete own note → 204, then it is gone; a missing note → 404", async () => {
    const note = (await (await create(bob, "temporary")).json()) as { id: string };
    const deleted = await call(bob, "DELETE", `/api/notes/${note.id}`);
    assert.equal(deleted.status, 204);
    assert.equal(await deleted.text(), "");
    assert.ok(!(await list(bob)).some((n) => n.id === note.id));
    assert.equal((await call(bob, "DELETE", `/api/notes/${note.id}`)).status, 404);
    assert.equal((await call(bob, "DELETE", "/api/notes/not-a-uuid")).status, 404);
  });

  test("text of 1000 characters (emoji count as one) → 201; 1001 → 422", async () => {
    assert.equal((await create(alice, "😀".repeat(1000))).status, 201);
    await assertBadRequest(await create(alice, "x".repeat(1001)), 422);
  });

  test("missing, empty or non-string text → 422", async () => {
    await assertBadRequest(await call(alice, "POST", "/api/notes", "{}"), 422);
    await assertBadRequest(await create(alice, ""), 422);
    await assertBadRequest(await create(alice, 42), 422);
    await assertBadRequest(await create(alice, null), 422);
    await assertBadRequest(await call(alice, "POST", "/api/notes", "[]"), 422);
    await assertBadRequest(await call(alice, "POST", "/api/notes", "text=hi", "application/x-www-form-urlencoded"), 422);
  });

  test("invalid JSON or an oversized body → 400 with a JSON reason", async () => {
    await assertBadRequest(await call(alice, "POST", "/api/notes", "{not json"), 400);
    await assertBadRequest(await call(alice, "POST", "/api/notes", '"just a string"'), 400);
    await assertBadRequest(await call(alice, "POST", "/api/notes", JSON.stringify({ text: "x".repeat(100_000) })), 400);
  });

  test("unknown route → 404 JSON", async () => {
    const response = await call(alice, "GET", "/api/nothing-here");
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { detail: "not found" });
  });

  test("the database saw no error worth logging", () => {
    assert.deepEqual(app.logs.filter((line) => /^(warn|error) /.test(line)), []);
  });
});
