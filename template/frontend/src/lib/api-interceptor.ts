// Calls to the separate backend. Every request carries `Authorization: Bearer <jwt>`, where the JWT comes from
// Better Auth (GET /api/auth/token, authenticated by the session cookie) and is reused until shortly before it
// expires, so a page making many backend calls mints one token, not one per call.
import axios, { type AxiosError, type InternalAxiosRequestConfig } from "axios";
import { authClient } from "@/lib/auth-client";

// Mint a fresh token this long before the current one expires, so no request leaves with a token that
// expires on the way (the backend allows 30 s of clock skew; 60 s leaves margin for slow requests).
const REFRESH_BEFORE_EXPIRY_MS = 60_000;

type CachedToken = { token: string; expiresAt: number };

let cached: CachedToken | null = null;
let pendingMint: Promise<CachedToken> | null = null;

/** Reads `exp` from the payload without verifying: the backend verifies, we only need to know when to refresh. */
function expiresAtMs(token: string): number {
  const payload = token.split(".")[1] ?? "";
  const json = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as { exp?: unknown };
  return typeof json.exp === "number" ? json.exp * 1000 : 0;
}

async function mintToken(): Promise<CachedToken> {
  const { data, error } = await authClient.token();
  if (error || !data?.token) {
    throw new Error(error?.status === 401 ? "Not signed in" : `Could not get a token: ${error?.message ?? "no token"}`);
  }
  return { token: data.token, expiresAt: expiresAtMs(data.token) };
}

function startMint(): Promise<CachedToken> {
  const mint: Promise<CachedToken> = mintToken()
    .then((fresh) => {
      // Keep the token only if the session did not change while it was being minted.
      if (pendingMint === mint) cached = fresh;
      return fresh;
    })
    .finally(() => {
      if (pendingMint === mint) pendingMint = null;
    });
  return mint;
}

async function getToken(): Promise<string> {
  if (cached && cached.expiresAt - REFRESH_BEFORE_EXPIRY_MS > Date.now()) return cached.token;
  // Requests that arrive while a mint is under way wait for that same mint.
  pendingMint ??= startMint();
  return (await pendingMint).token;
}

// A token belongs to one session: forget it (and any mint under way) when the user signs in, signs up or
// signs out.
authClient.$store.listen("$sessionSignal", () => {
  cached = null;
  pendingMint = null;
});

// `next build` writes NEXT_PUBLIC_ values into the browser bundle: a build without it has no backend to call.
const backendUrl = process.env.NEXT_PUBLIC_BACKEND_URL;

export const api = axios.create({ baseURL: backendUrl });

api.interceptors.request.use(async (config) => {
  if (!backendUrl) {
    throw new Error("NEXT_PUBLIC_BACKEND_URL was not set when this app was built: set it and run `next build` again");
  }
  config.headers.set("Authorization", `Bearer ${await getToken()}`);
  return config;
});

type RetriableConfig = InternalAxiosRequestConfig & { retried?: boolean };

// A 401 means the backend rejected the token (expired early, key rotated, session ended): mint a new one and
// retry once. A second 401 is the real answer.
api.interceptors.response.use(undefined, async (error: AxiosError) => {
  const config = error.config as RetriableConfig | undefined;
  if (error.response?.status !== 401 || !config || config.retried) throw error;
  config.retried = true;
  // Drop the token only if it is the one that failed: concurrent 401s must not discard a newer token.
  if (cached && config.headers.get("Authorization") === `Bearer ${cached.token}`) cached = null;
  return api(config);
});
