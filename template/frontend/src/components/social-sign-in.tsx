"use client";

import { useState } from "react";
import { signIn } from "@/lib/auth-client";
import type { SocialProvider } from "@/lib/auth-flows";

const labels: Record<SocialProvider, string> = {
  github: "GitHub",
  google: "Google",
  oidc: "single sign-on",
};

/** One button per provider; the page passes only those whose keys are set. */
export function SocialSignIn({ providers }: { providers: SocialProvider[] }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (providers.length === 0) return null;

  async function start(provider: SocialProvider) {
    setPending(true);
    setError(null);
    // Better Auth answers the provider's authorize URL and the client goes there; the provider sends the user
    // back to /api/auth/callback/<provider>, which signs in (creating the user on first visit) and lands on
    // callbackURL. A failure there comes back to /sign-in?error=<code>.
    const { error } = await signIn.social({ provider, callbackURL: "/dashboard", errorCallbackURL: "/sign-in" });
    if (error) {
      setError(error.message ?? "Could not start the sign-in");
      setPending(false);
    }
  }

  return (
    <div className="stack">
      {providers.map((provider) => (
        <button
          key={provider}
          type="button"
          data-testid={`social-${provider}`}
          disabled={pending}
          onClick={() => start(provider)}
        >
          Continue with {labels[provider]}
        </button>
      ))}
      {error && (
        <p className="error" role="alert" data-testid="social-error">
          {error}
        </p>
      )}
    </div>
  );
}
