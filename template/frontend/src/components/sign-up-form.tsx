"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { signUp } from "@/lib/auth-client";
import { authFlows } from "@/lib/auth-flows";

export function SignUpForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [verificationSentTo, setVerificationSentTo] = useState<string | null>(null);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    // Better Auth signs the new user in straight away (session cookie set by the response), unless the
    // address must be verified first: then it emails a link that signs in and lands on callbackURL.
    const email = String(form.get("email"));
    const { error } = await signUp.email({
      name: String(form.get("name")),
      email,
      password: String(form.get("password")),
      callbackURL: "/dashboard",
    });
    setPending(false);
    if (error) {
      setError(error.message ?? "Could not sign up");
      return;
    }
    if (authFlows.verification) {
      setVerificationSentTo(email);
      return;
    }
    router.push("/dashboard");
  }

  if (verificationSentTo) {
    return (
      <p role="status" data-testid="verification-sent">
        We sent a verification link to {verificationSentTo}. Open it to finish signing up.
      </p>
    );
  }

  return (
    <form className="stack" onSubmit={handleSubmit}>
      <label>
        Name
        <input name="name" autoComplete="name" required />
      </label>
      <label>
        Email
        <input name="email" type="email" autoComplete="email" required />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="new-password" minLength={8} required />
      </label>
      {error && (
        <p className="error" role="alert" data-testid="form-error">
          {error}
        </p>
      )}
      <button type="submit" disabled={pending}>
        {pending ? "Creating account..." : "Sign up"}
      </button>
    </form>
  );
}
