import Link from "next/link";
import { SignInForm } from "@/components/sign-in-form";

export default function SignInPage() {
  return (
    <main className="card">
      <h1>Sign in</h1>
      <SignInForm />
      <p className="muted">
        No account yet? <Link href="/sign-up">Sign up</Link>
      </p>
    </main>
  );
}
