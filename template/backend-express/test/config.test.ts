// Configuration: defaults from the contract, and a missing BETTER_AUTH_URL stops the server at startup.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../src/config.ts";
import { testDatabaseEnv } from "./helpers/database.ts";

const SERVER = join(import.meta.dirname, "..", "src", "server.ts");

test("defaults follow the contract", () => {
  const config = loadConfig({ BETTER_AUTH_URL: "http://localhost:3000/", DATABASE_URL: "file:x.db" });
  assert.equal(config.jwksUrl, "http://localhost:3000/api/auth/jwks");
  assert.equal(config.issuer, "http://localhost:3000");
  assert.equal(config.audience, "http://localhost:3000");
  assert.equal(config.jwksMaxAgeMs, 600_000);
  assert.equal(config.logLevel, "info");
  assert.deepEqual(config.algorithms, ["EdDSA"]);
  assert.equal(config.jwksMinRefetchMs, 5000);
  assert.equal(config.frontendUrl, "http://localhost:3000");
  assert.equal(config.host, "127.0.0.1");
  assert.equal(config.port, 8000);
});

test("explicit values win; empty values mean the default", () => {
  const config = loadConfig({
    BETTER_AUTH_URL: "http://localhost:3000",
    JWKS_URL: "http://keys.internal/jwks",
    JWT_ISSUER: "https://issuer.example",
    JWT_AUDIENCE: "https://api.example",
    JWT_ALGORITHMS: "EdDSA, ES256",
    JWKS_MIN_REFETCH_SECONDS: "2",
    FRONTEND_URL: "https://app.example",
    HOST: "0.0.0.0",
    PORT: "",
  });
  assert.equal(config.jwksUrl, "http://keys.internal/jwks");
  assert.equal(config.issuer, "https://issuer.example");
  assert.equal(config.audience, "https://api.example");
  assert.deepEqual(config.algorithms, ["EdDSA", "ES256"]);
  assert.equal(config.jwksMinRefetchMs, 2000);
  assert.equal(config.frontendUrl, "https://app.example");
  assert.equal(config.port, 8000);
});

test("missing BETTER_AUTH_URL → a ConfigError naming it", () => {
  assert.throws(() => loadConfig({}), (error: unknown) => error instanceof ConfigError && /BETTER_AUTH_URL/.test(error.message));
  assert.throws(() => loadConfig({ BETTER_AUTH_URL: " " }), /BETTER_AUTH_URL/);
});

test("HS256 or an unknown algorithm in JWT_ALGORITHMS → ConfigError", () => {
  for (const JWT_ALGORITHMS of ["HS256", "EdDSA,none", ","]) {
    assert.throws(() => loadConfig({ BETTER_AUTH_URL: "http://localhost:3000", JWT_ALGORITHMS }), /JWT_ALGORITHMS/);
  }
});

test("the server exits non-zero, naming BETTER_AUTH_URL, when it is missing", async () => {
  const env = { ...process.env };
  delete env.BETTER_AUTH_URL;
  // An empty working directory: no .env to fall back on.
  const { code, output } = await run(["--no-warnings", SERVER], env, mkdtempSync(join(tmpdir(), "no-env-")));
  assert.notEqual(code, 0);
  assert.match(output, /BETTER_AUTH_URL/);
  assert.doesNotMatch(output, /\bat .+:\d+:\d+/, "a message, not a stack trace");
});

test("the server starts and answers /health", async () => {
  const port = await freePort();
  const child = spawn(process.execPath, ["--no-warnings", SERVER], {
    env: { ...process.env, ...testDatabaseEnv(), BETTER_AUTH_URL: "http://localhost:3000", HOST: "127.0.0.1", PORT: String(port) },
    stdio: "pipe",
  });
  try {
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      status = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status, () => 0);
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(status, 200);
  } finally {
    child.kill("SIGTERM");
  }
  const code = await new Promise((resolve) => child.once("exit", resolve));
  assert.equal(code, 0, "SIGTERM shuts down cleanly");
});

function run(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env, cwd, stdio: "pipe" });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.once("exit", (code) => resolve({ code, output }));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
