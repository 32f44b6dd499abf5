// Loads the app's real Better Auth instance for the xtask's helper scripts (run from frontend/).
// Node >= 22.18 strips the TypeScript types of src/lib/auth.ts by itself (older 22.x: the xtask passes
// --experimental-strip-types); auth.ts imports packages only, so no bundler is needed.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseEnv } from "node:util";

// An app that `cargo xtask add` set up may have no src/ folder: its auth.ts is lib/auth.ts.
export async function loadAuth(path = existsSync("src/lib/auth.ts") ? "src/lib/auth.ts" : "lib/auth.ts") {
  // The same variables the app sees; the process environment wins, as with the `auth` CLI.
  if (existsSync(".env")) {
    for (const [key, value] of Object.entries(parseEnv(readFileSync(".env", "utf8")))) {
      if (process.env[key] === undefined) process.env[key] = value;
    }
  }
  const { auth } = await import(pathToFileURL(resolve(path)).href);
  if (!auth?.options) throw new Error(`${path} does not export \`auth\` (export const auth = betterAuth({...}))`);
  return auth;
}

// Prints `result` as JSON and exits at once: the database pool auth.ts opened must not keep Node alive.
export async function main(work) {
  try {
    process.stdout.write(JSON.stringify(await work()) + "\n");
    process.exit(0);
  } catch (error) {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  }
}
