from fastapi import APIRouter

from app.api.deps import CurrentUser

router = APIRouter(tags=["me"])


# async def like /health: nothing here blocks.
@router.get("/me")
async def read_me(user: CurrentUser) -> dict[str, str | None]:
    """Who the token says the caller is."""
    return {"id": user.id, "email": user.email}
