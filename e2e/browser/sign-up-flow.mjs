// The browser case of the e2e run: a person signs up in headless Chromium, lands on the dashboard, sees the
// backend's data for that user (separate) or the session's (monolithic), adds a note, signs out, and the
// dashboard then redirects to sign-in. Prints one JSON line with what it saw; exits non-zero on any miss.
//
// usage: node sign-up-flow.mjs <app origin, e.g. http://localhost:3000> <screenshot.png> <separate|monolithic>
import { launchChromium } from "./launch.mjs";

const [origin, screenshot, architecture] = process.argv.slice(2);
if (!origin || !screenshot || !["separate", "monolithic"].includes(architecture)) {
  console.error("usage: node sign-up-flow.mjs <app origin> <screenshot.png> <separate|monolithic>");
  process.exit(2);
}

const browser = await launchChromium();
const page = await browser.newPage();
let tokenRequests = 0;
page.on("request", (request) => {
  if (request.url().includes("/api/auth/token")) tokenRequests++;
});

const seen = {};
try {
  const email = `browser-${Date.now()}@example.com`;
  await page.goto(`${origin}/sign-up`);
  await page.fill('input[name="name"]', "Browser User");
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', "correct-horse-battery-staple");
  await page.click('button[type="submit"]');
  await page.waitForURL("**/dashboard", { timeout: 20000 });
  seen.userEmail = await page.textContent('[data-testid="user-email"]');

  // Both dashboards show who the protected API says you are: the backend's /api/me (with a Bearer token)
  // or the route handler's /api/me (with the session cookie).
  await page.waitForSelector('[data-testid="api-me"], [data-testid="api-error"]');
  const apiError = await page.$('[data-testid="api-error"]');
  if (apiError) throw new Error(`the dashboard shows an API error: ${await apiError.textContent()}`);
  seen.apiEmail = await page.textContent('[data-testid="me-email"]');
  if (seen.apiEmail?.trim() !== email) throw new Error(`/api/me shows ${seen.apiEmail}, expected ${email}`);
  if (architecture === "separate") {
    await page.fill('[data-testid="note-form"] input[name="text"]', "written in a real browser");
    await page.click('[data-testid="note-form"] button[type="submit"]');
    await page.waitForSelector('[data-testid="note-item"]');
    seen.notes = await page.$$eval('[data-testid="note-item"]', (items) => items.length);
    // Several backend calls (me, notes, add note, notes again) within one token lifetime: one mint.
    seen.tokenRequests = tokenRequests;
    if (tokenRequests !== 1) throw new Error(`expected 1 /api/auth/token request, saw ${tokenRequests}`);
  }
  if (seen.userEmail?.trim() !== email) throw new Error(`dashboard shows ${seen.userEmail}, expected ${email}`);
  await page.screenshot({ path: screenshot, fullPage: true });

  await page.click('[data-testid="sign-out"]');
  await page.waitForURL("**/sign-in", { timeout: 20000 });
  await page.goto(`${origin}/dashboard`);
  await page.waitForURL("**/sign-in", { timeout: 20000 });
  seen.afterSignOut = new URL(page.url()).pathname;
  console.log(JSON.stringify({ ok: true, ...seen }));
} catch (error) {
  await page.screenshot({ path: screenshot.replace(/\.png$/, "-failure.png"), fullPage: true }).catch(() => {});
  console.log(JSON.stringify({ ok: false, error: String(error), url: page.url(), ...seen }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
