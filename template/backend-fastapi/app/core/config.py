"""Settings from the environment and backend/.env (the process environment wins)."""

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AnyHttpUrl, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

BACKEND_DIR = Path(__file__).resolve().parents[2]

# Asymmetric algorithms Better Auth's jwt() plugin can sign with. HS* and "none" are never
# accepted: with a public key as the "secret" they let anyone forge tokens.
SUPPORTED_ALGORITHMS = ("EdDSA", "ES256", "ES512", "PS256", "RS256")


class ConfigError(Exception):
    """The configuration cannot work; the message names the variable to fix."""


def origin(url: AnyHttpUrl | str) -> str:
    """What `new URL(url).origin` gives in the frontend: scheme and host lower-case, the default
    port dropped, no user, path, query or fragment. The frontend signs `iss` and `aud` with it."""
    parsed = urlsplit(str(AnyHttpUrl(str(url))))
    return f"{parsed.scheme}://{parsed.netloc.rpartition('@')[2]}"


def origin_if_url(value: str) -> str:
    """JWT_ISSUER / JWT_AUDIENCE: an http(s) URL is normalised like BETTER_AUTH_URL; any other
    string (a URN, a name) is compared as written."""
    try:
        return origin(value)
    except ValueError:  # pydantic's ValidationError: not an http(s) URL
        return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=BACKEND_DIR / ".env",
        env_ignore_empty=True,  # `JWT_ISSUER=` in .env means "use the default"
        extra="ignore",
    )

    better_auth_url: AnyHttpUrl
    jwks_url: AnyHttpUrl | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_algorithms: str = "EdDSA"
    # Unknown `kid` → refetch the JWKS at most this often (rotation vs. random-kid floods).
    jwks_min_refetch_seconds: float = Field(default=5.0, ge=0)
    # Known keys are refetched in the background once they are this old, so a key Better Auth
    # removed stops being trusted even if no token with an unknown kid ever arrives.
    jwks_max_age_seconds: float = Field(default=600.0, gt=0)
    frontend_url: AnyHttpUrl = AnyHttpUrl("http://localhost:3000")
    database_url: str = "file:./notes.db"
    database_auth_token: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # debug also logs why each token was refused.
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @field_validator("jwt_algorithms")
    @classmethod
    def only_supported_algorithms(cls, value: str) -> str:
        names = [name.strip() for name in value.split(",") if name.strip()]
        unsupported = [name for name in names if name not in SUPPORTED_ALGORITHMS]
        if not names or unsupported:
            raise ValueError(
                f"expected a comma-separated list of {', '.join(SUPPORTED_ALGORITHMS)}"
            )
        return ",".join(names)

    @field_validator("log_level", mode="before")
    @classmethod
    def log_level_as_other_backends_spell_it(cls, value: object) -> object:
        # The Express and axum backends spell it `warn`; one .env works for all of them.
        if not isinstance(value, str):
            return value
        return "warning" if value.lower() == "warn" else value.lower()

    @model_validator(mode="after")
    def fill_defaults_from_better_auth_url(self) -> "Settings":
        if self.jwks_url is None:
            base = str(self.better_auth_url).rstrip("/")
            self.jwks_url = AnyHttpUrl(f"{base}/api/auth/jwks")
        # The frontend signs iss and aud with the origin of BETTER_AUTH_URL, however it is typed.
        issuer = origin(self.better_auth_url)
        self.jwt_issuer = origin_if_url(self.jwt_issuer) if self.jwt_issuer else issuer
        self.jwt_audience = origin_if_url(self.jwt_audience) if self.jwt_audience else issuer
        return self

    @property
    def algorithms(self) -> list[str]:
        return self.jwt_algorithms.split(",")

    @property
    def cors_origin(self) -> str:
        # Browsers send the Origin header in exactly this form.
        return origin(self.frontend_url)


def load_settings(**overrides: object) -> Settings:
    """Builds Settings or raises ConfigError naming the environment variables at fault."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        problems = []
        for issue in error.errors(include_input=False, include_url=False):
            variable = str(issue["loc"][0]).upper() if issue["loc"] else "configuration"
            reason = " is not set" if issue["type"] == "missing" else f": {issue['msg']}"
            problems.append(variable + reason)
        raise ConfigError(
            "invalid backend configuration: "
            + "; ".join(problems)
            + f" (set it in the environment or in {BACKEND_DIR / '.env'})"
        ) from None
