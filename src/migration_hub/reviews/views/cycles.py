"""The GCM's review calendar: every cycle (IMRFs, regional reviews, the Secretary-General's
reports) by year, one cycle's page, and the calendar as iCalendar for any calendar program.

The schedule is public information, so these pages need no sign-in (`reviews.view_cycle` is
always allowed). Dates come from `schedule.py`'s rules until the secretariat confirms them;
every page says which dates are confirmed and which are only expected.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from typing import Any

from django import forms
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from icalendar import Calendar, Event
from rules.contrib.views import PermissionRequiredMixin

from .. import selectors
from ..choices import CycleKind, CycleStatus, ReviewStatus
from ..models import Cycle

VIEW = "reviews.view_cycle"
ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"
UID_DOMAIN = "migration-hub.calendar"
PRODID = "-//Migration Hub//GCM review calendar//EN"


class CycleFilterForm(forms.Form):
    """The calendar's filters: a kind of cycle and a year, both optional."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("All kinds")), *CycleKind.choices],
    )
    year = forms.TypedChoiceField(
        label=gettext_lazy("Year"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, years: Iterable[int] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [
            ("", gettext_lazy("All years")),
            *((str(year), str(year)) for year in years),
        ]

    def filter(self, queryset: QuerySet[Cycle]) -> QuerySet[Cycle]:
        """The cycles the filters keep; none when a filter is invalid."""
        if not self.is_bound:
            return queryset
        if not self.is_valid():
            return queryset.none()
        if self.cleaned_data.get("kind"):
            queryset = queryset.filter(kind=self.cleaned_data["kind"])
        if self.cleaned_data.get("year"):
            queryset = queryset.filter(year=self.cleaned_data["year"])
        return queryset


def filtered_cycles(request: HttpRequest) -> tuple[CycleFilterForm, QuerySet[Cycle]]:
    years = selectors.cycles().order_by("year").values_list("year", flat=True).distinct()
    data = request.GET if any(request.GET.get(name) for name in ("kind", "year")) else None
    form = CycleFilterForm(data, years=list(years))
    return form, form.filter(selectors.cycles()).order_by("year", "due_on", "kind", "commission")


def dates_note(cycle: Cycle) -> str:
    if cycle.dates_confirmed:
        return _("Dates confirmed")
    return _("Expected under the GCM's rules")


class CycleCalendarView(PermissionRequiredMixin, TemplateView):
    """Every cycle, grouped by year, with its dates and where it stands today."""

    permission_required = VIEW
    template_name = "reviews/cycle_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form, cycles = filtered_cycles(self.request)
        today = timezone.localdate()
        statuses = dict(CycleStatus.choices)
        rows = [
            {"cycle": cycle, "status": cycle.status(today), "dates_note": dates_note(cycle)}
            for cycle in cycles
        ]
        for row in rows:
            row["status_label"] = statuses[row["status"]]
        years = [
            (year, list(items)) for year, items in groupby(rows, key=lambda row: row["cycle"].year)
        ]
        query = self.request.GET.urlencode() if form.is_bound and form.is_valid() else ""
        return super().get_context_data(
            form=form,
            years=years,
            count=len(rows),
            today=today,
            ics_url=reverse("reviews:calendar_ics") + (f"?{query}" if query else ""),
            **kwargs,
        )


class CycleDetailView(PermissionRequiredMixin, TemplateView):
    """One cycle: its dates, where it stands, and how many reviews reached it (late ones too)."""

    permission_required = VIEW
    template_name = "reviews/cycle_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        cycle = get_object_or_404(selectors.cycles(), pk=self.kwargs["pk"])
        # Counts only: no review's content is read, so the count is public like the cycle.
        submitted = Q(status__in=[ReviewStatus.SUBMITTED, ReviewStatus.PUBLISHED])
        counts = cycle.reviews.aggregate(
            submitted=Count("pk", filter=submitted),
            late=Count("pk", filter=submitted & Q(is_late=True)),
        )
        status = cycle.status()
        return super().get_context_data(
            cycle=cycle,
            status=status,
            status_label=CycleStatus(status).label,
            dates_note=dates_note(cycle),
            submitted_count=counts["submitted"],
            late_count=counts["late"],
            reviews_url=f"{reverse('reviews:review_list')}?cycle_id={cycle.pk}",
            pledges_url=f"{reverse('reviews:pledge_list')}?cycle={cycle.year}",
            can_view_pledges=self.request.user.has_perm("reviews.view_pledge"),
            **kwargs,
        )


# --- iCalendar ---------------------------------------------------------------------------------


def _uid(cycle: Cycle, what: str) -> str:
    """A UID that stays the same however often the calendar is downloaded or the database
    rebuilt: from the cycle's natural key, not its row id."""
    return (
        f"gcm-{cycle.kind}-{cycle.year}-{(cycle.commission or 'all').lower()}-{what}@{UID_DOMAIN}"
    )


def _stamp(cycle: Cycle) -> datetime:
    moment = cycle.updated_at or cycle.created_at or timezone.now()
    return moment.astimezone(UTC).replace(microsecond=0)


def _event(
    cycle: Cycle, what: str, summary: str, first: date, last: date, url: str, note: str
) -> Event:
    event = Event()
    event.add("uid", _uid(cycle, what))
    event.add("dtstamp", _stamp(cycle))
    event.add("summary", summary)
    # All-day: DTSTART and DTEND as dates, the end being the day after the last day.
    event.add("dtstart", first)
    event.add("dtend", last + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    event.add("description", note)
    event.add("url", url)
    event.add("categories", [str(CycleKind(cycle.kind).label)])
    return event


def cycle_events(cycle: Cycle, base_url: str) -> list[Event]:
    """One event for the cycle's deadline and one for its dates (forum, review round)."""
    url = base_url + cycle.get_absolute_url()
    note = "\n".join(
        part
        for part in (dates_note(cycle), cycle.source and _("Source: %s") % cycle.source)
        if part
    )
    if cycle.kind == CycleKind.SG_REPORT:
        deadline = _("%(title)s: report due") % {"title": cycle.title}
    else:
        deadline = _("%(title)s: voluntary reviews due") % {"title": cycle.title}
    events = [_event(cycle, "deadline", deadline, cycle.due_on, cycle.due_on, url, note)]
    if cycle.starts_on:
        events.append(
            _event(
                cycle,
                "event",
                cycle.title,
                cycle.starts_on,
                cycle.ends_on or cycle.starts_on,
                url,
                note,
            )
        )
    return events


def calendar_response(cycles: Iterable[Cycle], request: HttpRequest, filename: str) -> HttpResponse:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("GCM review calendar"))
    base_url = request.build_absolute_uri("/").rstrip("/")
    for cycle in cycles:
        for event in cycle_events(cycle, base_url):
            calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type=ICS_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CalendarIcsView(PermissionRequiredMixin, View):
    """The calendar (with the page's filters) as an .ics file."""

    permission_required = VIEW

    def get(self, request: HttpRequest) -> HttpResponse:
        form, cycles = filtered_cycles(request)
        if form.is_bound and not form.is_valid():
            return HttpResponse(
                "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        return calendar_response(cycles, request, "gcm-review-calendar.ics")


class CycleIcsView(PermissionRequiredMixin, View):
    """One cycle's dates as an .ics file."""

    permission_required = VIEW

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        cycle = get_object_or_404(selectors.cycles(), pk=pk)
        commission = f"-{cycle.commission.lower()}" if cycle.commission else ""
        name = f"gcm-{cycle.kind}-{cycle.year}{commission}.ics"
        return calendar_response([cycle], request, name)


urlpatterns = [
    path("calendar/", CycleCalendarView.as_view(), name="cycle_list"),
    path("calendar.ics", CalendarIcsView.as_view(), name="calendar_ics"),
    path("cycles/<int:pk>/", CycleDetailView.as_view(), name="cycle_detail"),
    path("cycles/<int:pk>/calendar.ics", CycleIcsView.as_view(), name="cycle_ics"),
]
