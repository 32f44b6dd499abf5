// The benchmark's client-side figure: a signed-in page makes many backend calls within one token's lifetime;
// count how many tokens the generated api-interceptor asks Better Auth for (target: 1). Prints one JSON line
// {ok, backendCalls, tokenRequests, notes}; exits non-zero when the page does not work.
//
// usage: node token-reuse.mjs <app origin, e.g. http://localhost:3000> <backend origin> <notes to add>
import { launchChromium } from "./launch.mjs";

const [origin, backendOrigin, notesArg] = process.argv.slice(2);
const notes = Number(notesArg);
if (!origin || !backendOrigin || !Number.isInteger(notes) || notes < 1) {
  console.error("usage: node token-reuse.mjs <app origin> <backend origin> <notes to add>");
  process.exit(2);
}

const browser = await launchChromium();
const page = await browser.newPage();
let tokenRequests = 0;
let backendCalls = 0;
page.on("request", (request) => {
  const url = new URL(request.url());
  if (url.pathname === "/api/auth/token") tokenRequests++;
  // Preflights are the browser's, not the interceptor's: count the calls the page makes.
  if (url.origin === new URL(backendOrigin).origin && request.method() !== "OPTIONS") backendCalls++;
});

try {
  await page.goto(`${origin}/sign-up`);
  await page.fill('input[name="name"]', "Bench User");
  await page.fill('input[name="email"]', `bench-${Date.now()}@example.com`);
  await page.fill('input[name="password"]', "correct-horse-battery-staple");
  await page.click('button[type="submit"]');
  await page.waitForURL("**/dashboard", { timeout: 20000 });
  await page.waitForSelector('[data-testid="api-me"]');
  for (let added = 1; added <= notes; added++) {
    await page.fill('[data-testid="note-form"] input[name="text"]', `note ${added}`);
    await page.click('[data-testid="note-form"] button[type="submit"]');
    await page.waitForFunction(
      (count) => document.querySelectorAll('[data-testid="note-item"]').length === count,
      added,
      { timeout: 20000 },
    );
  }
  console.log(JSON.stringify({ ok: true, backendCalls, tokenRequests, notes }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: String(error), url: page.url(), backendCalls, tokenRequests }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
