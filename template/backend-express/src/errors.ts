// Last-resort handlers: every answer is JSON `{ "detail": ... }`, never an HTML page or a stack trace
// (Express's default error page shows the stack whenever NODE_ENV is not "production").
import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "./logger.ts";

export const notFound: RequestHandler = (_req, res) => {
  res.status(404).json({ detail: "not found" });
};

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, _req, res, next) => {
    if (res.headersSent) return next(error);
    // body-parser errors: the client sent something we cannot read.
    const type = (error as { type?: unknown }).type;
    if (type === "entity.parse.failed") return void res.status(400).json({ detail: "request body is not valid JSON" });
    if (type === "entity.too.large") return void res.status(400).json({ detail: "request body is too large" });
    const status = (error as { status?: unknown }).status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      return void res.status(status).json({ detail: "bad request" });
    }
    logger.error("unhandled error while serving a request:", error);
    res.status(500).json({ detail: "internal server error" });
  };
}
