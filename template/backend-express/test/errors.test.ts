// An unexpected failure (here: the database) is a bare 500 JSON answer; the details stay in the server log.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { NotesStore } from "../src/db/store.ts";
import { assertNoLeak } from "./helpers/assertions.ts";
import { bearer, startTestApp } from "./helpers/app.ts";
import { JwksServer } from "./helpers/jwks-server.ts";
import { mintToken, newSigningKey } from "./helpers/keys.ts";

const failure = () => Promise.reject(new Error("connection to db-secret-host:5432 refused"));
const brokenStore: NotesStore = { list: failure, insert: failure, remove: failure, close: async () => {} };

test("a database error → 500 {detail} without the error's message or stack", async () => {
  const key = await newSigningKey();
  const jwks = await JwksServer.start([key.publicJwk]);
  const app = await startTestApp({ JWKS_URL: jwks.url }, brokenStore);
  try {
    const response = await fetch(`${app.url}/api/notes`, { headers: bearer(await mintToken(key)) });
    assert.equal(response.status, 500);
    const text = await response.text();
    assert.deepEqual(JSON.parse(text), { detail: "internal server error" });
    assertNoLeak(text, { secrets: ["db-secret-host"] });
    assert.match(app.logs.join("\n"), /db-secret-host/, "the server log keeps the cause");
  } finally {
    await app.close();
    await jwks.close();
  }
});
