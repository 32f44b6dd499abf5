// Reads and validates the environment once at startup, so a misconfiguration is a clear startup error
// instead of a 500 (or a silent 401) at the first request.
import { defaultDatabaseUrl } from "./db/index.ts";

export interface Config {
  betterAuthUrl: string;
  jwksUrl: string;
  issuer: string;
  audience: string;
  algorithms: string[];
  jwksMinRefetchMs: number;
  frontendUrl: string;
  database: DatabaseConfig;
  host: string;
  port: number;
}

export interface DatabaseConfig {
  url: string;
  /** Turso only: the token for a remote libsql:// database. */
  authToken: string | undefined;
  /** Neon only: host:port of a local WebSocket-to-TCP proxy (development against a local PostgreSQL). */
  neonWsProxy: string | undefined;
}

export class ConfigError extends Error {}

// The asymmetric algorithms Better Auth's jwt() plugin can sign with. HS* is deliberately absent:
// a shared-secret algorithm would let anyone holding the public JWKS forge tokens.
const SUPPORTED_ALGORITHMS = ["EdDSA", "ES256", "ES512", "PS256", "RS256"];

export function loadConfig(env: Record<string, string | undefined>): Config {
  const betterAuthUrl = requiredUrl(env, "BETTER_AUTH_URL");
  return {
    betterAuthUrl,
    jwksUrl: optionalUrl(env, "JWKS_URL") ?? `${betterAuthUrl.replace(/\/+$/, "")}/api/auth/jwks`,
    // Better Auth signs iss = aud = its base URL unless configured otherwise.
    issuer: value(env, "JWT_ISSUER") ?? betterAuthUrl,
    audience: value(env, "JWT_AUDIENCE") ?? betterAuthUrl,
    algorithms: algorithms(value(env, "JWT_ALGORITHMS") ?? "EdDSA"),
    jwksMinRefetchMs: seconds(env, "JWKS_MIN_REFETCH_SECONDS", 5) * 1000,
    frontendUrl: new URL(optionalUrl(env, "FRONTEND_URL") ?? "http://localhost:3000").origin,
    database: {
      url: value(env, "DATABASE_URL") ?? defaultDatabaseUrl,
      authToken: value(env, "DATABASE_AUTH_TOKEN"),
      neonWsProxy: value(env, "NEON_WS_PROXY"),
    },
    host: value(env, "HOST") ?? "127.0.0.1",
    port: port(env),
  };
}

/** Empty values count as unset, so `KEY=` in .env means "use the default". */
function value(env: Record<string, string | undefined>, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
}

function requiredUrl(env: Record<string, string | undefined>, name: string): string {
  const url = optionalUrl(env, name);
  if (url === undefined) {
    throw new ConfigError(`${name} is not set: set it to the URL of the Next.js app that runs Better Auth (e.g. http://localhost:3000) in backend/.env or the environment`);
  }
  return url;
}

function optionalUrl(env: Record<string, string | undefined>, name: string): string | undefined {
  const raw = value(env, name);
  if (raw !== undefined && !URL.canParse(raw)) throw new ConfigError(`${name} is not a valid URL`);
  return raw;
}

function algorithms(raw: string): string[] {
  const list = raw.split(",").map((alg) => alg.trim()).filter(Boolean);
  const unsupported = list.filter((alg) => !SUPPORTED_ALGORITHMS.includes(alg));
  if (list.length === 0 || unsupported.length > 0) {
    throw new ConfigError(`JWT_ALGORITHMS must be a comma-separated list of ${SUPPORTED_ALGORITHMS.join(", ")}`);
  }
  return list;
}

function seconds(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = value(env, name);
  const parsed = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(parsed) || parsed < 0) throw new ConfigError(`${name} must be a number of seconds >= 0`);
  return parsed;
}

function port(env: Record<string, string | undefined>): number {
  const raw = value(env, "PORT") ?? "8000";
  const parsed = Number(raw);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new ConfigError("PORT must be a port number (0-65535)");
  return parsed;
}
