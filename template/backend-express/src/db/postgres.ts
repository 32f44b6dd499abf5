// PostgreSQL (and Supabase, which is PostgreSQL) through node-postgres.
import pg from "pg";
import { createPgNotesStore } from "./pg-store.ts";
import type { OpenNotesStore } from "./store.ts";

export const defaultDatabaseUrl = "postgresql://postgres@127.0.0.1:5432/better_auth";

export const openNotesStore: OpenNotesStore = async ({ url }) => {
  // A connection timeout makes an unreachable database a startup error instead of a hang.
  return createPgNotesStore(new pg.Pool({ connectionString: url, connectionTimeoutMillis: 10_000 }));
};
