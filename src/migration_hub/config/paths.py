"""Where Migration Hub keeps its files, and the one error type for bad configuration."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

import platformdirs

DATA_DIR_VARIABLE = "MIGRATION_HUB_DATA_DIR"
SECRET_KEY_FILE = "secret_key"  # noqa: S105  (a file name, not a secret)


class ConfigurationError(Exception):
    """A setting or path the operator must fix; the message says what and how, on one line."""


def data_dir() -> Path:
    """The data directory, created if missing; raises ConfigurationError if it is not writable."""
    raw = os.environ.get(DATA_DIR_VARIABLE) or platformdirs.user_data_dir("migration-hub")
    path = Path(raw).expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
        # A probe file of its own: several gunicorn workers start at the same moment.
        handle, probe = tempfile.mkstemp(prefix=".write-test-", dir=path)
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        reason = error.strerror or str(error)
        raise ConfigurationError(
            f"Data directory {path} is not writable ({reason}): "
            f"fix its permissions or set {DATA_DIR_VARIABLE} to a writable folder."
        ) from error
    return path


def demo_secret_key(directory: Path) -> str:
    """The secret key kept in the data directory for the demo, created on first use."""
    key_file = directory / SECRET_KEY_FILE
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
