"""The `migration-hub` command as a user runs it: a real process, a real data directory."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

# Settings the test run itself uses; a user's shell has none of them.
TEST_ONLY_VARIABLES = {
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set for Playwright by tests/browser; never in deployment
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "SECRET_KEY",
    "DEBUG",
    "MIGRATION_HUB_DATA_DIR",
    "MIGRATION_HUB_FIELD_KEYS",
}


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY_VARIABLES}
    env["MIGRATION_HUB_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def run(*args: str, env: dict[str, str], timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "migration_hub.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def production_env(data_dir: Path, **extra: str) -> dict[str, str]:
    settings = {
        "DEBUG": "false",
        "SECRET_KEY": "p" + "R4nd0m-Pr0duct10n-K3y-" * 3,
        "ALLOWED_HOSTS": "hub.example.org",
        "MIGRATION_HUB_FIELD_KEYS": "cHJvZHVjdGlvbi10ZXN0LWtleS1ub3QtYS1zZWNyZXQ=",
    }
    return cli_env(data_dir, **{**settings, **extra})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def assert_one_line_error(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for needle in needles:
        assert needle in lines[0]


@pytest.mark.parametrize(
    "url", ["nonsense", "mysql2://x@y/z", "postgres://host:notaport/db", "postgres://"]
)
def test_malformed_database_url_names_the_variable(tmp_path: Path, url: str) -> None:
    result = run("manage", "check", env=cli_env(tmp_path, DATABASE_URL=url, DEBUG="true"))
    assert_one_line_error(result, "DATABASE_URL")
    assert result.returncode == 2


def test_database_url_password_is_not_echoed(tmp_path: Path) -> None:
    result = run(
        "manage",
        "check",
        env=cli_env(tmp_path, DATABASE_URL="postgres://u:s3cret@h:port/db", DEBUG="true"),
    )
    assert_one_line_error(result, "DATABASE_URL")
    assert "s3cret" not in result.stderr


def test_unwritable_data_directory_names_the_path(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    target = blocker / "data"
    result = run("demo", "--no-serve", env=cli_env(target))
    assert_one_line_error(result, str(target), "MIGRATION_HUB_DATA_DIR")
    assert result.returncode == 2


def test_production_without_secret_key_says_what_to_set(tmp_path: Path) -> None:
    result = run("manage", "check", env=cli_env(tmp_path, DEBUG="false"))
    assert_one_line_error(result, "SECRET_KEY")


def demo_accounts(output: str) -> dict[str, str]:
    return dict(re.findall(r"^\s+(demo-[\w-]+)\s+(\S+)\s+\(", output, flags=re.MULTILINE))


def test_demo_twice_is_safe_and_keeps_accounts(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    first = run("demo", "--no-serve", env=env)
    assert first.returncode == 0, first.stderr
    accounts = demo_accounts(first.stdout)
    assert {
        "demo-viewer",
        "demo-administrator",
        "demo-case-worker",
        "demo-data-protection-officer",
        "demo-fund-manager",
        "demo-reviewer-institute",  # the Hub's peer reviewers, from two other organizations
        "demo-reviewer-ngo",
    } <= set(accounts)
    assert len(accounts) == 14
    assert "Hub: " in first.stdout  # sample resources, experts, discussions and demands
    assert "Countries and M49 regions: 279 added" in first.stdout
    assert (tmp_path / "migration-hub.sqlite3").exists()
    secret_key = (tmp_path / "secret_key").read_text()

    second = run("demo", "--no-serve", env=env)
    assert second.returncode == 0, second.stderr
    assert "0 migrations applied" in second.stdout
    assert "0 added, 0 changed, 279 unchanged" in second.stdout
    assert demo_accounts(second.stdout) == accounts
    assert (tmp_path / "secret_key").read_text() == secret_key

    check = run(
        "manage",
        "shell",
        "-v",
        "0",
        "-c",
        "from migration_hub.accounts.models import User, Membership;"
        "user = User.objects.get(username='demo-viewer');"
        f"print(user.check_password('{accounts['demo-viewer']}'),"
        " User.objects.count(), Membership.objects.count())",
        env={**env, "DEBUG": "true"},
    )
    # 14 accounts with a role each, and 8 sample experts of the Hub who cannot sign in.
    assert check.stdout.split() == ["True", "22", "14"], check.stderr

    # The demo fund is made once, and its ledger balances.
    assert "Funds: a demo Migration MPTF" in first.stdout
    assert "Funds:" not in second.stdout
    ledger = run("funds", "check", env={**env, "DEBUG": "true"})
    assert ledger.returncode == 0, ledger.stderr
    assert "MIG00: balanced; deposited USD 11,856,000.00" in ledger.stdout


def test_demo_serves_the_site(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "migration_hub.cli", "demo", "--port", str(port)],
        env=cli_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/accounts/login/", timeout=5
                ) as page:
                    body = page.read().decode()
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        f"demo did not serve: {process.stdout.read() if process.stdout else ''}"
                    )
                time.sleep(0.5)
        assert "Sign in" in body
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/static/migration_hub/js/htmx.min.js", timeout=5
        ) as script:
            assert script.status == 200
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_demo_refuses_a_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("demo", "--port", str(port), env=cli_env(tmp_path))
    assert_one_line_error(result, f"Port {port}", "--port")


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = run(
        "manage", "check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_debug_in_production(tmp_path: Path) -> None:
    result = run(
        "manage",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_env(tmp_path, DEBUG="true"),
    )
    assert result.returncode != 0
    assert "DEBUG" in result.stdout + result.stderr


def test_serve_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    result = run("serve", "--port", str(free_port()), env=production_env(tmp_path))
    assert_one_line_error(result, "unapplied migrations", "migration-hub manage migrate")


def test_unknown_command_shows_usage(tmp_path: Path) -> None:
    result = run("fly", env=cli_env(tmp_path))
    assert result.returncode == 2 and "usage: migration-hub" in result.stderr


def test_load_reference_with_a_bad_file_names_it_and_loads_nothing(tmp_path: Path) -> None:
    import shutil

    from migration_hub.registry.loader import REFERENCE_DIR

    files = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, files)
    broken = files / "memberships.yaml"
    broken.write_text(broken.read_text().replace("country: DEU", "country: XXY", 1))
    data = tmp_path / "data"
    env = cli_env(data, DEBUG="true")
    assert run("manage", "migrate", "-v", "0", env=env).returncode == 0
    result = run("load-reference", "--directory", str(files), env=env)
    assert result.returncode == 1
    assert "nothing was loaded" in result.stderr
    assert re.search(r"memberships\.yaml:\d+: unknown country XXY", result.stderr), result.stderr
    counts = run(
        "manage",
        "shell",
        "-v",
        "0",
        "-c",
        "from migration_hub.core.models import Country;"
        "from migration_hub.registry.models import Organization;"
        "print(Country.objects.count(), Organization.objects.count())",
        env=env,
    )
    assert counts.stdout.split() == ["0", "0"], counts.stderr
