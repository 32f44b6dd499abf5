// The request log's lines are written together once per turn of the event loop (one system call, not one per
// request), in order, and before a warning that follows them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import { consoleLogger } from "../src/logger.ts";

function capturingLogger(level: "debug" | "info") {
  const writes: string[] = [];
  const logger = consoleLogger(level, {
    out: (text) => writes.push(`out:${text}`),
    err: (text) => writes.push(`err:${text}`),
  });
  return { logger, writes };
}

test("the info lines of one turn reach stdout in one write, after the turn", async () => {
  const { logger, writes } = capturingLogger("info");
  logger.info("GET /api/me 200 0.4ms");
  logger.info("GET /health 200 0.1ms");
  logger.debug("not written at info");
  assert.deepEqual(writes, []);
  await nextTurn();
  assert.deepEqual(writes, ["out:GET /api/me 200 0.4ms\nGET /health 200 0.1ms\n"]);
});

test("a warning or an error is written at once, after the lines still pending", async () => {
  const { logger, writes } = capturingLogger("debug");
  logger.debug("token refused: token expired");
  logger.warn("JWKS fetch failed");
  logger.error("unexpected", new Error("boom"));
  assert.equal(writes.length, 3);
  assert.equal(writes[0], "out:token refused: token expired\n");
  assert.equal(writes[1], "err:JWKS fetch failed\n");
  assert.match(writes[2] ?? "", /^err:unexpected Error: boom\n    at /);
  await nextTurn();
  assert.equal(writes.length, 3);
});
