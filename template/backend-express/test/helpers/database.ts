// Which database the tests use: $DATABASE_URL when set (CI points it at PostgreSQL or MariaDB), else the
// project's server database from .env, else (SQLite projects) a throw-away SQLite file.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";

let tempDir: string | undefined;

/** DATABASE_URL plus the driver settings that go with it (Turso's token, a local Neon proxy). */
export function testDatabaseEnv(): Record<string, string | undefined> {
  const file = existsSync(".env") ? parseEnv(readFileSync(".env", "utf8")) : {};
  const setting = (name: string) => process.env[name]?.trim() || file[name]?.trim() || undefined;
  const fromFile = file.DATABASE_URL?.trim();
  // A file: URL in .env is the developer's own database file: leave it alone and use a temporary one.
  const url = process.env.DATABASE_URL?.trim() || (fromFile && !fromFile.startsWith("file:") ? fromFile : temporarySqliteUrl());
  return { DATABASE_URL: url, DATABASE_AUTH_TOKEN: setting("DATABASE_AUTH_TOKEN"), NEON_WS_PROXY: setting("NEON_WS_PROXY") };
}

function temporarySqliteUrl(): string {
  if (!tempDir) {
    tempDir = mkdtempSync(join(tmpdir(), "notes-test-"));
    const dir = tempDir;
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return `file:${join(tempDir, "notes.db")}`;
}
