// Starts the real app on a random port with a test configuration, capturing everything it logs.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { openNotesStore } from "../../src/db/index.ts";
import type { NotesStore } from "../../src/db/store.ts";
import type { Logger } from "../../src/logger.ts";
import { testDatabaseEnv } from "./database.ts";
import { ISSUER } from "./keys.ts";

export const FRONTEND_URL = "http://localhost:3000";
const MAX_TEST_HEADER_BYTES = 256 * 1024;

export interface TestApp {
  url: string;
  /** Every line the app logged, each prefixed with its level ("debug token refused: ..."). */
  logs: string[];
  close(): Promise<void>;
}

export async function startTestApp(env: Record<string, string>, storeOverride?: NotesStore): Promise<TestApp> {
  const config = loadConfig({ BETTER_AUTH_URL: ISSUER, FRONTEND_URL, ...testDatabaseEnv(), ...env });
  const store = storeOverride ?? (await openNotesStore(config.database));
  const logs: string[] = [];
  const logger: Logger = {
    debug: (message) => logs.push(`debug ${message}`),
    info: (message) => logs.push(`info ${message}`),
    warn: (message) => logs.push(`warn ${message}`),
    error: (message, error) => logs.push(`error ${message} ${error instanceof Error ? error.stack : String(error)}`),
  };
  // Node's default 16 KiB header limit would answer an oversized Authorization header itself (431); raised, so
  // the tests reach the verifier's own limit.
  const server = createServer({ maxHeaderSize: MAX_TEST_HEADER_BYTES }, createApp({ config, store, logger }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
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
