"""The assessment dashboard: counts by panel site and destination, TB yield and turnaround,
over the assessments the user may see (`selectors.assessments_for`).

- TB yield: the share of classified assessments (those with a TB class) whose class is A or
  B1, i.e. suspected or confirmed TB. Unclassified assessments are not in the denominator.
- Turnaround: the median number of days from the appointment to the certificate, over the
  assessments with a certificate.

Only counts leave this module: no name, no result.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from .choices import Destination
from .models import Assessment, PanelSite
from .selectors import assessments_for
from .workflow_choices import TB_SUSPECTED_CLASSES, AssessmentStatus


@dataclass
class Row:
    """Counts of one site or destination."""

    key: str
    label: str
    by_status: dict[str, int] = field(default_factory=dict)
    classified: int = 0
    tb_suspected: int = 0
    turnaround_days: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def status_counts(self) -> list[int]:
        return [self.by_status.get(status, 0) for status in AssessmentStatus.values]

    @property
    def tb_yield(self) -> Decimal | None:
        """Percent of classified assessments with TB class A or B1; None when none is classified."""
        if not self.classified:
            return None
        return (Decimal(self.tb_suspected) * 100 / self.classified).quantize(Decimal("0.1"))

    @property
    def median_turnaround(self) -> float | None:
        if not self.turnaround_days:
            return None
        return float(statistics.median(self.turnaround_days))


@dataclass
class Dashboard:
    total: Row
    by_site: list[Row]
    by_destination: list[Row]
    statuses: list[tuple[str, str]]


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def filtered(
    user: Any,
    *,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    site: PanelSite | None = None,
) -> QuerySet[Assessment]:
    """The user's assessments with an appointment in [since, until] (days, inclusive)."""
    assessments = assessments_for(user)
    if since is not None:
        assessments = assessments.filter(appointment_at__date__gte=since)
    if until is not None:
        assessments = assessments.filter(appointment_at__date__lte=until)
    if site is not None:
        assessments = assessments.filter(site=site)
    return assessments


def dashboard_for(
    user: Any,
    *,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    site: PanelSite | None = None,
) -> Dashboard:
    """Counts of the user's assessments, by site and by destination (see the module's doc)."""
    assessments = filtered(user, since=since, until=until, site=site)
    total = Row("all", "")
    sites: dict[int, Row] = {}
    destinations: dict[str, Row] = {}

    def rows_for(site_id: int, site_name: str, destination: str) -> list[Row]:
        if site_id not in sites:
            sites[site_id] = Row(str(site_id), site_name)
        if destination not in destinations:
            label = (
                str(Destination(destination).label)
                if destination in Destination.values
                else destination
            )
            destinations[destination] = Row(destination, label)
        return [total, sites[site_id], destinations[destination]]

    counts = (
        assessments.order_by()
        .values_list("site_id", "site__name", "destination", "status", "tb_class")
        .annotate(n=Count("id"))
    )
    for site_id, site_name, destination, status, tb_class, n in counts:
        for row in rows_for(site_id, site_name, destination):
            row.by_status[status] = row.by_status.get(status, 0) + n
            if tb_class:
                row.classified += n
                if tb_class in TB_SUSPECTED_CLASSES:
                    row.tb_suspected += n
    turnaround: dict[tuple[int, str], list[int]] = defaultdict(list)
    for site_id, destination, appointment_at, issued_at in assessments.filter(
        certificate__isnull=False
    ).values_list("site_id", "destination", "appointment_at", "certificate__issued_at"):
        days = (_local_day(issued_at) - _local_day(appointment_at)).days
        turnaround[site_id, destination].append(max(days, 0))
    for (site_id, destination), days in turnaround.items():
        total.turnaround_days += days
        sites[site_id].turnaround_days += days
        destinations[destination].turnaround_days += days
    return Dashboard(
        total=total,
        by_site=sorted(sites.values(), key=lambda row: row.label),
        by_destination=sorted(destinations.values(), key=lambda row: row.label),
        statuses=list(AssessmentStatus.choices),
    )
