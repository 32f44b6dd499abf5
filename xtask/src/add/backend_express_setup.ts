// Better Auth for this API, added by better-auth-v2's `cargo xtask add`.
//
// Bearer JWTs from the Next.js app are verified against its JWKS (token-verifier, with the JWKS cache in
// jwks-cache and the verified-token cache in verified-token-cache). `setupBetterAuth(app)` serves
// GET /api/me ({id, email}) and CORS for FRONTEND_URL only; `requireUser` guards a route of your own, where
// `currentUser(req)` is then the caller. Settings: BETTER_AUTH_URL and FRONTEND_URL in this API's .env or
// the environment (config lists the optional ones). The other files here are the generated Express
// backend's own, so `cargo xtask add` can bring later fixes the same way.
import { readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { Router, type Express, type RequestHandler } from "express";
import { currentUser, requireBearerToken } from "./auth.ts";
import { loadConfig, type Config } from "./config.ts";
import { frontendCors } from "./cors.ts";
import { consoleLogger } from "./logger.ts";
import { meRouter } from "./me.ts";
import { createTokenVerifier } from "./token-verifier.ts";

export { currentUser };
export type { AuthUser } from "./token-verifier.ts";

// The settings Better Auth reads; this API's own (PORT, HOST, DATABASE_URL, LOG_LEVEL, ...) are never read
// here, so their form is the API's business.
const SETTINGS = [
  "BETTER_AUTH_URL",
  "JWKS_URL",
  "JWT_ISSUER",
  "JWT_AUDIENCE",
  "JWT_ALGORITHMS",
  "JWKS_MIN_REFETCH_SECONDS",
  "JWKS_MAX_AGE_SECONDS",
  "FRONTEND_URL",
];

// Every method an API of its own may serve to the browser app.
const CORS_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

export interface SetupOptions {
  /** false when the app has CORS of its own: that one must then allow FRONTEND_URL and the Authorization header. */
  cors?: boolean;
}

let config: Config | undefined;
let verifying: RequestHandler | undefined;

/** CORS for FRONTEND_URL, then GET /api/me behind the token check; a bad setting throws here, at startup. */
export function setupBetterAuth(app: Express, { cors = true }: SetupOptions = {}): void {
  const settings = betterAuthConfig();
  if (cors) app.use(frontendCors(settings.frontendUrl, CORS_METHODS));
  const api = Router();
  // GET (and HEAD) only: a preflight OPTIONS goes on to the app's CORS.
  api.get("/me", requireUser);
  api.use(meRouter());
  app.use("/api", api);
}

/** 401 (or 503) unless the request carries a valid token from the Next.js app; then `currentUser(req)`. */
export const requireUser: RequestHandler = (req, res, next) => {
  if (verifying === undefined) {
    const settings = betterAuthConfig();
    const logger = consoleLogger(settings.logLevel);
    verifying = requireBearerToken(createTokenVerifier(settings, logger), logger);
  }
  return verifying(req, res, next);
};

/** The settings from the environment, then from `.env` in the working folder (the environment wins). */
function betterAuthConfig(): Config {
  if (config === undefined) {
    let file: Record<string, string | undefined> = {};
    try {
      file = parseEnv(readFileSync(".env", "utf8")) as Record<string, string | undefined>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    const env: Record<string, string | undefined> = {};
    for (const name of SETTINGS) env[name] = process.env[name] ?? file[name];
    config = loadConfig(env);
  }
  return config;
}
