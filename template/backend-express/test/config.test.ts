// Configuration: defaults from the contract, and a missing BETTER_AUTH_URL stops the server at startup.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError, loadConfig } from "../src/config.ts";
import { defaultDatabaseUrl } from "../src/db/index.ts";
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

test("issuer and audience are the origin of BETTER_AUTH_URL, however it is written", () => {
  const cases: Array<[string, string]> = [
    ["http://localhost:3000", "http://localhost:3000"],
    ["http://localhost:3000/", "http://localhost:3000"],
    ["HTTP://LOCALHOST:3000/", "http://localhost:3000"],
    ["http://localhost:3000/app/?x=1#y", "http://localhost:3000"],
    ["http://localhost:80/", "http://localhost"],
    ["https://App.Example:443", "https://app.example"],
  ];
  for (const [BETTER_AUTH_URL, origin] of cases) {
    const config = loadConfig({ BETTER_AUTH_URL });
    assert.equal(config.issuer, origin, BETTER_AUTH_URL);
    assert.equal(config.audience, origin, BETTER_AUTH_URL);
  }
});

test("JWT_ISSUER / JWT_AUDIENCE are normalised the same way when they are URLs, else taken as written", () => {
  const urls = loadConfig({ BETTER_AUTH_URL: "http://localhost:3000", JWT_ISSUER: "HTTPS://Issuer.Example/", JWT_AUDIENCE: "https://api.example:443/v1" });
  assert.equal(urls.issuer, "https://issuer.example");
  assert.equal(urls.audience, "https://api.example");
  const names = loadConfig({ BETTER_AUTH_URL: "http://localhost:3000", JWT_ISSUER: "urn:example:issuer", JWT_AUDIENCE: "notes-api" });
  assert.equal(names.issuer, "urn:example:issuer");
  assert.equal(names.audience, "notes-api");
});

test("BETTER_AUTH_URL that is not an http(s) URL → ConfigError", () => {
  for (const BETTER_AUTH_URL of ["localhost:3000", "not a url"]) {
    assert.throws(() => loadConfig({ BETTER_AUTH_URL }), (error: unknown) => error instanceof ConfigError && /BETTER_AUTH_URL/.test(error.message));
  }
});

test("LOG_LEVEL and JWKS_MAX_AGE_SECONDS are read and validated", () => {
  const config = loadConfig({ BETTER_AUTH_URL: "http://localhost:3000", LOG_LEVEL: "DEBUG", JWKS_MAX_AGE_SECONDS: "60" });
  assert.equal(config.logLevel, "debug");
  assert.equal(config.jwksMaxAgeMs, 60_000);
  assert.throws(() => loadConfig({ BETTER_AUTH_URL: "http://localhost:3000", LOG_LEVEL: "verbose" }), /LOG_LEVEL/);
  assert.throws(() => loadConfig({ BETTER_AUTH_URL: "http://localhost:3000", JWKS_MAX_AGE_SECONDS: "soon" }), /JWKS_MAX_AGE_SECONDS/);
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
  const { code, stdout, stderr } = await run(["--no-warnings", SERVER], env, mkdtempSync(join(tmpdir(), "no-env-")));
  const output = stdout + stderr;
  assert.notEqual(code, 0);
  assert.match(output, /BETTER_AUTH_URL/);
  assert.doesNotMatch(output, /\bat .+:\d+:\d+/, "a message, not a stack trace");
});

test("a database that cannot be opened → one line on stderr (no stack, no password), exit code 1", async () => {
  const env = { ...process.env, ...testDatabaseEnv(), BETTER_AUTH_URL: "http://localhost:3000", DATABASE_URL: unopenableDatabaseUrl() };
  const { code, stderr } = await run(["--no-warnings", SERVER], env, mkdtempSync(join(tmpdir(), "bad-db-")));
  assert.equal(code, 1);
  assert.equal(stderr.trimEnd().split("\n").length, 1, stderr);
  assert.match(stderr, /^Cannot open the database: .+DATABASE_URL/);
  assert.doesNotMatch(stderr, /s3cret-pw/);
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

function run(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env, cwd, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A DATABASE_URL this project's driver cannot open: a file in a missing folder, or a server on a closed port. */
function unopenableDatabaseUrl(): string {
  if (defaultDatabaseUrl.startsWith("file:")) return `file:${join(mkdtempSync(join(tmpdir(), "bad-db-")), "missing", "notes.db")}`;
  const url = new URL(defaultDatabaseUrl);
  url.hostname = "127.0.0.1";
  url.port = "1";
  url.password = "s3cret-pw";
  return url.href;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
