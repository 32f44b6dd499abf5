// Which database the tests use: $DATABASE_URL when set (CI points it at PostgreSQL or MariaDB), else the
// project's server database from .env, else (SQLite projects) a throw-away SQLite file.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";

let tempDir: string | undefined;

export function testDatabaseUrl(): string {
  const fromEnvironment = process.env.DATABASE_URL?.trim();
  if (fromEnvironment) return fromEnvironment;
  const fromFile = existsSync(".env") ? parseEnv(readFileSync(".env", "utf8")).DATABASE_URL?.trim() : undefined;
  // A file: URL in .env is the developer's own database file: leave it alone and use a temporary one.
  if (fromFile && !fromFile.startsWith("file:")) return fromFile;
  if (!tempDir) {
    tempDir = mkdtempSync(join(tmpdir(), "notes-test-"));
    const dir = tempDir;
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return `file:${join(tempDir, "notes.db")}`;
}
