from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .test_cli import cli_env, run


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with a migrated database, made once per module and copied by each test."""
    data = tmp_path_factory.mktemp("migrated")
    result = run("manage", "migrate", "-v", "0", env=cli_env(data, DEBUG="true"))
    assert result.returncode == 0, result.stderr
    return data


@pytest.fixture
def env(migrated: Path, tmp_path: Path) -> dict[str, str]:
    """The environment of a command run on a fresh copy of the migrated data directory."""
    data = tmp_path / "data"
    shutil.copytree(migrated, data)
    return cli_env(data, DEBUG="true")
