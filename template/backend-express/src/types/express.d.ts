// The caller that requireBearerToken authenticated, typed on Express's Request (declaration merging).
import type { AuthUser } from "../token-verifier.ts";

declare global {
  namespace Express {
    interface Request {
      /** Set by requireBearerToken on every request it lets through. */
      user?: AuthUser;
    }
  }
}
