// Entry point (`npm start`): loads backend/.env, validates the configuration, opens the database, listens.
// Every startup failure is one line on stderr and exit code 1: what is wrong and what to check.
import { existsSync } from "node:fs";
import { createApp } from "./app.ts";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { openNotesStore } from "./db/index.ts";
import type { NotesStore } from "./db/store.ts";
import { consoleLogger } from "./logger.ts";

// Variables already in the process environment win over the file (loadEnvFile never overwrites them).
if (existsSync(".env")) process.loadEnvFile(".env");

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  fail(`Configuration error: ${error.message}`);
}

let store: NotesStore;
try {
  store = await openNotesStore(config.database);
} catch (error) {
  // The driver's message names the cause (refused connection, unknown database, unwritable file); the URL itself
  // is not repeated, since it may hold a password.
  fail(`Cannot open the database: ${describe(error)}. Check DATABASE_URL (backend/.env) and that the database is running.`);
}

const logger = consoleLogger(config.logLevel);
const app = createApp({ config, store, logger });

const server = app.listen(config.port, config.host, (error?: Error) => {
  if (error) fail(`Cannot listen on ${config.host}:${config.port}: ${error.message}`);
  logger.info(`Backend listening on http://${config.host}:${config.port} (tokens from ${config.jwksUrl})`);
});

function shutdown(): void {
  server.close(() => void store.close().finally(() => process.exit(0)));
}
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);

function fail(message: string): never {
  console.error(message.replace(/\s+/g, " "));
  process.exit(1);
}

/** One line for any thrown value; a connection refused on every address (AggregateError) has an empty message. */
function describe(error: unknown): string {
  if (error instanceof AggregateError && error.message === "") return describe(error.errors[0]);
  if (!(error instanceof Error)) return String(error);
  const code = "code" in error && typeof error.code === "string" ? error.code : undefined;
  return (error.message || code || error.name).replace(/\.$/, "");
}
