"""The statistics release pages: who sees and does what, refusals shown with nothing written,
publish and withdraw, the CSV download, and the differencing attack played through the pages
(attack case 7 of the protection reference: publish, withdraw one person's consent, release
again)."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from migration_hub.accounts.choices import Role
from migration_hub.cases import services
from migration_hub.cases.choices import CaseRole, CaseType, ConsentPurpose
from migration_hub.cases.models import Consent
from migration_hub.statistics import case_releases, releases
from migration_hub.statistics.models import (
    PrivacyBudgetSpend,
    ReleaseStatus,
    StatisticsRelease,
)
from tests.cases.conftest import build_world, person_data
from tests.factories import MembershipFactory, UserFactory

CT = CaseType.COUNTER_TRAFFICKING
KEY = "cases.HOME.counter_trafficking"
OTHER_KEY = "cases.OTHER.counter_trafficking"
NEW = reverse("statistics:release_create")
LIST = reverse("statistics:release_list")
BUDGETS = reverse("statistics:release_budgets")


def detail(release: StatisticsRelease) -> str:
    return reverse("statistics:release_detail", args=[release.pk])


def add_people(world: SimpleNamespace, count: int, *, sex: str, consent: bool = True) -> list:
    """`count` counter-trafficking cases of HOME (one person each) opened by cw1."""
    cases = []
    for number in range(count):
        case = services.open_case(
            actor=world.cw1,
            case_type=CT,
            person=person_data(given_name=f"{sex} {number}", sex=sex, documents=[]),
        )
        if consent:
            services.record_consent(
                actor=world.cw1, person=case.person, purpose=ConsentPurpose.STATISTICS
            )
        cases.append(case)
    return cases


@pytest.fixture
def world(db: None) -> SimpleNamespace:
    """tests/cases/conftest.py's world (HOME with a case DPO `dpo`, OTHER), with 24
    consenting counter-trafficking persons of HOME (15 women, 9 men) and 2 who did not
    consent, plus a DPO of OTHER."""
    w = build_world()
    w.women = add_people(w, 15, sex="female")
    w.men = add_people(w, 9, sex="male")
    add_people(w, 2, sex="other", consent=False)
    w.other_dpo = UserFactory(username="other-dpo")
    services.add_staff(
        actor=None, user=w.other_dpo, organization=w.other, role=CaseRole.DATA_PROTECTION_OFFICER
    )
    return w


def make_draft(
    world: SimpleNamespace, title: str = "Persons assisted, by sex"
) -> StatisticsRelease:
    """A k-suppressed draft by sex, built by HOME's DPO through the service."""
    return case_releases.build_case_release(world.dpo, KEY, ["sex"], "k_suppression", title=title)


def build(client, **changes: Any):
    data = {
        "dataset": KEY,
        "first_dimension": "sex",
        "second_dimension": "",
        "method": "k_suppression",
        "k": "11",
        "epsilon": "",
        "max_contributions": "1",
        "title": "Persons assisted, by sex",
        **changes,
    }
    return client.post(NEW, data)


# --- permissions -----------------------------------------------------------------------------


def test_anonymous_reads_published_releases_only(client, world):
    published = releases.publish_release(world.dpo, make_draft(world))
    draft = make_draft(world, "Draft table")
    page = client.get(LIST)
    assert page.status_code == 200
    assert published.title in page.content.decode()
    assert "Draft table" not in page.content.decode()
    assert client.get(detail(published)).status_code == 200
    assert client.get(detail(draft)).status_code == 404
    assert client.get(reverse("statistics:release_csv", args=[draft.pk])).status_code == 404
    # Building and publishing need a sign-in; nothing changes.
    assert client.get(NEW).status_code == 302
    response = client.post(reverse("statistics:release_publish", args=[draft.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    draft.refresh_from_db()
    assert draft.status == ReleaseStatus.DRAFT


def test_caseworkers_and_other_organizations_dpos_cannot_see_drafts_or_build(client, world):
    draft = make_draft(world)
    for user in (world.cw1, world.admin, world.other_dpo):
        client.force_login(user)
        assert client.get(detail(draft)).status_code == 404, user
        response = client.post(reverse("statistics:release_publish", args=[draft.pk]))
        assert response.status_code == 404, user
        response = client.post(reverse("statistics:release_withdraw", args=[draft.pk]))
        assert response.status_code == 404, user
    client.force_login(world.cw1)
    assert client.get(NEW).status_code == 403
    assert build(client).status_code == 403
    assert client.get(BUDGETS).status_code == 403
    draft.refresh_from_db()
    assert draft.status == ReleaseStatus.DRAFT
    assert StatisticsRelease.objects.count() == 1


def test_a_published_release_cannot_be_withdrawn_by_a_reader(client, world):
    release = releases.publish_release(world.dpo, make_draft(world))
    client.force_login(world.cw1)
    page = client.get(detail(release))
    assert page.status_code == 200
    assert b"Withdraw" not in page.content
    response = client.post(reverse("statistics:release_withdraw", args=[release.pk]))
    assert response.status_code == 403
    release.refresh_from_db()
    assert release.status == ReleaseStatus.PUBLISHED


def test_a_dpo_releases_only_their_own_organizations_data_sets(client, world):
    client.force_login(world.other_dpo)
    page = client.get(NEW)
    assert page.status_code == 200
    assert OTHER_KEY in page.content.decode()
    assert KEY not in page.content.decode()
    response = build(client, dataset=KEY)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not StatisticsRelease.objects.exists()
    # The service refuses too, whatever the page offers.
    with pytest.raises((PermissionDenied, ValidationError)):
        case_releases.build_case_release(world.other_dpo, KEY, ["sex"], "k_suppression")
    draft = make_draft(world)
    with pytest.raises(PermissionDenied):
        releases.publish_release(world.other_dpo, draft)


def test_an_organization_membership_dpo_and_a_superuser_may_release_too(client, world):
    """Both kinds of data protection officer agree: the membership role (core.Role) and the
    case-management staff role."""
    member = UserFactory(username="member-dpo")
    MembershipFactory(user=member, organization=world.home, role=Role.DATA_PROTECTION_OFFICER)
    for user in (member, UserFactory(username="root", is_superuser=True, is_staff=True)):
        client.force_login(user)
        assert KEY in client.get(NEW).content.decode()
    assert member.has_perm("statistics.publish_statisticsrelease", KEY)
    assert not member.has_perm("statistics.publish_statisticsrelease", OTHER_KEY)
    assert world.dpo.has_perm("statistics.publish_statisticsrelease", KEY)
    assert not world.dpo.has_perm("statistics.publish_statisticsrelease", OTHER_KEY)


# --- building --------------------------------------------------------------------------------


def test_a_dpo_builds_a_k_suppressed_draft_and_sees_the_method(client, world):
    client.force_login(world.dpo)
    response = build(client, second_dimension="age_band")
    assert response.status_code == 302, response.content.decode()[:3000]
    release = StatisticsRelease.objects.get()
    assert response["Location"] == detail(release)
    assert release.dataset_key == KEY
    assert release.person_count == 24  # the two who did not consent are not counted
    page = client.get(detail(release)).content.decode()
    assert "Cells under 11 persons are suppressed, and enough other cells that none can be " in page
    assert "suppressed</em>" in page
    assert "Draft: not public." in page
    assert "Publish" in page
    assert ">24<" in page  # the grand total
    for row in releases.release_table(release):
        assert row["value"] is None or row["value"] == 0 or row["value"] >= 11


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"k": "3"}, "k", "greater than or equal to 5"),
        ({"first_dimension": "colour"}, "first_dimension", "Select a valid choice"),
        ({"second_dimension": "sex"}, "second_dimension", "Choose another attribute"),
        ({"method": "differential_privacy"}, "epsilon", "Give epsilon"),
    ],
)
def test_bad_input_is_shown_on_its_field_and_nothing_is_written(
    client, world, changes, field, message
):
    client.force_login(world.dpo)
    response = build(client, **changes)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert field in response.context["form"].errors
    assert not StatisticsRelease.objects.exists()


def test_a_protection_attribute_is_refused_for_another_case_type(client, world):
    client.force_login(world.dpo)
    response = build(client, dataset="cases.HOME.avrr", first_dimension="protection_shelter")
    assert response.status_code == 400
    assert "This data set has no such attribute." in response.content.decode()


def test_a_table_of_fewer_than_k_persons_is_refused_with_the_reason(client, world):
    client.force_login(world.dpo)
    response = build(client, dataset="cases.HOME.avrr")  # one case, and no consent
    assert response.status_code == 400
    text = response.content.decode()
    assert "Nothing was built" in text
    assert "fewer than k = 11" in text
    assert not StatisticsRelease.objects.exists()


def test_a_dp_release_needs_a_budget_and_stops_when_it_is_spent(client, world):
    client.force_login(world.dpo)
    dp = {"method": "differential_privacy", "epsilon": "0.6", "max_contributions": "1"}
    response = build(client, **dp)
    assert response.status_code == 400
    assert "No privacy budget is set" in response.content.decode()
    assert client.post(BUDGETS, {"dataset": KEY, "total_epsilon": "1"}).status_code == 302
    assert build(client, **dp).status_code == 302
    release = StatisticsRelease.objects.get()
    page = client.get(detail(release)).content.decode()
    assert "epsilon = 0.6" in page
    assert "Privacy unit: one person" in page
    assert "discrete Laplace" in page
    assert "epsilon 0.4 of 1" in page
    assert "suppressed</em>" not in page
    response = build(client, **dp)
    assert response.status_code == 400
    assert "but only 0.4" in response.content.decode()
    assert "it is refused" in response.content.decode()
    assert StatisticsRelease.objects.count() == 1
    assert PrivacyBudgetSpend.objects.count() == 1
    # The budget cannot drop below what is spent.
    response = client.post(BUDGETS, {"dataset": KEY, "total_epsilon": "0.5"})
    assert response.status_code == 400
    assert "has already been spent" in response.content.decode()


def test_a_dpo_cannot_budget_another_organizations_data_set(client, world):
    client.force_login(world.other_dpo)
    response = client.post(BUDGETS, {"dataset": KEY, "total_epsilon": "5"})
    assert response.status_code == 400
    assert releases.remaining_epsilon(KEY) == 0


# --- publishing, withdrawing, downloading ----------------------------------------------------


def test_publish_then_withdraw_through_the_pages(client, world):
    client.force_login(world.dpo)
    build(client)
    release = StatisticsRelease.objects.get()
    response = client.post(reverse("statistics:release_publish", args=[release.pk]), follow=True)
    assert "Published: anyone can now read this table." in response.content.decode()
    release.refresh_from_db()
    assert release.status == ReleaseStatus.PUBLISHED
    again = client.post(reverse("statistics:release_publish", args=[release.pk]), follow=True)
    assert "Only a draft can be published" in again.content.decode()

    client.logout()
    csv_url = reverse("statistics:release_csv", args=[release.pk])
    download = client.get(csv_url)
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["sex", "persons", "suppressed"]
    assert ["total", "24", "no"] in rows
    assert ["male", "", "yes"] in rows  # 9 persons: suppressed

    client.force_login(world.dpo)
    client.post(reverse("statistics:release_withdraw", args=[release.pk]))
    release.refresh_from_db()
    assert release.status == ReleaseStatus.WITHDRAWN
    client.logout()
    assert client.get(detail(release)).status_code == 404
    assert client.get(csv_url).status_code == 404
    assert release.title not in client.get(LIST).content.decode()


def test_the_csv_neutralises_formula_looking_values(client, world):
    """Case data sets only hold codes, but a release of another data set may carry any code
    list: a category that a spreadsheet would run is prefixed with an apostrophe."""
    formula = '=HYPERLINK("http://example.org","x")'
    records = [(f"p{n}", {"kind": formula if n % 2 else "-1+2"}) for n in range(30)]
    release = releases.build_release(
        world.dpo,
        "survey.sample",
        records,
        ["kind"],
        "k_suppression",
        categories={"kind": [formula, "-1+2"]},
    )
    releases.publish_release(world.dpo, release)
    download = client.get(reverse("statistics:release_csv", args=[release.pk]))
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert ["'" + formula, "15", "no"] in rows
    assert ["'-1+2", "15", "no"] in rows
    assert not any(cell.startswith(("=", "-", "+", "@")) for row in rows for cell in row)


# --- the differencing attack through the pages ----------------------------------------------


def test_the_differencing_attack_is_refused_through_the_pages(client, world):
    """Publish a table, withdraw one person's consent, and ask for the same table again: the
    two tables would differ by that one person, so the new one is refused, saying why, and
    nothing is written."""
    client.force_login(world.dpo)
    assert build(client).status_code == 302
    first = StatisticsRelease.objects.get()
    client.post(reverse("statistics:release_publish", args=[first.pk]))

    target = world.women[0].person
    consent = Consent.objects.get(person=target, purpose=ConsentPurpose.STATISTICS)
    services.withdraw_consent(actor=world.cw1, consent=consent, reason="asked to be left out")

    for changes in (
        {},
        {"second_dimension": "age_band"},
        {"first_dimension": "age_band", "second_dimension": "sex"},
    ):
        response = build(client, title="Again, one person fewer", **changes)
        text = response.content.decode()
        assert response.status_code == 400, changes
        assert f"differ from release {first.pk}" in text
        assert "by fewer than k = 11" in text
        assert str(target.public_id) not in text
    assert list(StatisticsRelease.objects.all()) == [first]
    # Once at least k persons have come or gone, a new table may be released.
    add_people(world, 12, sex="female")
    assert build(client, title="Eleven more").status_code == 302
    second = StatisticsRelease.objects.exclude(pk=first.pk).get()
    assert second.person_count == 24 - 1 + 12
