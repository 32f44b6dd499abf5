"""Settings from the environment and backend/.env (the process environment wins)."""

from pathlib import Path

from pydantic import AnyHttpUrl, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

BACKEND_DIR = Path(__file__).resolve().parents[2]

# Asymmetric algorithms Better Auth's jwt() plugin can sign with. HS* and "none" are never
# accepted: with a public key as the "secret" they let anyone forge tokens.
SUPPORTED_ALGORITHMS = ("EdDSA", "ES256", "ES512", "PS256", "RS256")


class ConfigError(Exception):
    """The configuration cannot work; the message names the variable to fix."""


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
    frontend_url: AnyHttpUrl = AnyHttpUrl("http://localhost:3000")
    database_url: str = "file:./notes.db"
    database_auth_token: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

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

    @model_validator(mode="after")
    def fill_defaults_from_better_auth_url(self) -> "Settings":
        base = str(self.better_auth_url).rstrip("/")
        if self.jwks_url is None:
            self.jwks_url = AnyHttpUrl(f"{base}/api/auth/jwks")
        # Better Auth signs iss and aud with its base URL exactly as configured.
        self.jwt_issuer = self.jwt_issuer or base
        self.jwt_audience = self.jwt_audience or base
        return self

    @property
    def algorithms(self) -> list[str]:
        return self.jwt_algorithms.split(",")

    @property
    def cors_origin(self) -> str:
        # Browsers send the origin without a trailing slash.
        return str(self.frontend_url).rstrip("/")


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
