"""The GCM's review calendar: the schedule's rules, cycles made once and kept as corrected,
the public calendar and cycle pages, and the iCalendar export."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from migration_hub.reviews import schedule, services
from migration_hub.reviews.choices import Commission, CycleKind, CycleStatus, ReviewStatus
from migration_hub.reviews.models import Cycle, Review

# --- The schedule's rules ----------------------------------------------------------------------


def by_kind(specs, kind):
    return [spec for spec in specs if spec.kind == kind]


def test_the_imrf_meets_every_four_years_from_2022():
    specs = schedule.gcm_schedule(2030)
    imrfs = by_kind(specs, CycleKind.IMRF)
    assert [spec.year for spec in imrfs] == [2022, 2026, 2030]
    first = imrfs[0]
    assert (first.starts_on, first.ends_on, first.confirmed) == (
        date(2022, 5, 17),
        date(2022, 5, 20),
        True,
    )
    for spec in imrfs[1:]:
        assert not spec.confirmed
        assert spec.starts_on.month == 5 and spec.starts_on.weekday() == 1  # a Tuesday in May
        assert spec.due_on < spec.starts_on


def test_regional_reviews_every_four_years_from_2020_by_each_commission():
    regionals = by_kind(schedule.gcm_schedule(2030), CycleKind.REGIONAL)
    assert sorted({spec.year for spec in regionals}) == [2020, 2024, 2028]
    for year in (2020, 2024, 2028):
        held = sorted(spec.commission for spec in regionals if spec.year == year)
        assert held == sorted(Commission.values)
        assert len(held) == 5


def test_the_secretary_general_reports_every_two_years_and_12_weeks_before_an_imrf():
    specs = schedule.gcm_schedule(2030)
    reports = {spec.year: spec for spec in by_kind(specs, CycleKind.SG_REPORT)}
    assert sorted(reports) == list(range(2020, 2031, 2))
    assert reports[2020].due_on == date(2020, 12, 1)
    assert reports[2020].confirmed
    imrfs = {spec.year: spec for spec in by_kind(specs, CycleKind.IMRF)}
    for year, imrf in imrfs.items():
        assert reports[year].due_on == imrf.starts_on - timedelta(weeks=12)
    assert reports[2024].due_on == date(2024, 12, 1)


def test_the_schedule_is_in_date_order():
    specs = schedule.gcm_schedule(2030)
    assert [spec.due_on for spec in specs] == sorted(spec.due_on for spec in specs)


# --- Making the cycles -------------------------------------------------------------------------


@pytest.mark.django_db
def test_ensure_cycles_is_idempotent_and_keeps_corrected_dates():
    created = services.ensure_cycles(until_year=2030)
    assert created == len(schedule.gcm_schedule(2030)) == 3 + 15 + 6
    imrf = Cycle.objects.get(kind=CycleKind.IMRF, year=2026)
    imrf.starts_on, imrf.ends_on, imrf.dates_confirmed = date(2026, 5, 5), date(2026, 5, 8), True
    imrf.save()

    assert services.ensure_cycles(until_year=2030) == 0
    assert Cycle.objects.count() == created
    assert services.ensure_cycles(until_year=2034) == len(schedule.gcm_schedule(2034)) - created
    imrf.refresh_from_db()
    assert (imrf.starts_on, imrf.ends_on, imrf.dates_confirmed) == (
        date(2026, 5, 5),
        date(2026, 5, 8),
        True,
    )


def test_cycle_status_follows_its_dates():
    cycle = Cycle(
        kind=CycleKind.IMRF,
        year=2026,
        opens_on=date(2025, 1, 1),
        due_on=date(2026, 1, 27),
        starts_on=date(2026, 5, 19),
        ends_on=date(2026, 5, 22),
    )
    assert cycle.status(date(2024, 12, 31)) == CycleStatus.UPCOMING
    assert cycle.status(date(2026, 1, 27)) == CycleStatus.OPEN
    assert cycle.status(date(2026, 5, 20)) == CycleStatus.IN_REVIEW
    assert cycle.status(date(2026, 5, 23)) == CycleStatus.COMPLETED


# --- The pages ---------------------------------------------------------------------------------


CALENDAR = reverse("reviews:cycle_list")
ICS = reverse("reviews:calendar_ics")


def test_the_calendar_is_public_and_grouped_by_year(client, cycles, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get(CALENDAR)
    assert response.status_code == 200
    html = response.content.decode()
    for year in range(2020, 2031, 2):  # every cycle is held in an even year
        assert f'id="year-{year}"' in html
    assert 'id="year-2021"' not in html
    assert html.index('id="year-2020"') < html.index('id="year-2026"')
    assert "IMRF 2026" in html
    assert 'data-cycle="regional-2024-ESCAP"' in html
    assert "Dates confirmed" in html
    assert "Expected under the GCM&#x27;s rules" in html
    imrf = cycles[(CycleKind.IMRF, 2026, "")]
    assert imrf.get_absolute_url() in html
    assert reverse("reviews:calendar_ics") in html


def test_the_calendar_shows_each_cycles_status(client, cycles):
    html = client.get(CALENDAR, {"kind": "imrf"}).content.decode()
    for year in (2022, 2026, 2030):
        cycle = cycles[(CycleKind.IMRF, year, "")]
        row = html.split(f'data-cycle="imrf-{year}"', 1)[1].split("</tr>", 1)[0]
        assert f'data-status="{cycle.status()}"' in row
    assert 'data-status="completed"' in html  # 2022


def test_the_calendar_filters_by_kind_and_year(client, cycles):
    html = client.get(CALENDAR, {"kind": "imrf"}).content.decode()
    assert html.count('data-cycle="imrf-') == 3
    assert 'data-cycle="regional-' not in html
    html = client.get(CALENDAR, {"year": "2024"}).content.decode()
    assert html.count('data-cycle="regional-2024-') == 5
    assert 'data-cycle="sg_report-2024"' in html
    assert "IMRF 2026" not in html
    response = client.get(CALENDAR, {"year": "1999"})
    assert response.status_code == 200
    assert "data-cycle=" not in response.content.decode()
    assert "Select a valid choice" in response.content.decode()


def test_a_cycle_page_counts_submitted_and_late_reviews(
    client, complete_review, focal_point, imrf_2026, secretariat_editor
):
    url = imrf_2026.get_absolute_url()
    assert url == reverse("reviews:cycle_detail", kwargs={"pk": imrf_2026.pk})
    html = client.get(url).content.decode()
    assert "0 reviews submitted" in html
    services.submit_review(focal_point, complete_review)  # the deadline was 27 January 2026
    Review.objects.filter(pk=complete_review.pk).update(is_late=True)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 review submitted" in html
    assert "1 of them after the deadline" in html
    assert 'id="cycle-deadline"' in html
    assert imrf_2026.due_on.isoformat() in html
    assert f'data-status="{imrf_2026.status()}"' in html
    assert reverse("reviews:cycle_ics", kwargs={"pk": imrf_2026.pk}) in html
    assert Review.objects.get(pk=complete_review.pk).status == ReviewStatus.SUBMITTED


def test_an_unknown_cycle_is_404(client, db):
    assert client.get(reverse("reviews:cycle_detail", kwargs={"pk": 999999})).status_code == 404


# --- iCalendar ---------------------------------------------------------------------------------


def events_of(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    return calendar, list(calendar.walk("VEVENT"))


def test_the_ics_has_a_deadline_and_an_event_per_cycle(client, cycles):
    calendar, events = events_of(client.get(ICS))
    assert str(calendar["VERSION"]) == "2.0"
    assert calendar["PRODID"]
    with_dates = [cycle for cycle in cycles.values() if cycle.starts_on]
    assert len(events) == len(cycles) + len(with_dates)
    uids = [str(event["UID"]) for event in events]
    assert len(set(uids)) == len(uids)
    for event in events:
        assert isinstance(event["DTSTAMP"].dt, datetime)
        start, end = event["DTSTART"].dt, event["DTEND"].dt
        assert type(start) is date and type(end) is date  # all-day
        assert end > start
    forum = next(e for e in events if str(e["UID"]).startswith("gcm-imrf-2022-all-event@"))
    assert (forum["DTSTART"].dt, forum["DTEND"].dt) == (date(2022, 5, 17), date(2022, 5, 21))
    deadline = next(e for e in events if str(e["UID"]).startswith("gcm-sg_report-2020-all-dead"))
    assert deadline["DTSTART"].dt == date(2020, 12, 1)
    assert "report due" in str(deadline["SUMMARY"])

    # The same UIDs on every download, so calendar programs update rather than duplicate.
    _calendar, again = events_of(client.get(ICS))
    assert [str(event["UID"]) for event in again] == uids


def test_the_ics_follows_the_filters_and_one_cycle_has_its_own(client, cycles):
    _calendar, events = events_of(client.get(ICS, {"kind": "imrf"}))
    assert len(events) == 6  # three deadlines and three forums
    assert client.get(ICS, {"year": "abc"}).status_code == 400

    regional = cycles[(CycleKind.REGIONAL, 2024, "ECA")]
    response = client.get(reverse("reviews:cycle_ics", kwargs={"pk": regional.pk}))
    _calendar, events = events_of(response)
    assert "gcm-regional-2024-eca.ics" in response["Content-Disposition"]
    assert sorted(str(event["UID"]).split("@")[0] for event in events) == [
        "gcm-regional-2024-eca-deadline",
        "gcm-regional-2024-eca-event",
    ]
    event = next(e for e in events if "-event@" in str(e["UID"]))
    assert event["DTSTART"].dt == regional.starts_on
    assert event["DTEND"].dt == regional.ends_on + timedelta(days=1)
    assert regional.get_absolute_url() in str(event["URL"])


def test_the_cycle_page_lists_that_cycles_reviews(client, complete_review, focal_point, imrf_2026):
    client.force_login(focal_point)
    page = client.get(imrf_2026.get_absolute_url()).content.decode()
    link = page.split('href="/reviews/?', 1)[1].split('"', 1)[0].replace("&amp;", "&")

    listed = client.get(f"/reviews/?{link}").content.decode()

    assert link == f"cycle_id={imrf_2026.pk}"
    assert complete_review.title in listed
