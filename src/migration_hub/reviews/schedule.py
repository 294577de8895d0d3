"""The GCM's review schedule, computed from its rules (A/RES/73/195 paras 49-50, A/RES/73/326).

- The IMRF meets every four years from 2022 (17-20 May 2022 in New York).
- Regional reviews are held in the years between, from 2020, by each UN regional commission;
  a round starts in the year two years before an IMRF and may run into the next year.
- The Secretary-General reports every two years from 2020 (the first report on 1 December
  2020); the report before an IMRF must be out at least 12 weeks before the forum opens.

Dates the rules do not fix are defaults marked unconfirmed; the secretariat corrects them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .choices import Commission, CycleKind

FIRST_IMRF = 2022
IMRF_EVERY = 4
FIRST_REGIONAL = 2020
FIRST_SG_REPORT = 2020
SG_REPORT_EVERY = 2
SG_REPORT_BEFORE_IMRF = timedelta(weeks=12)
# Voluntary reviews for an IMRF are due early enough to inform the SG's report.
REVIEWS_BEFORE_IMRF = timedelta(weeks=16)

IMRF_SOURCE = "A/RES/73/195 para 49; A/RES/73/326"
REGIONAL_SOURCE = "A/RES/73/195 para 50; migrationnetwork.un.org/regional-reviews-2024"
SG_SOURCE = "A/RES/73/195 para 46; A/RES/73/326; migrationnetwork.un.org/un-sg-biennial-reports"

# Dates that happened, with their source; everything else follows the rules above.
CONFIRMED = {
    (CycleKind.IMRF, 2022): (date(2022, 5, 17), date(2022, 5, 20)),
    (CycleKind.SG_REPORT, 2020): (date(2020, 12, 1), date(2020, 12, 1)),
}


@dataclass(frozen=True)
class CycleSpec:
    kind: str
    year: int
    commission: str
    opens_on: date
    due_on: date
    starts_on: date | None
    ends_on: date | None
    confirmed: bool
    source: str


def is_imrf_year(year: int) -> bool:
    return year >= FIRST_IMRF and (year - FIRST_IMRF) % IMRF_EVERY == 0


def is_regional_year(year: int) -> bool:
    return year >= FIRST_REGIONAL and (year - FIRST_REGIONAL) % IMRF_EVERY == 0


def is_sg_report_year(year: int) -> bool:
    return year >= FIRST_SG_REPORT and (year - FIRST_SG_REPORT) % SG_REPORT_EVERY == 0


def third_tuesday_of_may(year: int) -> date:
    first = date(year, 5, 1)
    first_tuesday = first + timedelta(days=(1 - first.weekday()) % 7)
    return first_tuesday + timedelta(weeks=2)


def imrf_dates(year: int) -> tuple[date, date, bool]:
    """(opens, closes, confirmed): the 2022 forum's dates, else a May forum like 2022's."""
    if (CycleKind.IMRF, year) in CONFIRMED:
        start, end = CONFIRMED[(CycleKind.IMRF, year)]
        return start, end, True
    start = third_tuesday_of_may(year)
    return start, start + timedelta(days=3), False


def imrf(year: int) -> CycleSpec:
    start, end, confirmed = imrf_dates(year)
    return CycleSpec(
        kind=CycleKind.IMRF,
        year=year,
        commission="",
        opens_on=date(year - 1, 1, 1),
        due_on=start - REVIEWS_BEFORE_IMRF,
        starts_on=start,
        ends_on=end,
        confirmed=confirmed,
        source=IMRF_SOURCE,
    )


def regional(year: int, commission: str) -> CycleSpec:
    return CycleSpec(
        kind=CycleKind.REGIONAL,
        year=year,
        commission=commission,
        opens_on=date(year, 1, 1),
        due_on=date(year, 6, 30),
        starts_on=date(year, 7, 1),
        ends_on=date(year + 1, 12, 31),
        confirmed=False,
        source=REGIONAL_SOURCE,
    )


def sg_report(year: int) -> CycleSpec:
    if (CycleKind.SG_REPORT, year) in CONFIRMED:
        due, _end = CONFIRMED[(CycleKind.SG_REPORT, year)]
        confirmed = True
    elif is_imrf_year(year):
        due = imrf_dates(year)[0] - SG_REPORT_BEFORE_IMRF
        confirmed = False
    else:
        due, confirmed = date(year, 12, 1), False
    return CycleSpec(
        kind=CycleKind.SG_REPORT,
        year=year,
        commission="",
        opens_on=date(year, 1, 1) if due.month > 3 else date(year - 1, 7, 1),
        due_on=due,
        starts_on=None,
        ends_on=None,
        confirmed=confirmed,
        source=SG_SOURCE,
    )


def gcm_schedule(until_year: int) -> list[CycleSpec]:
    """Every cycle from 2020 up to and including `until_year`, in date order."""
    specs: list[CycleSpec] = []
    for year in range(FIRST_REGIONAL, until_year + 1):
        if is_regional_year(year):
            specs.extend(regional(year, commission) for commission in Commission.values)
        if is_sg_report_year(year):
            specs.append(sg_report(year))
        if is_imrf_year(year):
            specs.append(imrf(year))
    return sorted(specs, key=lambda spec: (spec.due_on, spec.kind, spec.commission))
