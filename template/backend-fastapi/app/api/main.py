from fastapi import APIRouter

from app.api.routes import me, notes

api_router = APIRouter(prefix="/api")
api_router.include_router(me.router)
api_router.include_router(notes.router)
