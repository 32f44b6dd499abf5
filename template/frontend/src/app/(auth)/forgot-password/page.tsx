import Link from "next/link";
import { notFound } from "next/navigation";
import { ForgotPasswordForm } from "@/components/forgot-password-form";
import { authFlows } from "@/lib/auth-flows";

export default function ForgotPasswordPage() {
  if (!authFlows.reset) notFound();
  return (
    <main className="card">
      <h1>Forgot your password?</h1>
      <ForgotPasswordForm />
      <p className="muted">
        <Link href="/sign-in">Back to sign in</Link>
      </p>
    </main>
  );
}
