// Neon through its serverless driver (PostgreSQL over WebSockets), the same driver as the frontend.
import { neonConfig, Pool } from "@neondatabase/serverless";
import ws from "ws";
import { createPgNotesStore, type PgPool } from "./pg-store.ts";
import type { OpenNotesStore } from "./store.ts";

export const defaultDatabaseUrl = "postgresql://postgres@127.0.0.1:5432/better_auth";

export const openNotesStore: OpenNotesStore = async ({ url, neonWsProxy }) => {
  neonConfig.webSocketConstructor = ws;
  if (neonWsProxy) {
    // Local development: a plain WebSocket-to-TCP proxy in front of a local PostgreSQL (no TLS, no pipelining),
    // configured only from the environment so production keeps Neon's secure defaults.
    const proxy = neonWsProxy.replace(/\/+$/, "");
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
    neonConfig.wsProxy = (host, port) => `${proxy}/v1?address=${host}:${port}`;
  }
  return createPgNotesStore(new Pool({ connectionString: url }) as unknown as PgPool);
};
