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
    const { status, detail } = clientError(error) ?? { status: 500, detail: "internal server error" };
    if (status === 500) logger.error("unhandled error while serving a request:", error);
    res.status(status).json({ detail });
  };
}

/** Errors caused by the request itself (body-parser's), with a fixed message instead of the library's. */
function clientError(error: unknown): { status: number; detail: string } | undefined {
  const { type, status } = (error ?? {}) as { type?: unknown; status?: unknown };
  if (type === "entity.parse.failed") return { status: 400, detail: "request body is not valid JSON" };
  if (type === "entity.too.large") return { status: 400, detail: "request body is too large" };
  if (typeof status === "number" && status >= 400 && status < 500) return { status, detail: "bad request" };
  return undefined;
}
