"""The floor for the FastAPI backend: one Ed25519 verification in `cryptography`, the library PyJWT
verifies EdDSA with. Run by `cargo xtask bench --only auth` (bench/src/auth_overhead) with the
backend's own .venv python, pinned to the server's core:

    python floor.py <JWK x> <token> <iterations per batch>

Prints the median over batches of the microseconds one verification takes.
"""

import base64
import statistics
import sys
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def main() -> None:
    x, token, iterations = sys.argv[1], sys.argv[2], int(sys.argv[3])
    key = Ed25519PublicKey.from_public_bytes(b64url(x))
    signing_input, _, signature = token.rpartition(".")
    data, signature = signing_input.encode(), b64url(signature)
    key.verify(signature, data)  # raises if the bench's token does not verify
    batches = []
    for _ in range(7):
        started = time.perf_counter()
        for _ in range(iterations):
            key.verify(signature, data)
        batches.append((time.perf_counter() - started) / iterations * 1e6)
    print(statistics.median(batches))


main()
