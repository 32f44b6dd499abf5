import Link from "next/link";
import { notFound } from "next/navigation";
import { ResetPasswordForm } from "@/components/reset-password-form";
import { authFlows } from "@/lib/auth-flows";

// Better Auth redirects the emailed link here: ?token=<token>, or ?error=INVALID_TOKEN when it expired or was used.
export default async function ResetPasswordPage({
  searchParams,
}: {
  searchParams: Promise<{ token?: string; error?: string }>;
}) {
  if (!authFlows.reset) notFound();
  const { token, error } = await searchParams;
  return (
    <main className="card">
      <h1>Choose a new password</h1>
      {token && !error ? (
        <ResetPasswordForm token={token} />
      ) : (
        <p className="error" role="alert" data-testid="form-error">
          This reset link is invalid or has expired. <Link href="/forgot-password">Ask for a new one</Link>.
        </p>
      )}
    </main>
  );
}
