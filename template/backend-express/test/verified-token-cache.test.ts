import assert from "node:assert/strict";
import { test } from "node:test";
import { VerifiedTokenCache } from "../src/verified-token-cache.ts";

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

test("bounded: expired entries go first, then the oldest", () => {
  const cache = new VerifiedTokenCache<string>(2);
  cache.set("old", "1", 10_000, 0);
  cache.set("expiring", "2", 500, 0);
  cache.set("new", "3", 10_000, 1_000);
  assert.equal(cache.size, 2);
  assert.equal(cache.get("old", 1_000), "1");
  cache.set("newest", "4", 10_000, 1_000);
  assert.equal(cache.size, 2);
  assert.equal(cache.get("old", 1_000), undefined);
  assert.equal(cache.get("newest", 1_000), "4");
});
