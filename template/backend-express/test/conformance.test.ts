// The shared backend contract: every case of ../conformance/jwt-cases.json (the file the FastAPI and axum suites
// run too) through the real app over HTTP, with the case's JWKS served (or unreachable) and its BETTER_AUTH_URL.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { JSONWebKeySet } from "jose";
import { assertNoLeak } from "./helpers/assertions.ts";
import { startTestApp } from "./helpers/app.ts";
import { JwksServer } from "./helpers/jwks-server.ts";

const CASES_FILE = join(import.meta.dirname, "..", "..", "conformance", "jwt-cases.json");

interface ConformanceCase {
  name: string;
  why: string;
  better_auth_url?: string;
  /** A key of the file's "jwks", or null: the JWKS endpoint is unreachable. */
  jwks: string | null;
  /** The raw Authorization header value, or null: no header. */
  authorization: string | null;
  expect: { status: 200 | 401 | 503; sub?: string; email?: string | null; error?: string };
}

interface ConformanceFile {
  version: number;
  issuer: string;
  audience: string;
  jwks: Record<string, JSONWebKeySet>;
  cases: ConformanceCase[];
}

const contract = JSON.parse(readFileSync(CASES_FILE, "utf8")) as ConformanceFile;

describe(`conformance (${contract.cases.length} cases of conformance/jwt-cases.json)`, () => {
  test("the file is the version this suite reads, and names each case once", () => {
    assert.equal(contract.version, 1);
    assert.ok(contract.cases.length > 0);
    const names = contract.cases.map((c) => c.name);
    assert.equal(new Set(names).size, names.length);
  });

  for (const c of contract.cases) {
    test(`${c.name} → ${c.expect.status}`, async () => {
      const jwks = await JwksServer.start(c.jwks === null ? [] : keysOf(c.jwks));
      const jwksUrl = jwks.url;
      // Unreachable: nothing listens at the URL any more.
      if (c.jwks === null) await jwks.close();
      const app = await startTestApp({ JWKS_URL: jwksUrl, BETTER_AUTH_URL: c.better_auth_url ?? contract.issuer });
      try {
        const headers: Record<string, string> = c.authorization === null ? {} : { authorization: c.authorization };
        const response = await fetch(`${app.url}/api/me`, { headers });
        const text = await response.text();
        assert.equal(response.status, c.expect.status, `${c.why}\nanswer: ${text}`);
        if (c.expect.status === 200) {
          const body = JSON.parse(text) as { id: unknown; email: unknown };
          assert.equal(body.id, c.expect.sub);
          assert.equal(body.email, c.expect.email ?? null);
        }
        if (c.expect.status === 401) {
          const challenge = response.headers.get("www-authenticate") ?? "";
          assert.match(challenge, /^Bearer\b/);
          // Without credentials the bare challenge would do (RFC 6750 §3.1); with them, the error code is required.
          if (c.authorization !== null) assert.ok(challenge.includes(`error="${c.expect.error ?? "invalid_token"}"`), challenge);
        }
        const token = c.authorization?.split(" ").at(-1);
        assertNoLeak(app.logs.join("\n"), { token });
      } finally {
        await app.close();
        if (c.jwks !== null) await jwks.close();
      }
    });
  }
});

function keysOf(setName: string): NonNullable<JSONWebKeySet["keys"]> {
  const set = contract.jwks[setName];
  assert.ok(set, `the file has no JWKS named ${setName}`);
  return set.keys;
}
