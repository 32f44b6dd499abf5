// Bearer-token authentication: verifies Better Auth JWTs against the frontend's JWKS.
// Only the Authorization header is read; the Better Auth session cookie is never accepted as a credential.
//
// EdDSA (Ed25519, what Better Auth signs with) is verified here, synchronously, with node:crypto and the KeyObjects the
// JWKS cache imported once per fetch: jose verifies through WebCrypto (async, a thread hop and generic work per token),
// which made a never-seen token cost several signature checks' worth of time. Other configured algorithms go to jose.
import { verify as verifySignature, type KeyObject } from "node:crypto";
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
  const eddsaAllowed = config.algorithms.includes("EdDSA");
  const claimRules = { issuer: config.issuer, audience: config.audience };

  return async (token) => {
    const cached = verified.get(token);
    if (cached) return { ok: true, user: cached };
    const parts = token.split(".");
    if (parts.length !== 3) return invalid("malformed token");
    const [headerB64, payloadB64, signatureB64] = parts as [string, string, string];
    const header = decodeJsonObject(headerB64);
    if (header === undefined) return invalid("malformed token");
    if (header.alg === "EdDSA" && eddsaAllowed) {
      // Fast path. No JOSE extension is understood, so any "crit" is refused (RFC 7515 §4.1.11).
      if (header.crit !== undefined) return invalid("malformed token");
      const kid = header.kid;
      if (typeof kid !== "string" || kid === "") return invalid("unknown signing key");
      let keys = jwks.ed25519Keys(kid);
      if (keys === undefined) {
        try {
          keys = await jwks.resolveEd25519Keys(kid);
        } catch (error) {
          if (error instanceof KeysUnavailableError) return unavailable();
          return invalid("unknown signing key");
        }
      }
      const result = verifyEdDSA(headerB64, payloadB64, signatureB64, keys, claimRules);
      if (result.ok) verified.set(token, result.user, result.expMs);
      return result.ok ? { ok: true, user: result.user } : result;
    }
    // Any other algorithm (allowed or not, including "none" and HS*) takes jose's path, which checks it against
    // the allow-list before looking at keys.
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
      if (error instanceof KeysUnavailableError) return unavailable();
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

function invalid(detail: string): { ok: false; status: 401; detail: string } {
  return { ok: false, status: 401, detail };
}

function unavailable(): VerifyResult {
  return { ok: false, status: 503, detail: "authentication keys unavailable" };
}

interface ClaimRules {
  issuer: string;
  audience: string;
}

type EdDSAResult = { ok: true; user: AuthUser; expMs: number } | { ok: false; status: 401; detail: string };

/**
 * Signature, then claims, of a compact JWS whose header already said alg "EdDSA", with the same checks and the same
 * fixed reasons as the jose path: signature over the exact "header.payload" text, then exp (required, a number, not
 * past beyond the leeway), nbf (if present), iss, aud (the audience, or an array containing it) and a non-empty sub.
 */
function verifyEdDSA(
  headerB64: string,
  payloadB64: string,
  signatureB64: string,
  keys: readonly KeyObject[],
  rules: ClaimRules,
): EdDSAResult {
  const signature = decodeBase64url(signatureB64);
  if (signature === undefined) return invalid("malformed token");
  if (signature.length !== 64) return invalid("invalid signature");
  const signingInput = Buffer.from(`${headerB64}.${payloadB64}`, "latin1");
  if (!keys.some((key) => ed25519Verify(signingInput, key, signature))) return invalid("invalid signature");

  const payload = decodeJsonObject(payloadB64);
  if (payload === undefined) return invalid("malformed token");
  // Presence first, in jose's order, then values, then times (so each failure gives the reason it gives today).
  for (const claim of ["iss", "aud", "sub", "exp"]) {
    if (!Object.hasOwn(payload, claim)) return invalid(`token has no "${claim}" claim`);
  }
  if (payload.iss !== rules.issuer) return invalid('invalid "iss" claim');
  const aud = payload.aud;
  if (!(aud === rules.audience || (Array.isArray(aud) && aud.includes(rules.audience)))) {
    return invalid('invalid "aud" claim');
  }
  const now = Math.floor(Date.now() / 1000);
  if (payload.iat !== undefined && typeof payload.iat !== "number") return invalid('invalid "iat" claim');
  const nbf = payload.nbf;
  if (nbf !== undefined && (typeof nbf !== "number" || nbf > now + CLOCK_TOLERANCE_SECONDS)) {
    return invalid("token not yet valid");
  }
  const exp = payload.exp;
  if (typeof exp !== "number") return invalid('invalid "exp" claim');
  if (exp <= now - CLOCK_TOLERANCE_SECONDS) return invalid("token expired");
  const user = userFrom(payload);
  if (!user) return invalid("token has no subject");
  return { ok: true, user, expMs: exp * 1000 };
}

function ed25519Verify(data: Buffer, key: KeyObject, signature: Buffer): boolean {
  try {
    return verifySignature(null, data, key, signature);
  } catch {
    return false;
  }
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const BASE64URL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Strict, unpadded base64url: only the URL-safe alphabet (no "=", "+", "/", whitespace), no impossible length, and
 * no stray bits in the last character, so each byte string has exactly one accepted spelling.
 */
function decodeBase64url(text: string): Buffer | undefined {
  const tail = text.length % 4;
  if (tail === 1 || !BASE64URL.test(text)) return undefined;
  if (tail !== 0) {
    const last = BASE64URL_ALPHABET.indexOf(text[text.length - 1] as string);
    if (last & (tail === 2 ? 0b1111 : 0b11)) return undefined;
  }
  return Buffer.from(text, "base64url");
}

/** A base64url segment holding a UTF-8 JSON object (not an array, not null), or undefined. */
function decodeJsonObject(segment: string): Record<string, unknown> | undefined {
  const bytes = decodeBase64url(segment);
  if (bytes === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(bytes));
  } catch {
    return undefined;
  }
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function userFrom(payload: { sub?: unknown; email?: unknown }): AuthUser | undefined {
  if (typeof payload.sub !== "string" || payload.sub === "") return undefined;
  const email = payload.email;
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
