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
    // The driver adds the ws:// scheme itself, so accept "host:port" with or without one.
    const proxy = neonWsProxy.replace(/^wss?:\/\//, "").replace(/\/+$/, "");
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
    neonConfig.wsProxy = (host, port) => `${proxy}/v1?address=${host}:${port}`;
  }
  // A connection timeout makes an unreachable database a startup error instead of a hang.
  const pool = new Pool({ connectionString: url, connectionTimeoutMillis: 10_000 });
  return createPgNotesStore(pool as unknown as PgPool);
};
