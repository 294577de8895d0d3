"""The health protocols' shipped reference data, loaded into the test database as in production.

`reference` loads the country lists, then the protocol files (a protocol that reads a list not yet
loaded is rejected, so the order matters), then a small WHO estimates CSV written here. It does so
once per test module, inside a transaction rolled back when the module ends: each test runs in a
savepoint within it, and the engine, cached on the data's signature, is compiled once per module
instead of once per test. `assess` runs a profile mapping through `engine.requirements_for` and
checks that everything it returns cites a source address.

The helpers below (`born`, `required`, ...) are shared by the `test_protocol_*` modules.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.db import transaction

from migration_hub.health import engine, services

# Profiles are validated against this day (no date of birth may be after it).
TODAY = datetime.date(2027, 1, 1)

# WHO's columns as published (iso2, year, e_inc_100k among others). France has an older year that
# the import must ignore; North Korea is listed without an estimate; Tuvalu has no row at all.
WHO_CSV = """country,g_whoregion,iso2,iso3,year,e_inc_100k
France,EUR,FR,FRA,2022,9.5
France,EUR,FR,FRA,2023,8
United States of America,AMR,US,USA,2023,3
India,SEA,IN,IND,2023,195
Philippines,WPR,PH,PHL,2023,550
Democratic People's Republic of Korea,SEA,KP,PRK,2023,NA
"""
WHO_RELEASE = "WHO TB burden estimates (test extract)"


@dataclass
class Reference:
    protocols: services.ProtocolLoadReport
    lists: dict[str, int]
    incidence: services.IncidenceImportReport


@pytest.fixture(scope="module")
def reference(django_db_setup: None, django_db_blocker: Any) -> Iterator[Reference]:
    """Every shipped country list and protocol file and the WHO extract, loaded through the
    services once for the module, and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        lists = services.load_country_lists()
        protocols = services.load_protocols()
        incidence = services.import_who_tb_burden(WHO_CSV.encode(), release=WHO_RELEASE)
        yield Reference(protocols, lists, incidence)
        transaction.set_rollback(True)


def assert_sourced(result: engine.Requirements) -> None:
    for entry in [*result.required, *result.conditional, *result.alternatives]:
        assert entry.source.startswith(("http://", "https://")), entry
    assert result.validity["source"].startswith(("http://", "https://")), result.validity


@pytest.fixture
def assess(reference: Reference, db: None) -> Callable[[dict[str, Any]], engine.Requirements]:
    """Runs a profile mapping through `engine.requirements_for`, as the API and the form do."""

    def run(profile: dict[str, Any]) -> engine.Requirements:
        result = engine.requirements_for(profile, today=TODAY)
        assert_sourced(result)
        return result

    return run


# Helpers shared by the protocol test modules ---------------------------------------------------


def born(years: int, exam: datetime.date, *, eve: bool = False) -> str:
    """A date of birth that makes the person exactly `years` old on `exam` (their birthday), or,
    with eve=True, one day short of it (so `years - 1` old)."""
    birthday = exam - relativedelta(years=years)
    return (birthday + datetime.timedelta(days=1) if eve else birthday).isoformat()


def required(result: engine.Requirements) -> set[tuple[str, str]]:
    """(item, rule id) of every required item."""
    return {(entry.item, entry.rule) for entry in result.required}


def conditional(result: engine.Requirements) -> set[tuple[str, str, str]]:
    """(item, rule id, condition) of every conditional follow-up."""
    return {(entry.item, entry.rule, entry.condition) for entry in result.conditional}


def alternatives(result: engine.Requirements) -> dict[str, tuple[str, list[str]]]:
    """{item: (rule id, [options])} of every alternative offered."""
    return {
        entry.for_item: (entry.rule, [option["option"] for option in entry.options])
        for entry in result.alternatives
    }


def rule_ids(protocol: str, version: str, section: str = "rules") -> set[str]:
    """The rule ids a shipped protocol version declares in `section`."""
    from migration_hub.health.models import ProtocolVersion

    document = ProtocolVersion.objects.get(protocol=protocol, version=version).document
    return {rule["id"] for rule in document.get(section, [])}
