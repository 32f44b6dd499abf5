"""`python -m app`: validate the configuration, then serve on HOST:PORT."""

import logging
import sys

import uvicorn

from app.core.config import ConfigError, load_settings
from app.main import create_app


class ConfigErrorsInOneLine(logging.Filter):
    """A failed startup reaches uvicorn's log as a whole traceback; of a ConfigError (e.g. the
    database cannot be reached) only its one-line message helps."""

    _PREFIX = f"{ConfigError.__module__}.{ConfigError.__qualname__}: "

    def filter(self, record: logging.LogRecord) -> bool:
        last_line = record.getMessage().rstrip().rpartition("\n")[2]
        if last_line.startswith(self._PREFIX):
            record.msg, record.args = "error: " + last_line.removeprefix(self._PREFIX), ()
        return True


def main() -> None:
    try:
        settings = load_settings()
        app = create_app(settings)
    except ConfigError as error:
        # A readable one-line reason instead of a traceback at the first request.
        sys.exit(f"error: {error}")
    logging.basicConfig(format="%(levelname)s: %(message)s")
    logging.getLogger("app").setLevel(settings.log_level.upper())
    logging.getLogger("uvicorn.error").addFilter(ConfigErrorsInOneLine())
    # The app logs each request itself (app/request_log.py), with its duration.
    uvicorn.run(app, host=settings.host, port=settings.port, access_log=False)


if __name__ == "__main__":
    main()
