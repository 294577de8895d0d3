"""Helpers for tests that race real threads on real database connections."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection


@pytest.fixture(scope="module")
def file_database_on_sqlite(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[None]:
    """On SQLite, run this module against a database file rather than the suite's in-memory
    database: two connections to a shared-cache in-memory database fail at once with "database
    table is locked" instead of waiting, so they cannot show how the application serializes
    writers (IMMEDIATE transactions and a 20 s timeout on a file, as in production)."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    with django_db_blocker.unblock():
        in_memory_name = connection.settings_dict["NAME"]
        connection.ensure_connection()
        # Keep the in-memory database (and so the rest of the suite's data) alive meanwhile.
        in_memory = connection.connection
        connection.connection = None
        connection.settings_dict["NAME"] = str(tmp_path_factory.mktemp("race") / "db.sqlite3")
        ContentType.objects.clear_cache()
        call_command("migrate", verbosity=0, interactive=False)
    yield
    with django_db_blocker.unblock():
        connection.close()
        connection.settings_dict["NAME"] = in_memory_name
        connection.connection = in_memory
        ContentType.objects.clear_cache()


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run `calls` in threads started together; each one's result or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # reported to the test, whatever it is
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results
