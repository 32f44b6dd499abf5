// Verifies a Better Auth JWT with jose against the cached JWKS: signature, the algorithm allow-list, exp/nbf,
// iss, aud and the presence of exp/iss/aud/sub are jose's checks. This file adds only the rules jose leaves
// optional (see claimPolicyViolation) and remembers tokens it verified more than once.
import { errors, jwtVerify, type JWTHeaderParameters, type JWTPayload, type JWTVerifyOptions } from "jose";
import type { Config } from "./config.ts";
import { JwksCache, KeysUnavailableError, MissingKidError } from "./jwks-cache.ts";
import type { Logger } from "./logger.ts";
import { SeenTokens, VerifiedTokenCache } from "./verified-token-cache.ts";

export interface AuthUser {
  id: string;
  email: string | null;
}

export type VerifyResult =
  | { ok: true; user: AuthUser }
  | { ok: false; status: 401; detail: string }
  | { ok: false; status: 503; detail: string };

export type TokenVerifier = (token: string) => Promise<VerifyResult>;

// Better Auth's tokens are well under 1 KiB; anything longer is refused before it is parsed.
const MAX_TOKEN_LENGTH = 8 * 1024;
// Tokens whose exp (or nbf) is slightly off are still accepted, to absorb clock skew between the two servers.
const CLOCK_TOLERANCE_SECONDS = 30;
// An "iat" further in the future than this was not issued by a server whose clock we share.
const MAX_IAT_SKEW_SECONDS = 60;

export function createTokenVerifier(config: Config, logger: Logger, verified = new VerifiedTokenCache<AuthUser>()): TokenVerifier {
  const seen = new SeenTokens();
  // Bumped whenever the key set changes, so a verification that was in flight meanwhile is not cached.
  let keySetVersion = 0;
  const jwks = new JwksCache({
    url: config.jwksUrl,
    minRefetchMs: config.jwksMinRefetchMs,
    maxAgeMs: config.jwksMaxAgeMs,
    onFetchError: (message) => logger.warn(message),
    // A key removed from the JWKS must not keep its tokens alive through the cache.
    onKeysChanged: () => {
      keySetVersion += 1;
      verified.clear();
    },
  });
  const options: JWTVerifyOptions = {
    algorithms: config.algorithms,
    issuer: config.issuer,
    audience: config.audience,
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    requiredClaims: ["exp", "iss", "aud", "sub"],
  };

  return async (token) => {
    if (token.length > MAX_TOKEN_LENGTH) return invalid("token too long");
    jwks.refreshIfStale();
    const cached = verified.get(token);
    if (cached) return { ok: true, user: cached };
    const version = keySetVersion;
    let header: JWTHeaderParameters;
    let payload: JWTPayload;
    try {
      ({ protectedHeader: header, payload } = await jwtVerify(token, jwks.getKey, options));
    } catch (error) {
      if (error instanceof KeysUnavailableError) return { ok: false, status: 503, detail: "authentication keys unavailable" };
      return invalid(reasonFor(error));
    }
    const user = userUnderClaimPolicy(header, payload);
    if (typeof user === "string") return invalid(user);
    // exp is required and checked by jose, so it is a number here; the entry goes when the token expires.
    if (version === keySetVersion && seen.seenBefore(token)) verified.set(token, user, (payload.exp as number) * 1000);
    return { ok: true, user };
  };
}

/**
 * The caller, or why the token breaks a rule jose leaves to us: no "crit" (we understand no JOSE extension,
 * RFC 7515 §4.1.11), "typ" absent or JWT, a non-empty string "sub", an "iat" not in the future beyond the skew,
 * and an "email" that is a string when present.
 */
function userUnderClaimPolicy(header: JWTHeaderParameters, payload: JWTPayload): AuthUser | string {
  if (header.crit !== undefined) return "unsupported critical header";
  if (header.typ !== undefined && (typeof header.typ !== "string" || header.typ.toLowerCase() !== "jwt")) {
    return 'invalid "typ" header';
  }
  const { sub, iat, email } = payload;
  if (typeof sub !== "string" || sub === "") return 'invalid "sub" claim';
  // jose has checked that iat, when present, is a number.
  if (iat !== undefined && iat > Date.now() / 1000 + MAX_IAT_SKEW_SECONDS) return 'invalid "iat" claim';
  if (email !== undefined && typeof email !== "string") return 'invalid "email" claim';
  return { id: sub, email: email ?? null };
}

function invalid(detail: string): { ok: false; status: 401; detail: string } {
  return { ok: false, status: 401, detail };
}

/** A short, fixed reason: never the token, its claims or the library's message. */
function reasonFor(error: unknown): string {
  if (error instanceof MissingKidError) return "token has no kid";
  if (error instanceof errors.JWTExpired) return "token expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "nbf") return "token not yet valid";
    if (error.reason === "missing") return `token has no "${error.claim}" claim`;
    return `invalid "${error.claim}" claim`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return "token algorithm not allowed";
  if (error instanceof errors.JOSENotSupported) return "unsupported token header";
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSInvalid) return "unknown signing key";
  if (error instanceof errors.JWKSMultipleMatchingKeys) return "ambiguous signing key";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "invalid signature";
  return "malformed token";
}
