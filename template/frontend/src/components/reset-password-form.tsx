"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { authClient } from "@/lib/auth-client";

export function ResetPasswordForm({ token }: { token: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const { error } = await authClient.resetPassword({ token, newPassword: String(form.get("password")) });
    setPending(false);
    if (error) {
      setError(error.message ?? "Could not reset the password");
      return;
    }
    // Every session of this user was revoked: sign in with the new password.
    router.push("/sign-in?reset=done");
  }

  return (
    <form className="stack" onSubmit={handleSubmit}>
      <label>
        New password
        <input name="password" type="password" autoComplete="new-password" minLength={8} required />
      </label>
      {error && (
        <p className="error" role="alert" data-testid="form-error">
          {error}
        </p>
      )}
      <button type="submit" disabled={pending}>
        {pending ? "Saving..." : "Set new password"}
      </button>
    </form>
  );
}
