// The browser case of the email flows (issue 17): reads each email from the app's development mail folder
// (src/lib/mail.ts writes one JSON file per message when SMTP_URL is unset) and follows its link.
// - verification: sign-up -> "check your email" -> sign-in refused (EMAIL_NOT_VERIFIED) with a resend offer ->
//   the emailed link -> the dashboard, signed in.
// - reset: a signed-in user, plus a second session elsewhere -> "Forgot password?" -> the emailed link ->
//   a new password -> the old password is refused, the new one signs in, the other session is revoked;
//   then more sign-ins until the rate limiter answers 429, which must be the 6th of the minute.
// Prints one JSON line with what it saw; exits non-zero on any miss.
//
// usage: node auth-flows.mjs <app origin> <mail dir> <flows, e.g. reset or verification,reset> <screenshot.png>
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { launchChromium } from "./launch.mjs";

const [origin, mailDir, flowList, screenshot] = process.argv.slice(2);
const flows = (flowList ?? "").split(",");
if (!origin || !mailDir || !screenshot || !flows.some((flow) => ["reset", "verification"].includes(flow))) {
  console.error("usage: node auth-flows.mjs <app origin> <mail dir> <reset|verification|verification,reset> <screenshot.png>");
  process.exit(2);
}

// The newest message to `to` whose subject contains `subject`, waiting up to 10 s for it to be written.
async function mailTo(to, subject) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const names = await readdir(mailDir).catch(() => []);
    const mails = await Promise.all(
      names.filter((name) => name.endsWith(".json")).map(async (name) => JSON.parse(await readFile(join(mailDir, name), "utf8"))),
    );
    const found = mails
      .filter((mail) => mail.to === to && mail.subject.includes(subject))
      .sort((a, b) => b.sentAt.localeCompare(a.sentAt))[0];
    if (found) {
      for (const key of ["to", "subject", "text", "html", "url", "sentAt"]) {
        if (typeof found[key] !== "string") throw new Error(`the mail file has no string "${key}"`);
      }
      return found;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no "${subject}" mail to ${to} in ${mailDir}`);
}

let signInAttempts = 0;
async function signIn(page, email, password) {
  signInAttempts++;
  await page.goto(`${origin}/sign-in`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await page.click('button[type="submit"]');
  return signInOutcome(page);
}

// Waits for the sign-in to land on the dashboard or show an error; returns the error text or null.
async function signInOutcome(page) {
  await Promise.race([
    page.waitForURL("**/dashboard", { timeout: 20000 }),
    page.waitForSelector('[data-testid="form-error"]', { timeout: 20000 }),
  ]);
  if (new URL(page.url()).pathname === "/dashboard") return null;
  return (await page.textContent('[data-testid="form-error"]'))?.trim() ?? "";
}

const browser = await launchChromium();
const context = await browser.newContext();
const page = await context.newPage();
const seen = { flows };
try {
  const email = `flows-${Date.now()}@example.com`;
  const oldPassword = "correct-horse-battery-staple";
  const newPassword = "a-new-and-longer-passphrase";

  await page.goto(`${origin}/sign-up`);
  await page.fill('input[name="name"]', "Flow User");
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', oldPassword);
  await page.click('button[type="submit"]');

  if (flows.includes("verification")) {
    await page.waitForSelector('[data-testid="verification-sent"]', { timeout: 20000 });
    const first = await mailTo(email, "Verify");
    // Before the link is opened, sign-in is refused and the page offers to send it again.
    seen.unverifiedSignIn = await signIn(page, email, oldPassword);
    if (seen.unverifiedSignIn === null) throw new Error("an unverified user was signed in");
    await page.click('[data-testid="resend-verification"]');
    await page.waitForSelector('[data-testid="verification-sent"]', { timeout: 20000 });
    const resent = await mailTo(email, "Verify");
    seen.resent = resent.sentAt !== first.sentAt;
    if (!seen.resent) throw new Error("the resend offer sent no new verification mail");
    await page.goto(resent.url);
    await page.waitForURL("**/dashboard", { timeout: 20000 });
    seen.verifiedLandsOn = new URL(page.url()).pathname;
  } else {
    await page.waitForURL("**/dashboard", { timeout: 20000 });
  }
  const dashboardEmail = (await page.textContent('[data-testid="user-email"]'))?.trim();
  if (dashboardEmail !== email) throw new Error(`dashboard shows ${dashboardEmail}, expected ${email}`);

  if (flows.includes("reset")) {
    // A second, independent session of the same user (another device): the reset must end it.
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    if ((await signIn(otherPage, email, oldPassword)) !== null) throw new Error("the second session could not sign in");

    await page.click('[data-testid="sign-out"]');
    await page.waitForURL("**/sign-in", { timeout: 20000 });
    await page.click('a[href="/forgot-password"]');
    await page.waitForURL("**/forgot-password", { timeout: 20000 });
    await page.fill('input[name="email"]', email);
    await page.click('button[type="submit"]');
    await page.waitForSelector('[data-testid="reset-sent"]', { timeout: 20000 });
    const mail = await mailTo(email, "Reset");
    seen.resetMailUrl = new URL(mail.url).pathname.replace(/[^/]+$/, "<token>");
    await page.goto(mail.url);
    await page.waitForURL("**/reset-password?token=*", { timeout: 20000 });
    await page.fill('input[name="password"]', newPassword);
    await page.click('button[type="submit"]');
    await page.waitForURL("**/sign-in*", { timeout: 20000 });

    seen.oldPassword = await signIn(page, email, oldPassword);
    if (seen.oldPassword === null) throw new Error("the old password still signs in");
    seen.newPassword = await signIn(page, email, newPassword);
    if (seen.newPassword !== null) throw new Error(`the new password is refused: ${seen.newPassword}`);

    const otherSession = await otherPage.evaluate(async () => (await fetch("/api/auth/get-session")).json());
    seen.otherSessionRevoked = otherSession === null;
    if (!seen.otherSessionRevoked) throw new Error("the other session survived the password reset");
    // The rate limiter (production): 5 sign-ins per minute per address and path; the 6th answers 429.
    const statuses = [];
    page.on("response", (response) => {
      if (response.url().endsWith("/api/auth/sign-in/email")) statuses.push(response.status());
    });
    const before = signInAttempts;
    while (signInAttempts < before + 6 && !statuses.includes(429)) await signIn(page, email, "wrong-password-here");
    seen.signInsBefore429 = statuses.includes(429) ? signInAttempts - 1 : null;
    if (seen.signInsBefore429 !== 5) throw new Error(`expected 429 on the 6th sign-in of the minute, statuses ${statuses}`);
    // The link works once.
    await page.goto(mail.url);
    await page.waitForURL("**/reset-password?*error=INVALID_TOKEN*", { timeout: 20000 });
    seen.reusedLink = "INVALID_TOKEN";
    await other.close();
  }
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify({ ok: true, ...seen }));
} catch (error) {
  await page.screenshot({ path: screenshot.replace(/\.png$/, "-failure.png"), fullPage: true }).catch(() => {});
  console.log(JSON.stringify({ ok: false, error: String(error), url: page.url(), ...seen }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
