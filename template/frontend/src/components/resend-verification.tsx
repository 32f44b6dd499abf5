"use client";

import { useState } from "react";
import { authClient } from "@/lib/auth-client";

// Shown when sign-in answers EMAIL_NOT_VERIFIED: sends the verification link again.
export function ResendVerification({ email }: { email: string }) {
  const [state, setState] = useState<"idle" | "sending" | "sent" | "failed">("idle");

  async function resend() {
    setState("sending");
    const { error } = await authClient.sendVerificationEmail({ email, callbackURL: "/dashboard" });
    setState(error ? "failed" : "sent");
  }

  if (state === "sent") return <p role="status" data-testid="verification-sent">Verification link sent. Check your email.</p>;
  return (
    <p>
      <button type="button" onClick={resend} disabled={state === "sending"} data-testid="resend-verification">
        {state === "sending" ? "Sending..." : "Send the verification link again"}
      </button>
      {state === "failed" && <span className="error"> Could not send it; try again in a minute.</span>}
    </p>
  );
}
