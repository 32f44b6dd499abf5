// Tells whether the current BETTER_AUTH_SECRET still decrypts the JWT plugin's stored private keys.
// Better Auth encrypts each `jwks.privateKey` with the secret; after the secret changes, token issuing
// fails with a 500 until those rows are deleted. Read-only: it decrypts in memory and prints counts.
//
// Run from frontend/:  node scripts/check-jwks-secret.mjs
// Output: { keys: <rows>, undecryptable: <rows the current secret cannot decrypt> }
import { symmetricDecrypt } from "better-auth/crypto";
import { loadAuth, main } from "./load-auth.mjs";

await main(async () => {
  const auth = await loadAuth();
  // The same context the running app builds: its adapter (with modelName overrides) and secrets.
  const context = await auth.$context;
  const rows = await context.adapter.findMany({ model: "jwks" });
  let undecryptable = 0;
  for (const row of rows) {
    const stored = JSON.parse(row.privateKey);
    // With `disablePrivateKeyEncryption` the row holds the plain JWK.
    if (typeof stored === "object" && stored !== null && "kty" in stored) continue;
    try {
      await symmetricDecrypt({ key: context.secretConfig, data: stored });
    } catch {
      undecryptable += 1;
    }
  }
  return { keys: rows.length, undecryptable };
});
