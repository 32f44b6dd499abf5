import Link from "next/link";

export default function HomePage() {
  return (
    <main className="card">
      <h1>Better Auth + Next.js</h1>
      <p className="muted">Email and password accounts, sessions in your database, and a protected dashboard.</p>
      <nav className="actions">
        <Link className="button" href="/sign-up">
          Sign up
        </Link>
        <Link className="button secondary" href="/sign-in">
          Sign in
        </Link>
        <Link href="/dashboard">Dashboard</Link>
      </nav>
    </main>
  );
}
