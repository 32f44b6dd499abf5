"""`python -m app`: validate the configuration, then serve on HOST:PORT."""

import sys

import uvicorn

from app.core.config import ConfigError, load_settings
from app.main import create_app


def main() -> None:
    try:
        settings = load_settings()
        app = create_app(settings)
    except ConfigError as error:
        # A readable one-line reason instead of a traceback at the first request.
        sys.exit(f"error: {error}")
    uvicorn.run(app, host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
