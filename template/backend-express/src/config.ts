// Reads and validates the environment once at startup, so a misconfiguration is a clear startup error
// instead of a 500 (or a silent 401) at the first request.
import { defaultDatabaseUrl } from "./db/index.ts";
import { LOG_LEVELS, type LogLevel } from "./logger.ts";

export interface Config {
  betterAuthUrl: string;
  jwksUrl: string;
  issuer: string;
  audience: string;
  algorithms: string[];
  jwksMinRefetchMs: number;
  jwksMaxAgeMs: number;
  frontendUrl: string;
  database: DatabaseConfig;
  host: string;
  port: number;
  logLevel: LogLevel;
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
  // The frontend signs iss = aud = the origin of BETTER_AUTH_URL, so "http://localhost:3000/",
  // "HTTP://LOCALHOST:3000" and "http://localhost:3000" all name the same issuer.
  const { origin } = new URL(betterAuthUrl);
  if (origin === "null") throw new ConfigError("BETTER_AUTH_URL must be an http(s) URL, e.g. http://localhost:3000");
  return {
    betterAuthUrl,
    jwksUrl: optionalUrl(env, "JWKS_URL") ?? `${betterAuthUrl.replace(/\/+$/, "")}/api/auth/jwks`,
    issuer: originIfUrl(value(env, "JWT_ISSUER")) ?? origin,
    audience: originIfUrl(value(env, "JWT_AUDIENCE")) ?? origin,
    algorithms: algorithms(value(env, "JWT_ALGORITHMS") ?? "EdDSA"),
    jwksMinRefetchMs: seconds(env, "JWKS_MIN_REFETCH_SECONDS", 5) * 1000,
    jwksMaxAgeMs: seconds(env, "JWKS_MAX_AGE_SECONDS", 600) * 1000,
    frontendUrl: new URL(optionalUrl(env, "FRONTEND_URL") ?? "http://localhost:3000").origin,
    database: {
      url: value(env, "DATABASE_URL") ?? defaultDatabaseUrl,
      authToken: value(env, "DATABASE_AUTH_TOKEN"),
      neonWsProxy: value(env, "NEON_WS_PROXY"),
    },
    host: value(env, "HOST") ?? "127.0.0.1",
    port: port(env),
    logLevel: logLevel(value(env, "LOG_LEVEL") ?? "info"),
  };
}

/** An issuer or audience override: normalised to its origin when it is an http(s) URL, else taken as written. */
function originIfUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || !URL.canParse(raw)) return raw;
  const { origin } = new URL(raw);
  // Non-special schemes (urn:, custom:) have the opaque origin "null": keep those as written.
  return origin === "null" ? raw : origin;
}

function logLevel(raw: string): LogLevel {
  const level = LOG_LEVELS.find((name) => name === raw.toLowerCase());
  if (level === undefined) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}`);
  return level;
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
