// The floor for the Express backend: one Ed25519 verification in node:crypto (OpenSSL), the crypto
// library under jose on Node. Run by `cargo xtask bench --only auth` (bench/src/auth_overhead) with the
// backend's Node, pinned to the server's core:
//
//     node floor.mjs <JWK x> <token> <iterations per batch>
//
// Prints the median over batches of the microseconds one verification takes.
import { createPublicKey, verify } from "node:crypto";

const [x, token, iterationsText] = process.argv.slice(2);
const iterations = Number(iterationsText);
const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
const dot = token.lastIndexOf(".");
const data = Buffer.from(token.slice(0, dot));
const signature = Buffer.from(token.slice(dot + 1), "base64url");
if (!verify(null, data, key, signature)) throw new Error("the bench's token does not verify");
const batches = [];
for (let batch = 0; batch < 7; batch++) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) verify(null, data, key, signature);
  batches.push(Number(process.hrtime.bigint() - started) / 1000 / iterations);
}
batches.sort((a, b) => a - b);
console.log(batches[3]);
