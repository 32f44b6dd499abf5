import Link from "next/link";
import { connection } from "next/server";
import { SignUpForm } from "@/components/sign-up-form";
import { SocialSignIn } from "@/components/social-sign-in";
import { configuredProviders } from "@/lib/social-providers";

export default async function SignUpPage() {
  // Rendered per request: the social buttons follow the keys set in the environment now, not at build time.
  await connection();
  return (
    <main className="card">
      <h1>Create an account</h1>
      <SignUpForm />
      <SocialSignIn providers={configuredProviders()} />
      <p className="muted">
        Already have an account? <Link href="/sign-in">Sign in</Link>
      </p>
    </main>
  );
}
