"""A throw-away Migration Hub (temporary data directory, SQLite) served by gunicorn on loopback.

Everything runs with the settings module `bench_project.settings` and with bench/ on
PYTHONPATH, so bench-only views sit next to the real ones under the same middleware.
"""

from __future__ import annotations

import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from harness import BENCH_DIR, BenchmarkError
from loadgen import LOOPBACK

SETTINGS_MODULE = "bench_project.settings"
WSGI_APPLICATION = "bench_project.wsgi:application"
BENCH_USERNAME = "bench"
# The SQLite file Migration Hub keeps in its data directory when DATABASE_URL is not set.
SQLITE_FILE_NAME = "migration-hub.sqlite3"


@dataclass(frozen=True)
class HubEnvironment:
    data_dir: Path
    env: dict[str, str]
    token: str


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def hub_command(*arguments: str) -> list[str]:
    """`migration-hub ARGUMENTS` as a command line, with this interpreter."""
    return [sys.executable, "-m", "migration_hub.cli", *arguments]


def _hub(env: Mapping[str, str], *arguments: str) -> str:
    command = hub_command(*arguments)
    completed = subprocess.run(command, env=dict(env), capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise BenchmarkError(
            f"`migration-hub {' '.join(arguments)}` exited with {completed.returncode}:\n"
            f"{completed.stdout[-2000:]}{completed.stderr[-4000:]}"
        )
    return completed.stdout


CREATE_USER_SNIPPET = """
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
user = get_user_model().objects.create_user({username!r}, email="bench@example.org")
Token.objects.create(user=user, key={key!r})
"""

# A signed-in session for the user, as the login view would leave it (the session engine of the
# settings, the default backend, the password hash check); prints the session key.
CREATE_SESSION_SNIPPET = """
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth import get_user_model
user = get_user_model().objects.get(username={username!r})
session = import_module(settings.SESSION_ENGINE).SessionStore()
session[SESSION_KEY] = user._meta.pk.value_to_string(user)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print("session-key=" + session.session_key + " cookie=" + settings.SESSION_COOKIE_NAME)
"""


def hub_environment(data_dir: Path, extra_env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of every Migration Hub process of a benchmark: SQLite in `data_dir`,
    production settings (DEBUG off) with the bench URLs, throttling out of the way."""
    python_path = [str(BENCH_DIR), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(python_path),
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "MIGRATION_HUB_DATA_DIR": str(data_dir),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "false",
        "API_THROTTLE_USER": "1000000/minute",
        "API_THROTTLE_ANON": "1000000/minute",
        "ALLOWED_HOSTS": f"{LOOPBACK},localhost",
        "LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    env.pop("DATABASE_URL", None)  # always the SQLite file in the temporary data directory
    env.pop("CACHE_URL", None)
    return env


def migrate(env: Mapping[str, str]) -> None:
    _hub(env, "manage", "migrate", "--no-input", "--verbosity=0")


def create_session(hub: HubEnvironment, username: str = BENCH_USERNAME) -> tuple[str, str]:
    """Sign `username` in: return (cookie name, session key) for a `Cookie:` header."""
    output = _hub(
        hub.env, "manage", "shell", "-c", CREATE_SESSION_SNIPPET.format(username=username)
    )
    for line in output.splitlines():
        if line.startswith("session-key="):
            key, cookie = line.removeprefix("session-key=").split(" cookie=")
            return cookie, key
    raise BenchmarkError(f"no session key in the output of the shell snippet:\n{output}")


@contextmanager
def prepared_hub(extra_env: Mapping[str, str] | None = None) -> Iterator[HubEnvironment]:
    """Migrate a fresh database, load reference data, collect static files, create a user with
    an API token; remove it all afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix="bench-hub-data-"))
    env = hub_environment(data_dir, extra_env)
    token = secrets.token_hex(20)
    try:
        migrate(env)
        _hub(env, "load-reference")
        _hub(env, "manage", "collectstatic", "--no-input", "--verbosity=0")
        _hub(
            env,
            "manage",
            "shell",
            "-c",
            CREATE_USER_SNIPPET.format(username=BENCH_USERNAME, key=token),
        )
        yield HubEnvironment(data_dir=data_dir, env=env, token=token)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def http_request(
    port: int, path: str, headers: Mapping[str, str] | None = None, timeout: float = 10
) -> tuple[int, dict[str, str], bytes]:
    """GET `path` (no redirect followed): status, response headers (lower-case names), body."""
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=dict(headers or {}))
        response = connection.getresponse()
        response_headers = {name.lower(): value for name, value in response.getheaders()}
        return response.status, response_headers, response.read()
    finally:
        connection.close()


def http_get(
    port: int, path: str, headers: Mapping[str, str] | None = None, timeout: float = 10
) -> tuple[int, bytes]:
    status, _headers, body = http_request(port, path, headers, timeout)
    return status, body


class GunicornServer:
    """`python -m gunicorn` on 127.0.0.1:<free port>; stopped (whole process group) on exit."""

    def __init__(self, hub: HubEnvironment, name: str, *, workers: int = 2) -> None:
        self.hub = hub
        self.name = name
        self.workers = workers
        self.port = free_port()
        self.log_path = hub.data_dir / f"gunicorn-{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def origin(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def __enter__(self) -> GunicornServer:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            WSGI_APPLICATION,
            "--bind",
            f"{LOOPBACK}:{self.port}",
            "--workers",
            str(self.workers),
            "--env",
            f"DJANGO_SETTINGS_MODULE={SETTINGS_MODULE}",
        ]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                env=self.hub.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def log_tail(self, size: int = 4000) -> str:
        with suppress(OSError):
            return self.log_path.read_text(errors="replace")[-size:]
        return ""

    def wait_ready(self, path: str, headers: Mapping[str, str], timeout_s: float = 60) -> bytes:
        """Wait until `path` answers 200; return the body. Fails on another status or on exit."""
        deadline = time.monotonic() + timeout_s
        while True:
            if self.process is None or self.process.poll() is not None:
                raise BenchmarkError(f"gunicorn ({self.name}) exited:\n{self.log_tail()}")
            try:
                status, body = http_get(self.port, path, headers)
            except OSError:
                if time.monotonic() > deadline:
                    raise BenchmarkError(
                        f"gunicorn ({self.name}) did not answer within {timeout_s} s:\n"
                        f"{self.log_tail()}"
                    ) from None
                time.sleep(0.2)
                continue
            if status != 200:
                raise BenchmarkError(
                    f"{self.origin}{path} answered {status}, not 200:\n"
                    f"{body[:2000].decode(errors='replace')}\n{self.log_tail()}"
                )
            return body

    def stop(self, grace_s: float = 15) -> None:
        """SIGTERM to the master (it stops its workers), SIGKILL to the group if that hangs."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        with suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # the group of the master started above
            process.wait(timeout=grace_s)
