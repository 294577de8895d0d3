"""Schemathesis over /api/schema/: generated requests to every operation never get a 5xx.

Driven by hand with Hypothesis rather than through schemathesis' pytest plugin, which does not
run on pytest 9 yet.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token

from migration_hub.accounts.choices import Role
from migration_hub.config.wsgi import application
from migration_hub.core.services import load_countries
from migration_hub.health import services as health_services
from migration_hub.registry.loader import load_reference
from migration_hub.statistics.services import SAMPLES_DIR, import_file

EXAMPLES_PER_OPERATION = 25


@pytest.fixture
def token(make_member, organization, other_organization) -> str:
    """An organization administrator (not a superuser), with reference data to hit."""
    load_countries()
    load_reference()  # so the registry endpoints are fuzzed against real rows
    health_services.load_country_lists()  # and the health requirements against real protocols
    health_services.load_protocols()
    import_file(
        "undesa-stock", SAMPLES_DIR / "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"
    )
    user = make_member(Role.ADMINISTRATOR, organization, username="fuzz-admin")
    make_member(Role.EDITOR, other_organization, username="someone-else")
    return Token.objects.create(user=user).key


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """Calling the WSGI app directly fires request_finished, which would close the test's
    database connection (and its transaction); Django's own test client detaches it too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def operations() -> list:
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.django_db
def test_no_operation_answers_with_a_server_error(token: str, keep_test_connection: None) -> None:
    found = operations()
    assert len(found) >= 20, "the schema lost operations"
    server_errors: list[str] = []
    statuses: set[int] = set()

    for operation in found:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,  # the same examples on every run: CI must not flake
            suppress_health_check=list(HealthCheck),
        )
        def call(case) -> None:
            response = case.call(headers={"Authorization": f"Token {token}"})
            statuses.add(response.status_code)
            if response.status_code >= 500:
                server_errors.append(
                    f"{case.method} {case.formatted_path} {case.query or ''} "
                    f"{case.body!r:.200} -> {response.status_code}"
                )

        call()
    assert not server_errors, "\n".join(server_errors[:20])
    # The token worked and the fuzzer reached both success and validation paths.
    assert {200, 400} <= statuses, statuses
