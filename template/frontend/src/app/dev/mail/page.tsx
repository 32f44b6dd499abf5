import { notFound } from "next/navigation";
import { listMail, mailDir } from "@/lib/mail";

// Read the folder on every request, never at build time.
export const dynamic = "force-dynamic";

// Development only: the messages the app "sent" without SMTP_URL. A production build answers 404.
export default async function DevMailPage() {
  if (process.env.NODE_ENV === "production") notFound();
  const mails = await listMail();
  return (
    <main className="card">
      <h1>Development mail</h1>
      <p className="muted">
        Written to {mailDir()} because SMTP_URL is not set{process.env.SMTP_URL ? " (it is now: new mail goes out by SMTP)" : ""}.
      </p>
      {mails.length === 0 && <p>No mail yet.</p>}
      <ul className="stack" data-testid="mail-list">
        {mails.map((mail) => (
          <li key={mail.sentAt + mail.url}>
            <strong>{mail.subject}</strong> to {mail.to} <span className="muted">{mail.sentAt}</span>
            <br />
            <a href={mail.url}>{mail.url}</a>
          </li>
        ))}
      </ul>
    </main>
  );
}
