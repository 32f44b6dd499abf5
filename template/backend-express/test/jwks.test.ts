// The JWKS cache: lazy fetch, refetch on an unknown kid at most once per interval, rotation, outages, floods,
// and the maximum age after which the keys are refetched in the background.
// Each test gets its own JWKS endpoint and app, so fetch counts start at zero.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import { assertRejected } from "./helpers/assertions.ts";
import { bearer, startTestApp, type TestApp } from "./helpers/app.ts";
import { JwksServer } from "./helpers/jwks-server.ts";
import { mintToken, newSigningKey, type SigningKey } from "./helpers/keys.ts";

async function setUp(env: Record<string, string> = {}) {
  const key = await newSigningKey();
  const jwks = await JwksServer.start([key.publicJwk]);
  const app = await startTestApp({ JWKS_URL: jwks.url, ...env }).catch(async (error: unknown) => {
    await jwks.close();
    throw error;
  });
  const send = async (token: string) => ({ token, response: await fetch(`${app.url}/api/me`, { headers: bearer(token) }) });
  const me = async (signer: SigningKey, header: Record<string, unknown> = {}) => send(await mintToken(signer, {}, header));
  const tearDown = async () => {
    await app.close();
    await jwks.close();
  };
  return { key, jwks, app, me, send, tearDown };
}

// Short enough to keep the suite fast, long enough for a loaded CI machine to send two requests within it.
const SHORT_INTERVAL = { JWKS_MIN_REFETCH_SECONDS: "1" };
const afterShortInterval = () => sleep(1100);

function assertOk(response: Response): void {
  assert.equal(response.status, 200);
}

test("the JWKS is fetched lazily, once, and reused", async () => {
  const { jwks, key, me, tearDown } = await setUp();
  try {
    assert.equal(jwks.fetchCount, 0);
    for (let i = 0; i < 5; i++) assertOk((await me(key)).response);
    assert.equal(jwks.fetchCount, 1);
  } finally {
    await tearDown();
  }
});

test("unknown kid → one refetch, still 401; a second unknown kid right after → no fetch", async () => {
  const { jwks, key, app, me, send, tearDown } = await setUp(SHORT_INTERVAL);
  try {
    // Minted up front, so the two unknown-kid requests follow each other within the interval.
    const unknownKidTokens = [await mintToken(await newSigningKey()), await mintToken(await newSigningKey())];
    assertOk((await me(key)).response);
    await afterShortInterval();
    const first = await send(unknownKidTokens[0] as string);
    await assertRejected(first.response, 401, { token: first.token, logs: app.logs });
    assert.equal(jwks.fetchCount, 2);
    const second = await send(unknownKidTokens[1] as string);
    await assertRejected(second.response, 401, { token: second.token, logs: app.logs });
    assert.equal(jwks.fetchCount, 2);
  } finally {
    await tearDown();
  }
});

test("a token with no kid → 401 without fetching", async () => {
  const { jwks, key, app, me, tearDown } = await setUp();
  try {
    const { token, response } = await me(key, { kid: undefined });
    await assertRejected(response, 401, { token, logs: app.logs });
    assert.equal(jwks.fetchCount, 0);
  } finally {
    await tearDown();
  }
});

test("key rotated at the JWKS → the new kid is accepted after one refetch", async () => {
  const { jwks, key, me, tearDown } = await setUp(SHORT_INTERVAL);
  try {
    assertOk((await me(key)).response);
    const rotated = await newSigningKey();
    jwks.keys = [rotated.publicJwk];
    await afterShortInterval();
    assertOk((await me(rotated)).response);
    assert.equal(jwks.fetchCount, 2);
  } finally {
    await tearDown();
  }
});

test("with the default interval, a key published right after a fetch is accepted within 10 s", async () => {
  const { jwks, key, me, tearDown } = await setUp();
  try {
    assertOk((await me(key)).response);
    const rotated = await newSigningKey();
    jwks.keys.push(rotated.publicJwk);
    const publishedAt = Date.now();
    let status = 0;
    while (status !== 200 && Date.now() - publishedAt < 10_000) {
      status = (await me(rotated)).response.status;
      if (status !== 200) await sleep(500);
    }
    assert.equal(status, 200, "new key accepted within 10 s");
    assert.equal(jwks.fetchCount, 2, "exactly one refetch");
  } finally {
    await tearDown();
  }
});

test("JWKS endpoint down with the key cached → 200", async () => {
  const { jwks, key, me, tearDown } = await setUp(SHORT_INTERVAL);
  try {
    assertOk((await me(key)).response);
    jwks.up = false;
    await afterShortInterval();
    // A new token (not in the verified-token cache) signed by the cached key.
    assertOk((await me(key)).response);
  } finally {
    await tearDown();
  }
});

test("JWKS endpoint down and no key cached → 503, then 200 once it is back", async () => {
  const { jwks, key, app, me, tearDown } = await setUp(SHORT_INTERVAL);
  try {
    jwks.up = false;
    const { token, response } = await me(key);
    await assertRejected(response, 503, { token, logs: app.logs });
    jwks.up = true;
    await afterShortInterval();
    assertOk((await me(key)).response);
  } finally {
    await tearDown();
  }
});

test("JWKS endpoint unreachable (nothing listening) → 503", async () => {
  const key = await newSigningKey();
  const closed = await JwksServer.start();
  const url = closed.url;
  await closed.close();
  const app: TestApp = await startTestApp({ JWKS_URL: url });
  try {
    const token = await mintToken(key);
    const response = await fetch(`${app.url}/api/me`, { headers: bearer(token) });
    await assertRejected(response, 503, { token, logs: app.logs });
  } finally {
    await app.close();
  }
});

test("a flood of random kids → at most one JWKS fetch per interval", async () => {
  const { jwks, key, app, tearDown } = await setUp();
  try {
    const flood = async () => {
      const token = await mintToken(key, {}, { kid: randomUUID() });
      const response = await fetch(`${app.url}/api/me`, { headers: bearer(token) });
      await assertRejected(response, 401, { token, logs: app.logs });
    };
    await Promise.all(Array.from({ length: 50 }, flood));
    for (let i = 0; i < 50; i++) await flood();
    assert.equal(jwks.fetchCount, 1);
  } finally {
    await tearDown();
  }
});

test("a flood of random kids while the JWKS is down → 503s and still at most one fetch per interval", async () => {
  const { jwks, key, app, tearDown } = await setUp();
  try {
    jwks.up = false;
    const flood = async () => {
      const token = await mintToken(key, {}, { kid: randomUUID() });
      const response = await fetch(`${app.url}/api/me`, { headers: bearer(token) });
      await assertRejected(response, 503, { token, logs: app.logs });
    };
    await Promise.all(Array.from({ length: 50 }, flood));
    for (let i = 0; i < 50; i++) await flood();
    assert.equal(jwks.fetchCount, 1);
  } finally {
    await tearDown();
  }
});

/** Waits (up to 5 s) until the JWKS endpoint has been asked `count` times: background refetches are not awaited. */
async function fetchCountReaches(jwks: JwksServer, count: number): Promise<void> {
  for (let waited = 0; jwks.fetchCount < count && waited < 5000; waited += 20) await sleep(20);
  assert.equal(jwks.fetchCount, count);
}

const SHORT_MAX_AGE = { JWKS_MAX_AGE_SECONDS: "1", JWKS_MIN_REFETCH_SECONDS: "1" };

test("a key removed from the JWKS stops being trusted after the maximum age, with no unknown kid needed", async () => {
  const { jwks, key, app, me, send, tearDown } = await setUp(SHORT_MAX_AGE);
  try {
    const { token } = await me(key);
    assertOk((await send(token)).response);
    jwks.keys = [(await newSigningKey()).publicJwk];
    await afterShortInterval();
    // The keys are now older than the maximum age: this request starts a background refetch.
    await send(token);
    await fetchCountReaches(jwks, 2);
    // The key set changed, so the verified-token cache was emptied: the token is checked again, and refused.
    const again = await send(token);
    await assertRejected(again.response, 401, { token, logs: app.logs });
    const fresh = await me(key);
    await assertRejected(fresh.response, 401, { token: fresh.token, logs: app.logs });
  } finally {
    await tearDown();
  }
});

test("JWKS endpoint down when the keys reach the maximum age → the cached keys stay trusted", async () => {
  const { jwks, key, me, tearDown } = await setUp(SHORT_MAX_AGE);
  try {
    assertOk((await me(key)).response);
    jwks.up = false;
    await afterShortInterval();
    assertOk((await me(key)).response);
    await fetchCountReaches(jwks, 2);
    assertOk((await me(key)).response);
  } finally {
    await tearDown();
  }
});
