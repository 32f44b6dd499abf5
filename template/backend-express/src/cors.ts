// CORS for the browser app: only FRONTEND_URL's origin gets CORS headers (other origins get none at all); the
// token travels in a header, so no credentials (cookies) are allowed. `cargo xtask add` brings this file into
// an existing Express app too.
import cors from "cors";

export function frontendCors(frontendUrl: string, methods = ["GET", "POST", "DELETE", "OPTIONS"]) {
  const corsOptions = {
    origin: frontendUrl,
    methods,
    allowedHeaders: ["Authorization", "Content-Type"],
    credentials: false,
    maxAge: 600,
  };
  return cors((req, callback) => callback(null, req.headers.origin === frontendUrl ? corsOptions : { origin: false }));
}
