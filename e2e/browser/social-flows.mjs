// The browser case of social sign-in (issue 17), without the internet.
// - oidc: the sign-in button -> the local provider's login page (oidc-provider.mjs) -> its consent page ->
//   the app's callback -> the dashboard shows the provider's user; then that user's JWT (/api/auth/token)
//   gets 200 and their email from the backend's /api/me (separate) or the route handler's (monolithic).
// - github, google: the button sends the browser to the provider's authorize URL with the configured client
//   id, redirect_uri <origin>/api/auth/callback/<provider> and a state; the provider's host is intercepted
//   (no request leaves the machine).
// In `no-keys` mode (the app started with the providers' keys empty) it checks that no button is shown.
// Prints one JSON line with what it saw; exits non-zero on any miss.
//
// usage: node social-flows.mjs keys <app origin> <flows, e.g. github,google,oidc> <separate|monolithic> <api me URL> <screenshot.png>
//        node social-flows.mjs no-keys <app origin> <flows>
// The configured client ids come from GITHUB_CLIENT_ID and GOOGLE_CLIENT_ID.
import { launchChromium } from "./launch.mjs";
import { oidcUser } from "./oidc-user.mjs";

const [mode, origin, flowList, architecture, apiMe, screenshot] = process.argv.slice(2);
const providers = (flowList ?? "").split(",").filter((flow) => ["github", "google", "oidc"].includes(flow));
if (!origin || !providers.length || !(mode === "no-keys" || (mode === "keys" && ["separate", "monolithic"].includes(architecture) && apiMe && screenshot))) {
  console.error("usage: node social-flows.mjs keys <app origin> <flows> <separate|monolithic> <api me URL> <screenshot.png>");
  console.error("       node social-flows.mjs no-keys <app origin> <flows>");
  process.exit(2);
}

const authorize = {
  github: { url: "https://github.com/login/oauth/authorize", clientId: process.env.GITHUB_CLIENT_ID },
  google: { url: "https://accounts.google.com/o/oauth2/v2/auth", clientId: process.env.GOOGLE_CLIENT_ID },
};
const button = (provider) => `[data-testid="social-${provider}"]`;

// Clicks the provider's button and returns the authorize URL the browser was sent to (answered locally).
async function authorizeRequest(page, provider) {
  const expected = authorize[provider];
  const { host } = new URL(expected.url);
  let sentTo;
  await page.route(`https://${host}/**`, (route) => {
    sentTo = new URL(route.request().url());
    return route.fulfill({ status: 200, contentType: "text/plain", body: `${provider} (intercepted by the e2e run)` });
  });
  await page.goto(`${origin}/sign-in`);
  await page.click(button(provider));
  await page.waitForURL(`https://${host}/**`, { timeout: 20000 });
  if (!sentTo) throw new Error(`${provider}: the browser never asked ${host}`);
  const where = `${sentTo.origin}${sentTo.pathname}`;
  if (where !== expected.url) throw new Error(`${provider}: sent to ${where}, expected ${expected.url}`);
  const query = Object.fromEntries(sentTo.searchParams);
  if (query.client_id !== expected.clientId) throw new Error(`${provider}: client_id ${query.client_id}, expected ${expected.clientId}`);
  const callback = `${origin}/api/auth/callback/${provider}`;
  if (query.redirect_uri !== callback) throw new Error(`${provider}: redirect_uri ${query.redirect_uri}, expected ${callback}`);
  if (!query.state) throw new Error(`${provider}: no state in ${sentTo}`);
  return { url: where, client_id: query.client_id, redirect_uri: query.redirect_uri, state: "present" };
}

// Signs in through the local OpenID Connect provider's own pages and lands on the dashboard.
async function oidcSignIn(page) {
  await page.goto(`${origin}/sign-in`);
  await page.click(button("oidc"));
  await page.waitForSelector('input[name="login"]', { timeout: 20000 });
  const provider = new URL(page.url()).host;
  await page.fill('input[name="login"]', oidcUser.login);
  await page.fill('input[name="password"]', "any password: the provider's development login");
  await page.click('button[type="submit"]');
  await page.waitForSelector('input[name="prompt"][value="consent"]', { state: "attached", timeout: 20000 });
  await page.click('button[type="submit"]');
  await page.waitForURL(`${origin}/dashboard`, { timeout: 30000 });
  const shown = (await page.textContent('[data-testid="user-email"]'))?.trim();
  if (shown !== oidcUser.email) throw new Error(`the dashboard shows ${shown}, expected ${oidcUser.email}`);
  return provider;
}

// The signed-in user's call to the protected API: a Bearer JWT to the backend, or the session cookie to the
// route handler; it must answer 200 with this user's email.
async function protectedApi(page) {
  let status;
  let body;
  if (architecture === "separate") {
    const { token } = await page.evaluate(async () => (await fetch("/api/auth/token")).json());
    if (!token) throw new Error("/api/auth/token gave the signed-in user no token");
    const response = await fetch(apiMe, { headers: { Authorization: `Bearer ${token}` } });
    [status, body] = [response.status, await response.text()];
  } else {
    const response = await page.request.get(apiMe);
    [status, body] = [response.status(), await response.text()];
  }
  if (status !== 200) throw new Error(`${apiMe} answered the signed-in user ${status}: ${body}`);
  return { status, email: JSON.parse(body).email };
}

const browser = await launchChromium();
const page = await browser.newPage();
const seen = { mode, providers };
try {
  if (mode === "no-keys") {
    await page.goto(`${origin}/sign-in`);
    await page.waitForSelector('input[name="email"]');
    for (const provider of providers) {
      if (await page.$(button(provider))) throw new Error(`the ${provider} button is shown while its keys are empty`);
    }
    seen.buttonsShown = 0;
  } else {
    for (const provider of providers.filter((p) => p !== "oidc")) {
      seen[provider] = await authorizeRequest(page, provider);
      await page.unrouteAll();
    }
    if (providers.includes("oidc")) {
      seen.oidc = { provider: await oidcSignIn(page), dashboard: oidcUser.email };
      const me = await protectedApi(page);
      if (me.email !== oidcUser.email) throw new Error(`${apiMe} says ${me.email}, expected ${oidcUser.email}`);
      seen.oidc.apiMe = me;
      await page.screenshot({ path: screenshot, fullPage: true });
    }
  }
  console.log(JSON.stringify({ ok: true, ...seen }));
} catch (error) {
  if (screenshot) await page.screenshot({ path: screenshot.replace(/\.png$/, "-failure.png"), fullPage: true }).catch(() => {});
  console.log(JSON.stringify({ ok: false, error: String(error), url: page.url(), ...seen }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
