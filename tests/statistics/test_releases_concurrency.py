"""Two data protection officers spending the last of a privacy budget at the same moment: one
release is built, the other is refused, and the ledger never exceeds the budget. Real threads
on real connections: PostgreSQL serializes them with the budget's row lock (select_for_update),
SQLite with IMMEDIATE transactions on a database file."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from migration_hub.accounts.choices import Role
from migration_hub.statistics import releases
from migration_hub.statistics.models import PrivacyBudgetSpend, StatisticsRelease
from tests.concurrency import file_database_on_sqlite, race

pytestmark = pytest.mark.django_db(transaction=True)

# Module-scoped: this module runs on a database file on SQLite (see tests/concurrency.py).
django_db_setup = file_database_on_sqlite

DATASET = "cases.avrr"
CODES = {"year": ["2023", "2024"], "sex": ["female", "male"]}


def records(n: int) -> list:
    return [
        (f"p{i}", {"year": CODES["year"][i % 2], "sex": CODES["sex"][(i // 2) % 2]})
        for i in range(n)
    ]


def test_two_releases_racing_for_the_last_budget(make_member, organization):
    first = make_member(Role.DATA_PROTECTION_OFFICER, organization, username="dpo-one")
    second = make_member(Role.DATA_PROTECTION_OFFICER, organization, username="dpo-two")
    releases.set_privacy_budget(first, DATASET, "1.0")

    def spend(actor):
        return lambda: releases.build_release(
            actor,
            DATASET,
            records(40),
            ("year", "sex"),
            "differential_privacy",
            categories=CODES,
            epsilon="0.6",
        )

    results = race(spend(first), spend(second))
    refused = [r for r in results if isinstance(r, Exception)]
    served = [r for r in results if isinstance(r, StatisticsRelease)]
    assert len(served) == 1, results
    assert len(refused) == 1, results
    assert isinstance(refused[0], ValidationError), repr(refused[0])  # not a database error
    assert "epsilon" in refused[0].message_dict
    assert list(PrivacyBudgetSpend.objects.values_list("release_id", flat=True)) == [served[0].pk]
    assert releases.remaining_epsilon(DATASET) == Decimal("0.4")
    assert StatisticsRelease.objects.count() == 1


def test_many_small_spends_at_once_never_overspend(make_member, organization):
    officers = [
        make_member(Role.DATA_PROTECTION_OFFICER, organization, username=f"dpo-{n}")
        for n in range(4)
    ]
    releases.set_privacy_budget(officers[0], DATASET, "1.0")

    def spend(actor):
        return lambda: releases.build_release(
            actor,
            DATASET,
            records(20),
            ("year",),
            "differential_privacy",
            categories=CODES,
            epsilon="0.3",
        )

    results = race(*(spend(officer) for officer in officers))
    served = [r for r in results if isinstance(r, StatisticsRelease)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert (len(served), len(refused)) == (3, 1), results
    assert releases.remaining_epsilon(DATASET) == Decimal("0.1")
