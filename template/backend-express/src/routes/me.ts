// Who the token says the caller is: lets the frontend check the whole JWT round trip.
import { Router } from "express";
import { currentUser } from "../auth.ts";

export function meRouter(): Router {
  const router = Router();
  router.get("/me", (req, res) => {
    const user = currentUser(req);
    res.json({ id: user.id, email: user.email });
  });
  return router;
}
