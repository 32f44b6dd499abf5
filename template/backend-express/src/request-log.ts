// One line per request once its answer is sent (or the client went away): method, path, status, duration.
// The path only: the query string and the headers (the token) are never written.
import type { RequestHandler } from "express";
import type { Logger } from "./logger.ts";

export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const startedAt = performance.now();
    res.once("close", () => {
      const path = req.originalUrl.split("?", 1)[0];
      const ms = (performance.now() - startedAt).toFixed(1);
      logger.info(`${req.method} ${path} ${res.statusCode} ${ms}ms`);
    });
    next();
  };
}
