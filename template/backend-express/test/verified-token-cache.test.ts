import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfig } from "../src/config.ts";
import { consoleLogger } from "../src/logger.ts";
import { createTokenVerifier, type AuthUser } from "../src/token-verifier.ts";
import { SeenTokens, VerifiedTokenCache } from "../src/verified-token-cache.ts";
import { JwksServer } from "./helpers/jwks-server.ts";
import { mintToken, newSigningKey } from "./helpers/keys.ts";

test("an entry is returned until the token's exp, then dropped", () => {
  const cache = new VerifiedTokenCache<string>();
  cache.set("token", "alice", 2_000, 1_000);
  assert.equal(cache.get("token", 1_999), "alice");
  assert.equal(cache.get("token", 2_000), undefined);
  assert.equal(cache.size, 0);
});

test("the whole token is the key", () => {
  const cache = new VerifiedTokenCache<string>();
  cache.set("a.b.c", "alice", 2_000, 1_000);
  assert.equal(cache.get("a.b.", 1_500), undefined);
  assert.equal(cache.get("a.b.cd", 1_500), undefined);
});

test("an already expired token is not stored", () => {
  const cache = new VerifiedTokenCache<string>();
  cache.set("token", "alice", 1_000, 1_000);
  assert.equal(cache.size, 0);
});

test("bounded: a full cache drops its oldest entry", () => {
  const cache = new VerifiedTokenCache<string>(2);
  cache.set("expiring", "1", 500, 0);
  cache.set("old", "2", 10_000, 0);
  cache.set("new", "3", 10_000, 1_000);
  assert.equal(cache.size, 2);
  assert.equal(cache.get("old", 1_000), "2");
  cache.set("newest", "4", 10_000, 1_000);
  assert.equal(cache.size, 2);
  assert.equal(cache.get("old", 1_000), undefined);
  assert.equal(cache.get("new", 1_000), "3");
  assert.equal(cache.get("newest", 1_000), "4");
});

test("an expired entry behind a live one is never served", () => {
  const cache = new VerifiedTokenCache<string>(10);
  cache.set("long", "1", 10_000, 0);
  cache.set("short", "2", 500, 0);
  assert.equal(cache.get("short", 500), undefined);
  assert.equal(cache.get("long", 500), "1");
});

test("a flood of new tokens keeps the size bounded and the newest tokens", () => {
  const cache = new VerifiedTokenCache<number>(100);
  for (let i = 0; i < 10_000; i++) cache.set(`token-${i}`, i, 10_000, 0);
  assert.equal(cache.size, 100);
  assert.equal(cache.get("token-9899", 0), undefined);
  assert.equal(cache.get("token-9900", 0), 9_900);
  assert.equal(cache.get("token-9999", 0), 9_999);
});

test("a token stored twice takes one place", () => {
  const cache = new VerifiedTokenCache<string>(2);
  cache.set("a", "1", 10_000, 0);
  cache.set("a", "1", 10_000, 0);
  cache.set("b", "2", 10_000, 0);
  assert.equal(cache.get("a", 0), "1");
  assert.equal(cache.get("b", 0), "2");
});

test("after clear() the cache fills up to its bound again", () => {
  const cache = new VerifiedTokenCache<number>(3);
  for (let i = 0; i < 5; i++) cache.set(`old-${i}`, i, 10_000, 0);
  cache.clear();
  for (let i = 0; i < 3; i++) cache.set(`new-${i}`, i, 10_000, 0);
  assert.equal(cache.size, 3);
  assert.equal(cache.get("new-0", 0), 0);
});

// A flood of new tokens must not cost more per token once the cache is full (no scan over dropped entries).
test("inserting into a full cache costs what inserting into a filling one does", () => {
  const size = 20_000;
  const tokens = Array.from({ length: 3 * size }, (_, i) => `token-${i}`);
  const timed = (cache: VerifiedTokenCache<number>, from: number, to: number) => {
    const startedAt = performance.now();
    for (let i = from; i < to; i++) cache.set(tokens[i] as string, i, 10_000, 0);
    return (performance.now() - startedAt) / (to - from);
  };
  timed(new VerifiedTokenCache<number>(size), 0, 3 * size); // compiles both paths before anything is timed
  const filling: number[] = [];
  const full: number[] = [];
  for (let round = 0; round < 5; round++) {
    const cache = new VerifiedTokenCache<number>(size);
    filling.push(timed(cache, 0, size));
    full.push(timed(cache, size, 3 * size));
    assert.equal(cache.size, size);
  }
  // The fastest round of each: a garbage collection or a parallel test slows one round, not all five.
  const [fastestFull, fastestFilling] = [Math.min(...full), Math.min(...filling)];
  assert.ok(
    fastestFull < 4 * fastestFilling,
    `${(fastestFull * 1000).toFixed(2)} µs per insertion when full, ${(fastestFilling * 1000).toFixed(2)} µs when filling`,
  );
});

test("SeenTokens tells a token's second sighting from its first, in a fixed table", () => {
  const seen = new SeenTokens(64);
  assert.equal(seen.seenBefore("header.payload.signature-a"), false);
  assert.equal(seen.seenBefore("header.payload.signature-a"), true);
  assert.equal(seen.seenBefore("header.payload.signature-b"), false);
  // A flood of tokens seen once each keeps nothing but the table.
  for (let i = 0; i < 10_000; i++) seen.seenBefore(`header.payload.${i}`);
  assert.equal(seen.seenBefore("header.payload.9999"), true);
});

test("the verifier caches a token from its second verification on", async () => {
  const key = await newSigningKey();
  const jwks = await JwksServer.start([key.publicJwk]);
  try {
    const config = loadConfig({ BETTER_AUTH_URL: "http://localhost:3000", JWKS_URL: jwks.url });
    const cache = new VerifiedTokenCache<AuthUser>();
    const verify = createTokenVerifier(config, consoleLogger("error"), cache);
    for (let i = 0; i < 20; i++) assert.equal((await verify(await mintToken(key))).ok, true);
    const reused = await mintToken(key);
    assert.equal((await verify(reused)).ok, true);
    assert.equal(cache.size, 0, "tokens verified once are not kept");
    assert.equal((await verify(reused)).ok, true);
    assert.equal(cache.size, 1);
  } finally {
    await jwks.close();
  }
});
