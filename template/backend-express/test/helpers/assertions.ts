// "Rejected, and nothing leaked": the status, the contract's headers and body shape, and no trace of the
// token, its claims or a stack trace in the body or the app's logs.
import assert from "node:assert/strict";

const STACK_TRACE = /\bat .+:\d+:\d+|node:internal|\.ts:\d+/;

export async function assertRejected(
  response: Response,
  status: 401 | 503,
  { token, logs = [], secrets = [] }: { token?: string; logs?: string[]; secrets?: string[] } = {},
): Promise<string> {
  const text = await response.text();
  assert.equal(response.status, status, `expected ${status}, got ${response.status}: ${text}`);
  if (status === 401) assert.equal(response.headers.get("www-authenticate"), 'Bearer error="invalid_token"');
  assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
  const body = JSON.parse(text) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body), ["detail"]);
  assert.equal(typeof body.detail, "string");
  assert.ok((body.detail as string).length <= 80, "detail is a short reason");
  if (status === 503) assert.equal(body.detail, "authentication keys unavailable");
  assertNoLeak([text, ...logs].join("\n"), { token, secrets });
  return body.detail as string;
}

export function assertNoLeak(output: string, { token, secrets = [] }: { token?: string; secrets?: string[] }): void {
  assert.doesNotMatch(output, STACK_TRACE, "no stack trace");
  // The token and each of its parts (header, payload, signature) must not appear.
  const fragments = token ? token.split(".").filter((part) => part.length >= 8) : [];
  for (const fragment of [...fragments, ...secrets]) {
    assert.ok(!output.includes(fragment), "output contains token material or a claim value");
  }
}
