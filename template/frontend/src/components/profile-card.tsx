"use client";

import { useEffect, useState } from "react";

type Me = { id: string; email: string; name: string };

// Fetches the protected route handler /api/me from the browser: the session cookie travels with the request
// (same origin), the handler answers 401 without one.
export function ProfileCard() {
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    fetch("/api/me")
      .then(async (response) => {
        if (!response.ok) throw new Error(`GET /api/me answered ${response.status}`);
        setMe((await response.json()) as Me);
      })
      .catch((cause: Error) => setError(cause.message));
  }, []);

  if (error) return <p className="error" data-testid="api-error">{error}</p>;
  if (!me) return <p className="muted">Loading /api/me...</p>;
  return (
    <section>
      <h2>From the protected route handler /api/me</h2>
      <dl className="details" data-testid="api-me">
        <dt>User id</dt>
        <dd data-testid="me-id">{me.id}</dd>
        <dt>Email</dt>
        <dd data-testid="me-email">{me.email}</dd>
        <dt>Name</dt>
        <dd data-testid="me-name">{me.name}</dd>
      </dl>
    </section>
  );
}
