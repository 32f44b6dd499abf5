import Link from "next/link";
import { connection } from "next/server";
import { SignInForm } from "@/components/sign-in-form";
import { SocialSignIn } from "@/components/social-sign-in";
import { authFlows } from "@/lib/auth-flows";
import { configuredProviders } from "@/lib/social-providers";

// Better Auth's error codes when a provider's callback fails (/sign-in?error=<code>).
const providerErrors: Record<string, string> = {
  email_not_found: "The provider did not share an email address; an account needs one.",
  email_not_verified: "Verify your email address first: open the link we emailed you, then sign in again.",
  account_not_linked: "An account with this email exists: sign in with its password first.",
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  // Rendered per request: the social buttons follow the keys set in the environment now, not at build time.
  await connection();
  const { error } = await searchParams;
  return (
    <main className="card">
      <h1>Sign in</h1>
      {error && (
        <p className="error" role="alert" data-testid="provider-error">
          {providerErrors[error] ?? `Signing in through the provider failed (${error}).`}
        </p>
      )}
      <SignInForm />
      <SocialSignIn providers={configuredProviders()} />
      {authFlows.reset && (
        <p className="muted">
          <Link href="/forgot-password">Forgot password?</Link>
        </p>
      )}
      <p className="muted">
        No account yet? <Link href="/sign-up">Sign up</Link>
      </p>
    </main>
  );
}
