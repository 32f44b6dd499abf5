// CORS: only FRONTEND_URL, only the Authorization and Content-Type headers, no credentials.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { FRONTEND_URL, startTestApp, type TestApp } from "./helpers/app.ts";
import { JwksServer } from "./helpers/jwks-server.ts";

describe("CORS", () => {
  let jwks: JwksServer;
  let app: TestApp;

  before(async () => {
    jwks = await JwksServer.start();
    app = await startTestApp({ JWKS_URL: jwks.url });
  });
  after(async () => {
    // Optional chaining: after() also runs when before() failed (e.g. the database is unreachable).
    await app?.close();
    await jwks?.close();
  });

  const preflight = (origin: string) =>
    fetch(`${app.url}/api/notes`, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type",
      },
    });

  test("preflight from FRONTEND_URL → allowed with Authorization and Content-Type", async () => {
    const response = await preflight(FRONTEND_URL);
    assert.equal(response.status, 204);
    assert.equal(response.headers.get("access-control-allow-origin"), FRONTEND_URL);
    assert.equal(response.headers.get("access-control-allow-headers"), "Authorization,Content-Type");
    assert.equal(response.headers.get("access-control-allow-methods"), "GET,POST,DELETE,OPTIONS");
    assert.equal(response.headers.get("access-control-allow-credentials"), null);
  });

  test("preflight from any other origin → no CORS headers", async () => {
    for (const origin of ["https://evil.example", "http://localhost:3001", "null"]) {
      const response = await preflight(origin);
      assert.equal(response.headers.get("access-control-allow-origin"), null, origin);
      assert.equal(response.headers.get("access-control-allow-headers"), null, origin);
    }
  });

  test("simple request: allow-origin only for FRONTEND_URL", async () => {
    const allowed = await fetch(`${app.url}/health`, { headers: { origin: FRONTEND_URL } });
    assert.equal(allowed.headers.get("access-control-allow-origin"), FRONTEND_URL);
    const other = await fetch(`${app.url}/health`, { headers: { origin: "https://evil.example" } });
    assert.equal(other.headers.get("access-control-allow-origin"), null);
  });
});
