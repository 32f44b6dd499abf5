"use client";

import { useRouter } from "next/navigation";
import { signOut } from "@/lib/auth-client";

export function SignOutButton() {
  const router = useRouter();

  async function handleSignOut() {
    await signOut();
    // refresh() drops the cached dashboard, so Back cannot show it after signing out.
    router.push("/sign-in");
    router.refresh();
  }

  return (
    <button type="button" className="secondary" onClick={handleSignOut} data-testid="sign-out">
      Sign out
    </button>
  );
}
