// Bearer-token authentication for /api: reads the Authorization header (never the Better Auth session cookie),
// verifies the token and maps the verdict to HTTP (401 + WWW-Authenticate per RFC 6750, or 503).
import type { Request, RequestHandler, Response } from "express";
import type { Logger } from "./logger.ts";
import type { AuthUser, TokenVerifier } from "./token-verifier.ts";

export function requireBearerToken(verify: TokenVerifier, logger: Logger): RequestHandler {
  return async (req, res, next) => {
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) {
      logger.debug("token refused: no single Bearer token in the Authorization header");
      return rejectToken(res, "missing bearer token");
    }
    const result = await verify(token);
    if (result.ok) {
      req.user = result.user;
      return next();
    }
    logger.debug(`token refused: ${result.detail}`);
    if (result.status === 503) {
      res.set("Retry-After", "5").status(503).json({ detail: result.detail });
      return;
    }
    rejectToken(res, result.detail);
  };
}

/** The caller requireBearerToken authenticated; routes mounted behind it only. */
export function currentUser(req: Request): AuthUser {
  if (req.user === undefined) throw new Error("currentUser() called on a route not behind requireBearerToken");
  return req.user;
}

/** The token of `Bearer <token>`: the scheme in any case (RFC 7235 §2.1), exactly one space-free token. */
function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? "");
  return match?.[1];
}

function rejectToken(res: Response, detail: string): void {
  res.set("WWW-Authenticate", 'Bearer error="invalid_token"').status(401).json({ detail });
}
