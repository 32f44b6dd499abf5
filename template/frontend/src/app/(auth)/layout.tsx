"use client";

import { usePathname } from "next/navigation";
import type { ReactNode } from "react";

// Layouts keep their state across navigations. Keying the page by its path mounts a fresh form on every
// visit, so a previous attempt's error, typed password or "Signing in..." state never reappears.
export default function AuthLayout({ children }: { children: ReactNode }) {
  return <div key={usePathname()}>{children}</div>;
}
