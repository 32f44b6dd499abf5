// The usual Express + jose setup (jose's createRemoteJWKSet / jwtVerify docs): one remote key set
// created at module scope, `jwtVerify` in a middleware. `cargo xtask bench --only auth` measures it
// beside the generated Express backend, started the same way (`node <file>`, one process):
//
//     JWKS_URL=... JWT_ISSUER=... JWT_AUDIENCE=... HOST=127.0.0.1 PORT=8000 node server.js
import express from "express";
import { createRemoteJWKSet, jwtVerify } from "jose";

const { JWKS_URL, JWT_ISSUER, JWT_AUDIENCE, HOST, PORT } = process.env;

// Created once: it fetches the key set on first use and caches it.
const JWKS = createRemoteJWKSet(new URL(JWKS_URL));

async function requireAuth(req, res, next) {
  const [scheme, token] = (req.headers.authorization ?? "").split(" ");
  if (scheme !== "Bearer" || !token) {
    res.status(401).set("WWW-Authenticate", "Bearer").json({ error: "missing bearer token" });
    return;
  }
  try {
    const { payload } = await jwtVerify(token, JWKS, {
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      algorithms: ["EdDSA"],
      // The same claims the generated backend requires.
      requiredClaims: ["exp", "sub"],
    });
    res.locals.claims = payload;
    next();
  } catch {
    res.status(401).set("WWW-Authenticate", 'Bearer error="invalid_token"').json({ error: "invalid token" });
  }
}

const app = express();
app.disable("x-powered-by");

app.get("/health", (_req, res) => {
  res.json({ status: "ok" });
});

app.use("/api", requireAuth);
app.get("/api/me", (_req, res) => {
  const { sub, email } = res.locals.claims;
  res.json({ id: sub, email: email ?? null });
});

app.listen(Number(PORT), HOST);
