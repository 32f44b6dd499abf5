// Entry point (`npm start`): loads backend/.env, validates the configuration, opens the database, listens.
import { existsSync } from "node:fs";
import { createApp } from "./app.ts";
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { openNotesStore } from "./db/index.ts";

// Variables already in the process environment win over the file (loadEnvFile never overwrites them).
if (existsSync(".env")) process.loadEnvFile(".env");

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`Configuration error: ${error.message}`);
  process.exit(1);
}

const store = await openNotesStore(config.database);
const app = createApp({ config, store });

const server = app.listen(config.port, config.host, (error?: Error) => {
  if (error) {
    console.error(`Cannot listen on ${config.host}:${config.port}: ${error.message}`);
    process.exit(1);
  }
  console.log(`Backend listening on http://${config.host}:${config.port} (tokens from ${config.jwksUrl})`);
});

function shutdown(): void {
  server.close(() => void store.close().finally(() => process.exit(0)));
}
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
