"""Statistics releases about people: building, publishing, the privacy budget, cached values,
and the differencing attack (requirement ST-07, attack case 7 of the protection reference)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from migration_hub.accounts.choices import Role
from migration_hub.core.models import AuditEvent
from migration_hub.statistics import disclosure, releases
from migration_hub.statistics.models import (
    PrivacyBudget,
    PrivacyBudgetSpend,
    ReleaseCell,
    ReleaseStatus,
    StatisticsRelease,
)
from tests.factories import UserFactory

K = 11
DATASET = "cases.counter_trafficking"
DIMS = ("year", "exploitation")
CODES = {"year": ["2023", "2024"], "exploitation": ["sexual", "labour", "other"]}


@pytest.fixture
def dpo(make_member, organization):
    return make_member(Role.DATA_PROTECTION_OFFICER, organization)


def people(counts: dict[tuple[str, str], int], start: int = 0) -> list:
    """One case per person, `counts` persons per cell, ids person-<n> from `start`."""
    records, n = [], start
    for (year, form), count in counts.items():
        for _ in range(count):
            n += 1
            records.append((f"person-{n:05d}", {"year": year, "exploitation": form}))
    return records


BASE = {
    ("2023", "sexual"): 40,
    ("2023", "labour"): 25,
    ("2023", "other"): 14,
    ("2024", "sexual"): 33,
    ("2024", "labour"): 18,
    ("2024", "other"): 12,
}
# The person the attacker is after: alone in the rare cell (2024, other) would be obvious, so
# put them in a cell that is published in the first release.
TARGET = ("person-99999", {"year": "2024", "exploitation": "other"})


def published(release: StatisticsRelease) -> dict[tuple, int | None]:
    return {
        disclosure.key_from_json(release.dimensions, cell.key): cell.value
        for cell in release.cells.all()
    }


def build_k(actor, records, **kwargs):
    return releases.build_release(
        actor, DATASET, records, DIMS, "k_suppression", categories=CODES, **kwargs
    )


# --- building and the stored table -----------------------------------------------------------


def test_a_k_release_stores_every_entry_and_publishes_nothing_below_k(dpo):
    records = people({**BASE, ("2024", "other"): 4})
    release = build_k(dpo, records, title="Victims identified, by year and form")
    assert release.status == ReleaseStatus.DRAFT
    assert release.parameters["k"] == K
    assert release.person_count == len(records)
    rows = releases.release_table(release)
    assert len(rows) == 3 * 4  # (2 years + total) x (3 forms + total)
    for row in rows:
        assert row["suppressed"] == (row["value"] is None)
        assert row["value"] is None or row["value"] == 0 or row["value"] >= K
    small = next(r for r in rows if r["year"] == "2024" and r["exploitation"] == "other")
    assert small == {"year": "2024", "exploitation": "other", "value": None, "suppressed": True}
    assert "reason" not in small  # which cells are primary would point at the small ones
    grand = next(r for r in rows if r["year"] is None and r["exploitation"] is None)
    assert grand["value"] == len(records)
    reasons = set(ReleaseCell.objects.filter(release=release).values_list("reason", flat=True))
    assert reasons == {"", "primary", "complementary"}


def test_building_is_audited_without_personal_data(dpo):
    records = people(BASE)
    release = build_k(dpo, records)
    event = AuditEvent.objects.get(action="create", target_id=str(release.pk))
    assert event.actor_id == dpo.pk
    assert event.metadata["method"] == "k_suppression"
    assert event.metadata["dataset_key"] == DATASET
    text = json.dumps(event.metadata) + json.dumps(event.changes or {})
    assert "person-" not in text
    assert release.person_digests[0] not in text


def test_a_release_of_fewer_than_k_persons_is_refused(dpo):
    with pytest.raises(ValidationError) as error:
        build_k(dpo, people({("2023", "sexual"): 6, ("2024", "labour"): 4}))
    assert "fewer than k = 11" in str(error.value.message_dict["records"])
    assert not StatisticsRelease.objects.exists()


def test_k_is_configurable(dpo):
    release = build_k(dpo, people(BASE), k=20)
    assert release.parameters["k"] == 20
    assert all(r["value"] in (None, 0) or r["value"] >= 20 for r in releases.release_table(release))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"method": "rounding"}, "method"),
        ({"dimensions": ("year", "exploitation", "sex")}, "dimensions"),
        ({"k": 1}, "k"),
        ({"k": "eleven"}, "k"),
        ({"colour": "red"}, "parameters"),
        ({"dataset_key": " "}, "dataset_key"),
    ],
)
def test_bad_input_names_the_field(dpo, change, field):
    arguments = {
        "dataset_key": DATASET,
        "records": people(BASE),
        "dimensions": DIMS,
        "method": "k_suppression",
        "categories": CODES,
        **change,
    }
    with pytest.raises(ValidationError) as error:
        releases.build_release(dpo, **arguments)
    assert field in error.value.message_dict


def test_a_record_outside_the_code_list_is_refused_by_position_not_person(dpo):
    records = [*people(BASE), ("person-secret", {"year": "2031", "exploitation": "sexual"})]
    with pytest.raises(ValidationError) as error:
        build_k(dpo, records)
    message = str(error.value.message_dict["records"])
    assert "Record 143" in message
    assert "person-secret" not in message


def test_only_data_protection_officers_build_and_publish(viewer, dpo):
    with pytest.raises(PermissionDenied):
        build_k(viewer, people(BASE))
    release = build_k(dpo, people(BASE))
    with pytest.raises(PermissionDenied):
        releases.publish_release(viewer, release)
    with pytest.raises(PermissionDenied):
        releases.set_privacy_budget(viewer, DATASET, 1)


def test_publish_and_withdraw(dpo):
    release = releases.publish_release(dpo, build_k(dpo, people(BASE)))
    assert release.status == ReleaseStatus.PUBLISHED
    assert release.published_at is not None
    with pytest.raises(ValidationError, match="Only a draft"):
        releases.publish_release(dpo, release)
    release = releases.withdraw_release(dpo, release)
    assert release.status == ReleaseStatus.WITHDRAWN
    assert release.published_at is not None  # it was public: later releases are checked
    with pytest.raises(ValidationError, match="already withdrawn"):
        releases.withdraw_release(dpo, release)
    events = AuditEvent.objects.filter(target_id=str(release.pk)).order_by("sequence")
    assert [e.metadata.get("event") for e in events] == [None, "published", "withdrawn"]


def test_describe_release_states_method_and_parameters_but_not_the_person_count(dpo):
    releases.set_privacy_budget(dpo, DATASET, 2)
    release = releases.build_release(
        dpo, DATASET, people(BASE), DIMS, "differential_privacy", categories=CODES, epsilon=0.5
    )
    described = releases.describe_release(release)
    assert described["method"] == "differential_privacy"
    assert described["parameters"]["epsilon"] == 0.5
    assert described["parameters"]["mechanism"] == "discrete_laplace"
    assert described["parameters"]["max_contributions"] == 1
    assert "person_count" not in described
    assert str(len(people(BASE))) not in json.dumps(described, default=str)


# --- differential privacy, the budget and cached values --------------------------------------


def build_dp(actor, records=None, epsilon="0.5", **kwargs):
    return releases.build_release(
        actor,
        DATASET,
        people(BASE) if records is None else records,
        DIMS,
        "differential_privacy",
        categories=CODES,
        epsilon=epsilon,
        **kwargs,
    )


def test_a_dp_release_needs_a_budget_and_code_lists(dpo):
    with pytest.raises(ValidationError) as error:
        build_dp(dpo)
    assert "No privacy budget" in str(error.value.message_dict["dataset_key"])
    releases.set_privacy_budget(dpo, DATASET, 1)
    with pytest.raises(ValidationError) as error:
        releases.build_release(
            dpo, DATASET, people(BASE), DIMS, "differential_privacy", epsilon=0.5
        )
    assert "categories" in error.value.message_dict


def test_the_budget_refuses_a_release_above_what_is_left(dpo):
    releases.set_privacy_budget(dpo, DATASET, "1.0")
    first = build_dp(dpo, epsilon="0.6")
    assert releases.remaining_epsilon(DATASET) == Decimal("0.4")
    with pytest.raises(ValidationError) as error:
        build_dp(dpo, epsilon="0.5")
    message = str(error.value.message_dict["epsilon"])
    assert "0.500000" in message and "0.400000" in message
    assert StatisticsRelease.objects.count() == 1  # nothing half-written
    assert PrivacyBudgetSpend.objects.get().release == first
    build_dp(dpo, epsilon="0.4")
    assert releases.remaining_epsilon(DATASET) == 0


def test_the_ledger_is_append_only_and_the_total_cannot_drop_below_it(dpo):
    releases.set_privacy_budget(dpo, DATASET, 1)
    build_dp(dpo, epsilon="0.6")
    spend = PrivacyBudgetSpend.objects.get()
    assert spend.by == dpo
    assert spend.epsilon == Decimal("0.6")
    spend.epsilon = Decimal("0.1")
    with pytest.raises(ValueError, match="append-only"):
        spend.save()
    with pytest.raises(ValueError, match="append-only"):
        spend.delete()
    with pytest.raises(ValidationError) as error:
        releases.set_privacy_budget(dpo, DATASET, "0.5")
    assert "total_epsilon" in error.value.message_dict
    budget = releases.set_privacy_budget(dpo, DATASET, 3)
    assert budget.total_epsilon == 3
    assert releases.remaining_epsilon(DATASET) == Decimal("2.4")


def test_withdrawing_gives_no_budget_back(dpo):
    releases.set_privacy_budget(dpo, DATASET, 1)
    releases.withdraw_release(dpo, build_dp(dpo, epsilon="1"))
    with pytest.raises(ValidationError):
        build_dp(dpo, epsilon="0.1")


def test_re_reading_a_dp_release_returns_the_stored_values_never_fresh_noise(dpo, monkeypatch):
    releases.set_privacy_budget(dpo, DATASET, 1)
    release = build_dp(dpo, epsilon="0.1")
    first = releases.release_table(release)

    def no_more_noise(*args, **kwargs):
        raise AssertionError("noise drawn again")

    monkeypatch.setattr(disclosure, "noisy_counts", no_more_noise)
    releases.publish_release(dpo, release)
    for _ in range(5):
        assert releases.release_table(StatisticsRelease.objects.get(pk=release.pk)) == first
    # Drawing again means a new release, which spends budget again ("query twice to average").
    with pytest.raises(AssertionError, match="noise drawn again"):
        build_dp(dpo, epsilon="0.1")


def test_dp_values_are_non_negative_and_totals_are_sums_of_published_cells(dpo):
    releases.set_privacy_budget(dpo, DATASET, 5)
    rows = releases.release_table(build_dp(dpo, epsilon="0.2"))
    assert all(row["value"] >= 0 and not row["suppressed"] for row in rows)
    cells = [r for r in rows if r["year"] and r["exploitation"]]
    grand = next(r for r in rows if r["year"] is None and r["exploitation"] is None)
    assert grand["value"] == sum(r["value"] for r in cells)


# --- the differencing attack -----------------------------------------------------------------


def test_without_the_defence_two_k_tables_give_a_person_away():
    """Why the defence exists: protect the table with and without one person, compare, and
    the cells that went down by one are the person's (published in both tables)."""
    before = disclosure.protect(disclosure.tabulate([*people(BASE), TARGET], DIMS, CODES), K)
    after = disclosure.protect(disclosure.tabulate(people(BASE), DIMS, CODES), K)
    changed = {
        key
        for key in before.table.entries()
        if before.value(key) is not None
        and after.value(key) is not None
        and before.value(key) != after.value(key)
    }
    assert ("2024", "other") in changed  # the target's year and form of exploitation
    assert ("2024", None) in changed and (None, "other") in changed


def test_a_release_one_person_smaller_than_a_published_one_is_refused(dpo):
    releases.publish_release(dpo, build_k(dpo, [*people(BASE), TARGET]))
    with pytest.raises(ValidationError) as error:
        build_k(dpo, people(BASE))
    message = str(error.value.message_dict["records"])
    assert "fewer than k = 11 persons" in message
    assert "person-99999" not in message
    assert StatisticsRelease.objects.count() == 1


def test_a_release_one_person_larger_or_with_one_person_swapped_is_refused(dpo):
    releases.publish_release(dpo, build_k(dpo, people(BASE)))
    with pytest.raises(ValidationError):
        build_k(dpo, [*people(BASE), TARGET])
    swapped = [*people(BASE)[1:], TARGET]  # same count, one person out and one in
    with pytest.raises(ValidationError):
        build_k(dpo, swapped)


def test_a_one_dimension_table_of_the_smaller_set_is_refused_too(dpo):
    """Sharing a dimension is enough: the year margins would difference just as well."""
    releases.publish_release(dpo, build_k(dpo, [*people(BASE), TARGET]))
    with pytest.raises(ValidationError):
        releases.build_release(
            dpo, DATASET, people(BASE), ("year",), "k_suppression", categories=CODES
        )
    # Another data set, or the same one with no shared dimension, is not compared.
    releases.build_release(dpo, "cases.avrr", people(BASE), DIMS, "k_suppression", categories=CODES)


def test_withdrawn_releases_still_count(dpo):
    release = releases.publish_release(dpo, build_k(dpo, [*people(BASE), TARGET]))
    releases.withdraw_release(dpo, release)
    with pytest.raises(ValidationError):
        build_k(dpo, people(BASE))


def test_two_drafts_one_person_apart_cannot_both_be_published(dpo):
    with_target = build_k(dpo, [*people(BASE), TARGET])
    without = build_k(dpo, people(BASE))  # built while nothing was published: allowed
    releases.publish_release(dpo, with_target)
    with pytest.raises(ValidationError) as error:
        releases.publish_release(dpo, without)
    assert "build the draft again" in str(error.value.message_dict["status"])
    with pytest.raises(ValidationError):
        build_k(dpo, people(BASE))


def test_a_release_at_least_k_persons_apart_is_allowed_and_no_shared_figure_moves_by_less_than_k(
    dpo,
):
    first = releases.publish_release(dpo, build_k(dpo, people(BASE)))
    newcomers = people(
        {("2024", "sexual"): 5, ("2024", "labour"): 3, ("2023", "other"): 2, ("2024", "other"): 1},
        start=50000,
    )
    second = build_k(dpo, [*people(BASE), *newcomers])
    assert len(newcomers) == K
    before, after = published(first), published(second)
    assert before.keys() == after.keys()
    for key, value in after.items():
        if value is not None and before[key] is not None:
            assert abs(value - before[key]) in (0,) or abs(value - before[key]) >= K, key
    assert second.cells.filter(reason="differencing").exists()
    # The newcomers' cells are hidden, so their attributes cannot be read off the difference.
    assert after[("2024", "other")] is None
    # And the table is itself safe.
    table = disclosure.tabulate([*people(BASE), *newcomers], DIMS, CODES)
    hidden = {key for key, value in after.items() if value is None}
    assert disclosure.exposures(table, K, hidden) == []
    releases.publish_release(dpo, second)


def test_a_linked_table_of_the_same_persons_keeps_earlier_suppressions(dpo):
    """The same persons in another table sharing the year: every year total the first table
    hid is hidden again, and every one it published is published unchanged (never used as a
    complement), so the two tables together unlock nothing."""
    codes = {"year": ["2022", "2023", "2024"], "exploitation": CODES["exploitation"]}
    counts = {
        **BASE,
        ("2022", "sexual"): 3,
        ("2022", "labour"): 2,
        ("2022", "other"): 2,
        ("2024", "other"): 4,
    }
    records = people(counts)
    first = releases.publish_release(
        dpo,
        releases.build_release(dpo, DATASET, records, DIMS, "k_suppression", categories=codes),
    )
    by_year = releases.build_release(
        dpo, DATASET, records, ("year",), "k_suppression", categories=codes
    )
    before, after = published(first), published(by_year)
    assert before[("2022", None)] is None  # 7 persons: primary
    for year in [*codes["year"], None]:
        assert after[(year,)] == before[(year, None)], year
    differencing = by_year.cells.filter(reason="differencing")
    assert all(not set(cell.key) - {"year"} for cell in differencing)


def test_dp_releases_of_the_same_data_are_bounded_by_the_ledger_not_refused(dpo):
    releases.set_privacy_budget(dpo, DATASET, "1.0")
    build_dp(dpo, [*people(BASE), TARGET], epsilon="0.5")
    build_dp(dpo, people(BASE), epsilon="0.5")  # one person apart: the budget pays for it
    with pytest.raises(ValidationError) as error:
        build_dp(dpo, people(BASE), epsilon="0.1")
    assert "epsilon" in error.value.message_dict
    assert sum(s.epsilon for s in PrivacyBudget.objects.get().spends.all()) == Decimal("1.0")


# --- admin -----------------------------------------------------------------------------------


def test_the_admin_shows_releases_and_the_ledger_read_only(client, dpo):
    releases.set_privacy_budget(dpo, DATASET, 1)
    release = build_dp(dpo, epsilon="0.5")
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    page = client.get(f"/admin/statistics/statisticsrelease/{release.pk}/change/")
    assert page.status_code == 200
    assert release.person_digests[0] not in page.content.decode()
    assert b'name="_save"' not in page.content
    for model in ("statisticsrelease", "releasecell", "privacybudget", "privacybudgetspend"):
        assert client.get(f"/admin/statistics/{model}/").status_code == 200
        assert client.get(f"/admin/statistics/{model}/add/").status_code == 403
    spend = PrivacyBudgetSpend.objects.get()
    assert (
        client.post(f"/admin/statistics/privacybudgetspend/{spend.pk}/delete/", {"post": "yes"})
    ).status_code == 403
    assert PrivacyBudgetSpend.objects.count() == 1
