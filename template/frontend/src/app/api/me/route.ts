// A protected route handler: the session cookie says who is asking; without a valid session, 401.
import { headers } from "next/headers";
import { auth } from "@/lib/auth";

export async function GET() {
  const session = await auth.api.getSession({ headers: await headers() });
  if (!session) return Response.json({ detail: "not signed in" }, { status: 401 });
  const { id, email, name } = session.user;
  return Response.json({ id, email, name });
}
