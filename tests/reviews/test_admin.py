"""The secretariat corrects a cycle's dates in the admin: the change is audited, the schedule
generator keeps it, and the kind, year and commission reviews are filed under stay fixed."""

from __future__ import annotations

from datetime import date

import pytest

from migration_hub.core.models import AuditEvent
from migration_hub.reviews import services
from migration_hub.reviews.choices import CycleKind
from migration_hub.reviews.models import Cycle
from tests.factories import UserFactory
from tests.funds.test_admin import form_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_a_corrected_deadline_is_audited_and_survives_the_schedule(admin_client, imrf_2026):
    url = f"/admin/reviews/cycle/{imrf_2026.pk}/change/"
    response = admin_client.get(url)
    data = form_values(response.context["adminform"].form)
    data.update(due_on="2026-02-15", dates_confirmed="on", year="2031")

    assert admin_client.post(url, data).status_code == 302

    imrf_2026.refresh_from_db()
    assert imrf_2026.due_on == date(2026, 2, 15)
    assert imrf_2026.year == 2026  # read-only: the posted year is ignored
    event = AuditEvent.objects.filter(target_id=str(imrf_2026.pk), metadata__via="admin").get()
    assert event.changes["due_on"] == ["2026-01-27", "2026-02-15"]
    assert services.ensure_cycles(until_year=2030) == 0
    assert Cycle.objects.get(kind=CycleKind.IMRF, year=2026).due_on == date(2026, 2, 15)


@pytest.mark.parametrize("model", ["cycle", "review", "pledge", "reportjob"])
def test_every_reviews_admin_list_opens(admin_client, complete_review, model):
    assert admin_client.get(f"/admin/reviews/{model}/").status_code == 200
