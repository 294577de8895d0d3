"""DATABASE_URL parsing with an error that names the variable and what a good value looks like."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import environ

from .paths import ConfigurationError

SUPPORTED_ENGINES = {
    "django.db.backends.sqlite3": "sqlite",
    "django.db.backends.postgresql": "postgresql",
}
EXAMPLES = "postgres://USER:PASSWORD@HOST:5432/NAME or sqlite:////absolute/path/db.sqlite3"


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


def database_config(url: str | None, default_sqlite_path: Path) -> dict[str, Any]:
    """Django DATABASES['default'] from DATABASE_URL, or SQLite in the data directory."""
    if not url:
        url = f"sqlite:///{default_sqlite_path}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            config = environ.Env.db_url_config(url)
        except (ValueError, KeyError) as error:
            raise ConfigurationError(
                f"DATABASE_URL is malformed ({error}): got {_redacted(url)!r}, expected {EXAMPLES}."
            ) from error
    engine = config.get("ENGINE")
    if engine not in SUPPORTED_ENGINES or not config.get("NAME"):
        raise ConfigurationError(
            f"DATABASE_URL is not a supported database URL: got {_redacted(url)!r}, "
            f"expected {EXAMPLES}."
        )
    if engine == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            # WAL lets readers go on while one writer commits; IMMEDIATE avoids
            # "database is locked" on lock upgrades under concurrent writes.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    # Keep connections between requests: opening one (and, on SQLite, running the PRAGMAs)
    # costs more than most API requests themselves.
    config["CONN_MAX_AGE"] = 60
    config["CONN_HEALTH_CHECKS"] = True
    config["ATOMIC_REQUESTS"] = False
    return config
