// Starts the real app on a random port with a test configuration, capturing everything it logs.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { openNotesStore } from "../../src/db/index.ts";
import type { NotesStore } from "../../src/db/store.ts";
import type { Logger } from "../../src/logger.ts";
import { testDatabaseEnv } from "./database.ts";
import { ISSUER } from "./keys.ts";

export const FRONTEND_URL = "http://localhost:3000";

export interface TestApp {
  url: string;
  logs: string[];
  close(): Promise<void>;
}

export async function startTestApp(env: Record<string, string>, storeOverride?: NotesStore): Promise<TestApp> {
  const config = loadConfig({ BETTER_AUTH_URL: ISSUER, FRONTEND_URL, ...testDatabaseEnv(), ...env });
  const store = storeOverride ?? (await openNotesStore(config.database));
  const logs: string[] = [];
  const logger: Logger = {
    warn: (message) => logs.push(message),
    error: (message, error) => logs.push(`${message} ${error instanceof Error ? error.stack : String(error)}`),
  };
  const server: Server = createApp({ config, store, logger }).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    logs,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await store.close();
    },
  };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
