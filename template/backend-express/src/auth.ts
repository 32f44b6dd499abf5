// Bearer-token authentication: verifies Better Auth JWTs against the frontend's JWKS.
// Only the Authorization header is read; the Better Auth session cookie is never accepted as a credential.
import type { RequestHandler, Response } from "express";
import { errors, jwtVerify, type JWTPayload } from "jose";
import type { Config } from "./config.ts";
import { JwksCache, KeysUnavailableError } from "./jwks-cache.ts";
import type { Logger } from "./logger.ts";
import { VerifiedTokenCache } from "./verified-token-cache.ts";

export interface AuthUser {
  id: string;
  email: string | null;
}

export type VerifyResult =
  | { ok: true; user: AuthUser }
  | { ok: false; status: 401; detail: string }
  | { ok: false; status: 503; detail: string };

// Tokens whose exp is slightly past are still accepted, to absorb clock skew between the two servers.
const CLOCK_TOLERANCE_SECONDS = 30;

export function createTokenVerifier(config: Config, logger: Logger): (token: string) => Promise<VerifyResult> {
  const jwks = new JwksCache({
    url: config.jwksUrl,
    minRefetchMs: config.jwksMinRefetchMs,
    onFetchError: (message) => logger.warn(message),
  });
  const verified = new VerifiedTokenCache<AuthUser>();

  return async (token) => {
    const cached = verified.get(token);
    if (cached) return { ok: true, user: cached };
    try {
      const { payload } = await jwtVerify(token, jwks.getKey, {
        algorithms: config.algorithms,
        issuer: config.issuer,
        audience: config.audience,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ["exp", "sub"],
      });
      const user = userFrom(payload);
      if (!user) return invalid("token has no subject");
      // exp is required above, so it is a number here; the entry goes when the token expires.
      verified.set(token, user, (payload.exp as number) * 1000);
      return { ok: true, user };
    } catch (error) {
      if (error instanceof KeysUnavailableError) {
        return { ok: false, status: 503, detail: "authentication keys unavailable" };
      }
      return invalid(reasonFor(error));
    }
  };
}

export function requireBearerToken(verify: (token: string) => Promise<VerifyResult>): RequestHandler {
  return async (req, res, next) => {
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) return rejectToken(res, "missing bearer token");
    const result = await verify(token);
    if (result.ok) {
      res.locals.user = result.user;
      return next();
    }
    if (result.status === 503) {
      res.set("Retry-After", "5").status(503).json({ detail: result.detail });
      return;
    }
    rejectToken(res, result.detail);
  };
}

/** The user that requireBearerToken put on the response. */
export function currentUser(res: Response): AuthUser {
  return res.locals.user as AuthUser;
}

function bearerToken(header: string | undefined): string | undefined {
  // The scheme is case-insensitive (RFC 7235); the token itself is one space-free string.
  const match = /^Bearer +(\S+) *$/i.exec(header ?? "");
  return match?.[1];
}

function rejectToken(res: Response, detail: string): void {
  res.set("WWW-Authenticate", 'Bearer error="invalid_token"').status(401).json({ detail });
}

function invalid(detail: string): VerifyResult {
  return { ok: false, status: 401, detail };
}

function userFrom(payload: JWTPayload): AuthUser | undefined {
  if (typeof payload.sub !== "string" || payload.sub === "") return undefined;
  const email = (payload as { email?: unknown }).email;
  return { id: payload.sub, email: typeof email === "string" ? email : null };
}

/** A short, fixed reason: never the token, its claims or the library's message. */
function reasonFor(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "token expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "nbf") return "token not yet valid";
    if (error.reason === "missing") return `token has no "${error.claim}" claim`;
    return `invalid "${error.claim}" claim`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return "token algorithm not allowed";
  if (error instanceof errors.JWKSNoMatchingKey) return "unknown signing key";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "invalid signature";
  return "malformed token";
}
