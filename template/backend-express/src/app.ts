// Builds the Express app without listening, so tests can drive it on a random port.
import express, { type Express } from "express";
import { requireBearerToken } from "./auth.ts";
import type { Config } from "./config.ts";
import { frontendCors } from "./cors.ts";
import type { NotesStore } from "./db/store.ts";
import { errorHandler, notFound } from "./errors.ts";
import { consoleLogger, type Logger } from "./logger.ts";
import { requestLog } from "./request-log.ts";
import { healthRouter } from "./routes/health.ts";
import { meRouter } from "./routes/me.ts";
import { notesRouter } from "./routes/notes.ts";
import { createTokenVerifier } from "./token-verifier.ts";

export interface AppDependencies {
  config: Config;
  store: NotesStore;
  logger?: Logger;
}

export function createApp({ config, store, logger = consoleLogger(config.logLevel) }: AppDependencies): Express {
  const app = express();
  app.disable("x-powered-by");
  app.use(requestLog(logger));

  app.use(frontendCors(config.frontendUrl));

  app.use(healthRouter());
  // Authenticated before any body is parsed (the notes router parses its own): an anonymous client gets 401
  // whatever it sends.
  app.use("/api", requireBearerToken(createTokenVerifier(config, logger), logger), meRouter(), notesRouter(store));

  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
