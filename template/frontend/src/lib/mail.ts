// Sends the app's email (password reset, email verification). Two transports, picked per message:
// - SMTP_URL set (production): SMTP through nodemailer, e.g. smtps://USER:PASSWORD@smtp.example.com:465.
// - SMTP_URL unset (development): each message becomes one JSON file in MAIL_DIR (default frontend/.mail/,
//   git-ignored) and its link is printed to the server log; /dev/mail lists them. With NODE_ENV=production
//   (`next start`) the first such message also logs a warning: no user receives it.
// The /*turbopackIgnore*/ comments: the folder is chosen at run time, so `next build` must not trace it.
// Imports packages and node: modules only, like auth.ts, so plain `node` and the `auth` CLI can load it.
import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Transporter } from "nodemailer";

export type Mail = { to: string; subject: string; text: string; html: string; url: string };
export type SentMail = Mail & { sentAt: string };

/** The folder development mail is written to. */
export function mailDir(): string {
  return resolve(/*turbopackIgnore: true*/ process.env.MAIL_DIR || ".mail");
}

let smtp: { url: string; transporter: Transporter } | undefined;
let warnedNoSmtp = false;

async function smtpTransport(url: string): Promise<Transporter> {
  if (smtp?.url !== url) {
    // Loaded only when SMTP_URL is set: development never needs nodemailer.
    const nodemailer = await import("nodemailer");
    smtp = { url, transporter: nodemailer.createTransport(url) };
  }
  return smtp.transporter;
}

export async function sendMail(mail: Mail): Promise<void> {
  const smtpUrl = process.env.SMTP_URL;
  if (smtpUrl) {
    const transporter = await smtpTransport(smtpUrl);
    const from = process.env.MAIL_FROM || "no-reply@localhost";
    await transporter.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    return;
  }
  const sent: SentMail = { ...mail, sentAt: new Date().toISOString() };
  const dir = mailDir();
  // Loud rather than refused: `next start` is production too, and a local demo of it must still work.
  if (process.env.NODE_ENV === "production" && !warnedNoSmtp) {
    warnedNoSmtp = true;
    console.warn(
      `[mail] WARNING: NODE_ENV=production but SMTP_URL is unset: email is written to ${dir}, and no user receives it. Set SMTP_URL and MAIL_FROM (docs/SETUP.md, "Email in production").`,
    );
  }
  await mkdir(/*turbopackIgnore: true*/ dir, { recursive: true });
  // Sortable by time, unique across concurrent sends.
  const file = join(/*turbopackIgnore: true*/ dir, `${sent.sentAt.replace(/[:.]/g, "-")}-${randomUUID()}.json`);
  await writeFile(/*turbopackIgnore: true*/ file, JSON.stringify(sent, null, 2) + "\n", { mode: 0o600 });
  console.log(`[mail] ${mail.subject} -> ${mail.to}: ${mail.url} (no SMTP_URL: written to ${file})`);
}

/** The development messages, newest first. */
export async function listMail(): Promise<SentMail[]> {
  let names: string[];
  try {
    names = (await readdir(/*turbopackIgnore: true*/ mailDir())).filter((name) => name.endsWith(".json"));
  } catch {
    return [];
  }
  const mails = await Promise.all(
    names.map(async (name) => JSON.parse(await readFile(/*turbopackIgnore: true*/ join(/*turbopackIgnore: true*/ mailDir(), name), "utf8")) as SentMail),
  );
  return mails.sort((a, b) => b.sentAt.localeCompare(a.sentAt));
}

/** A message with a link, as plain text and HTML (the link's text escaped). */
export function linkMail(to: string, subject: string, intro: string, url: string): Mail {
  const escaped = url.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  return {
    to,
    subject,
    url,
    text: `${intro}\n\n${url}\n\nIf you did not ask for this, ignore this email.\n`,
    html: `<p>${intro}</p><p><a href="${escaped}">${escaped}</a></p><p>If you did not ask for this, ignore this email.</p>`,
  };
}
