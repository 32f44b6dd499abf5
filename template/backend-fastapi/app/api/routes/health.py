from fastapi import APIRouter

router = APIRouter(tags=["health"])


# async def: answered on the event loop (nothing here blocks).
@router.get("/health")
async def health() -> dict[str, str]:
    """Unauthenticated liveness check."""
    return {"status": "ok"}
