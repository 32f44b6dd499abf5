// Every Better Auth endpoint (/api/auth/sign-up/email, /api/auth/get-session, ...) goes through this handler.
import { toNextJsHandler } from "better-auth/next-js";
import { auth } from "@/lib/auth";

export const { GET, POST } = toNextJsHandler(auth);
