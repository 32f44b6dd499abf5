import pytest

from app.core.config import ConfigError, load_settings


def load(**values: object):
    return load_settings(_env_file=None, **values)


def test_missing_better_auth_url_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BETTER_AUTH_URL", raising=False)
    with pytest.raises(ConfigError, match="BETTER_AUTH_URL is not set"):
        load()


def test_defaults_follow_better_auth_url() -> None:
    settings = load(better_auth_url="http://localhost:3000")
    assert str(settings.jwks_url) == "http://localhost:3000/api/auth/jwks"
    assert settings.jwt_issuer == settings.jwt_audience == "http://localhost:3000"
    assert settings.algorithms == ["EdDSA"]
    assert settings.jwks_min_refetch_seconds == 5
    assert settings.jwks_max_age_seconds == 600
    assert settings.log_level == "info"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.cors_origin == "http://localhost:3000"


def test_environment_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BETTER_AUTH_URL", "https://app.example")
    monkeypatch.setenv("JWT_ISSUER", "https://issuer.example")
    monkeypatch.setenv("JWT_AUDIENCE", "")  # empty = default
    monkeypatch.setenv("JWT_ALGORITHMS", "EdDSA, RS256")
    monkeypatch.setenv("PORT", "9000")
    settings = load()
    assert settings.jwt_issuer == "https://issuer.example"
    assert settings.jwt_audience == "https://app.example"
    assert settings.algorithms == ["EdDSA", "RS256"]
    assert settings.port == 9000


@pytest.mark.parametrize("algorithms", ["HS256", "none", "EdDSA,HS512", ""])
def test_symmetric_or_unknown_algorithms_are_refused(algorithms: str) -> None:
    with pytest.raises(ConfigError, match="JWT_ALGORITHMS"):
        load(better_auth_url="http://localhost:3000", jwt_algorithms=algorithms)


def test_bad_port_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="PORT"):
        load(better_auth_url="http://localhost:3000", port=0)


@pytest.mark.parametrize(
    ("better_auth_url", "origin"),
    [
        ("http://localhost:3000/", "http://localhost:3000"),
        ("HTTP://LOCALHOST:3000", "http://localhost:3000"),
        ("http://localhost:3000", "http://localhost:3000"),
        ("http://localhost:80", "http://localhost"),
        ("https://App.Example:443/", "https://app.example"),
        ("https://app.example:8443/base/path?x=1#top", "https://app.example:8443"),
        ("http://user:pw@[::1]:3000/", "http://[::1]:3000"),
    ],
)
def test_issuer_and_audience_are_the_origin_of_better_auth_url(
    better_auth_url: str, origin: str
) -> None:
    # The frontend signs with `new URL(BETTER_AUTH_URL).origin`; both sides must agree.
    settings = load(better_auth_url=better_auth_url)
    assert settings.jwt_issuer == settings.jwt_audience == origin


def test_url_overrides_are_normalised_and_other_strings_kept() -> None:
    settings = load(
        better_auth_url="http://localhost:3000",
        jwt_issuer="HTTPS://Issuer.Example:443/",
        jwt_audience="urn:example:Notes-API",
    )
    assert settings.jwt_issuer == "https://issuer.example"
    assert settings.jwt_audience == "urn:example:Notes-API"


def test_cors_origin_is_normalised_too() -> None:
    settings = load(better_auth_url="http://localhost:3000", frontend_url="HTTP://LocalHost:3000/")
    assert settings.cors_origin == "http://localhost:3000"


@pytest.mark.parametrize(
    ("value", "level"), [("DEBUG", "debug"), ("warn", "warning"), ("Info", "info")]
)
def test_log_level_names(value: str, level: str) -> None:
    assert load(better_auth_url="http://localhost:3000", log_level=value).log_level == level


def test_unknown_log_level_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="LOG_LEVEL"):
        load(better_auth_url="http://localhost:3000", log_level="verbose")
