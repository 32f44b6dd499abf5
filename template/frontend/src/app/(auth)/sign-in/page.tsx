import Link from "next/link";
import { SignInForm } from "@/components/sign-in-form";
import { authFlows } from "@/lib/auth-flows";

export default function SignInPage() {
  return (
    <main className="card">
      <h1>Sign in</h1>
      <SignInForm />
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
