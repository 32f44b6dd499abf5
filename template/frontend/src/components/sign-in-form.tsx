"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { ResendVerification } from "@/components/resend-verification";
import { signIn } from "@/lib/auth-client";
import { authFlows } from "@/lib/auth-flows";

export function SignInForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  // Set when Better Auth refuses the sign-in until the address is verified (auth flow `verification`).
  const [unverifiedEmail, setUnverifiedEmail] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    setUnverifiedEmail(null);
    const email = String(form.get("email"));
    const { error } = await signIn.email({
      email,
      password: String(form.get("password")),
    });
    setPending(false);
    if (error) {
      setError(error.message ?? "Could not sign in");
      if (authFlows.verification && error.code === "EMAIL_NOT_VERIFIED") setUnverifiedEmail(email);
      return;
    }
    router.push("/dashboard");
  }

  return (
    <form className="stack" onSubmit={handleSubmit}>
      <label>
        Email
        <input name="email" type="email" autoComplete="email" required />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {error && (
        <p className="error" role="alert" data-testid="form-error">
          {error}
        </p>
      )}
      {unverifiedEmail && <ResendVerification email={unverifiedEmail} />}
      <button type="submit" disabled={pending}>
        {pending ? "Signing in..." : "Sign in"}
      </button>
    </form>
  );
}
