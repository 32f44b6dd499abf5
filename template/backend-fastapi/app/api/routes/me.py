from fastapi import APIRouter

from app.api.deps import CurrentUser

router = APIRouter(tags=["me"])


@router.get("/me")
def read_me(user: CurrentUser) -> dict[str, str | None]:
    """Who the token says the caller is."""
    return {"id": user.id, "email": user.email}
