"""One log line per request: method, path, status, duration. Never headers or the query string,
so a token can never reach the log."""

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("app.requests")


class RequestLogMiddleware:
    """Plain ASGI middleware (Starlette's BaseHTTPMiddleware would wrap every response body)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app fails before answering

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            milliseconds = (time.perf_counter() - started) * 1000
            logger.info("%s %s %d %.1fms", scope["method"], scope["path"], status, milliseconds)
