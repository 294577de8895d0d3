"""The figures of a compiled GCM report, gathered from the reviews of one cycle and one scope.

`compile_report(year, scope)` reads the reviews submitted or published to the IMRF or the
regional reviews held in `year` (a handful of queries, however many reviews), and returns a
`Report` of plain dataclasses: the coverage matrix (objectives x regions), the progress
reported on each objective, the most and least reported objectives, the practices cited, the
comparison with the previous cycle of the same kind, stakeholder participation and short
quotes linking back to their reviews. `documents.py` renders it; nothing here draws or writes.

Labels are translated when the report is compiled: call it inside the report's language.
A cycle with no reviews gives an empty report (every count zero), not an error; a year with
no review cycle, or a scope nobody knows, raises `ReportInputError` saying what is accepted.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from migration_hub.core.models import Country, Region
from migration_hub.core.selectors import in_region

from .choices import (
    Commission,
    CycleKind,
    ProgressStatus,
    ReportScopeKind,
    ReviewLevel,
    ReviewStatus,
    SectionKey,
    Stakeholder,
)
from .models import OBJECTIVE_COUNT, Cycle, Review, Section

Progress = Callable[[int, int, str], None]

COMPILED_STATUSES = (ReviewStatus.SUBMITTED, ReviewStatus.PUBLISHED)
REVIEW_KINDS = (CycleKind.IMRF, CycleKind.REGIONAL)
QUOTES_PER_OBJECTIVE = 3
QUOTE_MAX_CHARACTERS = 280
RANKED = 5  # objectives listed as most and as least reported
NOT_STATED = "not_stated"  # reported in words, without a progress status
NO_COLUMN = ""  # reviews without a commission / sub-region
STEPS = 5
_SENTENCE_END = re.compile(r"(?<=[.!?\u061f\u3002])\s+")


class ReportInputError(ValueError):
    """A cycle year or a scope the report cannot be compiled for; the message says what is
    accepted. `field` names the input ("cycle_year" or "scope")."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


# --- What a report is made of -----------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    kind: str  # ReportScopeKind
    code: str  # "global", "ECA", "002", "KEN"
    label: str
    pk: int | None = None  # the country's, for a country scope

    def reviews(self) -> Q:
        if self.kind == ReportScopeKind.COMMISSION:
            return Q(commission=self.code)
        if self.kind == ReportScopeKind.REGION:
            return Q(country__in=Country.objects.filter(in_region(self.code)).values("pk"))
        if self.kind == ReportScopeKind.COUNTRY:
            return Q(country_id=self.pk)
        return Q()


@dataclass
class Column:
    key: str
    label: str
    reviews: int = 0


@dataclass
class Quote:
    objective: int
    text: str
    entity: str
    url: str


@dataclass
class Practice:
    title: str
    url: str
    entity: str
    review_url: str
    objectives: list[int] = field(default_factory=list)
    reviews: int = 1


@dataclass
class Count:
    key: str
    label: str
    count: int


@dataclass
class ObjectiveSummary:
    number: int
    title: str
    reported: int = 0
    share: float = 0.0  # of the reviews compiled, in percent
    cells: list[int] = field(default_factory=list)  # one per coverage column
    progress: dict[str, int] = field(default_factory=dict)  # status -> reviews
    previous: int | None = None
    previous_share: float | None = None
    quotes: list[Quote] = field(default_factory=list)

    @property
    def label(self) -> str:
        return _("Objective %(number)s: %(title)s") % {"number": self.number, "title": self.title}

    @property
    def short_label(self) -> str:
        return _("O%(number)s") % {"number": self.number}


@dataclass
class ReviewRef:
    pk: int
    entity: str
    title: str
    level: str
    country: str
    column: str
    url: str


@dataclass
class Report:
    year: int
    scope: Scope
    cycles: list[str]
    column_heading: str
    columns: list[Column]
    objectives: list[ObjectiveSummary]
    reviews: list[ReviewRef]
    progress_labels: list[tuple[str, str]]
    stakeholders: list[Count]
    levels: list[Count]
    stakeholder_groups: list[Count]
    practices: list[Practice]
    previous_year: int | None = None
    previous_cycles: list[str] = field(default_factory=list)
    previous_total: int | None = None
    base_url: str = ""
    generated_at: datetime = field(default_factory=timezone.now)

    @property
    def title(self) -> str:
        return _("GCM review report %(year)s: %(scope)s") % {
            "year": self.year,
            "scope": self.scope.label,
        }

    @property
    def total(self) -> int:
        return len(self.reviews)

    @property
    def is_empty(self) -> bool:
        return not self.reviews

    @property
    def has_previous(self) -> bool:
        return self.previous_year is not None

    @property
    def most_reported(self) -> list[ObjectiveSummary]:
        ranked = sorted(self.objectives, key=lambda o: (-o.reported, o.number))
        return [o for o in ranked if o.reported][:RANKED]

    @property
    def least_reported(self) -> list[ObjectiveSummary]:
        if self.is_empty:
            return []
        return sorted(self.objectives, key=lambda o: (o.reported, o.number))[:RANKED]

    @property
    def quotes(self) -> list[Quote]:
        return [quote for objective in self.objectives for quote in objective.quotes]


# --- Inputs -----------------------------------------------------------------------------------


def parse_scope(text: str) -> Scope:
    """ "global", a regional commission (ECA...), an M49 region code ("002") or a country's
    ISO alpha-3 or alpha-2 code; anything else raises ReportInputError."""
    value = (text or "").strip()
    upper = value.upper()
    if value.lower() == ReportScopeKind.GLOBAL:
        return Scope(ReportScopeKind.GLOBAL, ReportScopeKind.GLOBAL, _("Global"))
    if upper in Commission.values:
        return Scope(ReportScopeKind.COMMISSION, upper, str(Commission(upper).label))
    if value.isdigit() and len(value) == 3:
        region = Region.objects.filter(m49_code=value).first()
        if region is None:
            raise ReportInputError(
                "scope", _("There is no M49 region with the code %(code)s.") % {"code": value}
            )
        return Scope(ReportScopeKind.REGION, value, region.name)
    if len(upper) in (2, 3) and upper.isalpha():
        country = Country.objects.filter(Q(alpha3=upper) | Q(alpha2=upper)).first()
        if country is not None:
            return Scope(ReportScopeKind.COUNTRY, country.alpha3, country.name, pk=country.pk)
    raise ReportInputError(
        "scope",
        _(
            "Unknown scope %(scope)r: give global, a regional commission (%(commissions)s), "
            "an M49 region code of three digits (002 for Africa) or a country's ISO code "
            "(KEN or KE)."
        )
        % {"scope": value, "commissions": ", ".join(Commission.values)},
    )


def review_cycles(year: int) -> list[Cycle]:
    """The IMRF and regional review cycles held in `year`; ReportInputError when none is."""
    found = list(Cycle.objects.filter(year=year, kind__in=REVIEW_KINDS))
    if not found:
        years = sorted(
            set(Cycle.objects.filter(kind__in=REVIEW_KINDS).values_list("year", flat=True))
        )
        known = ", ".join(map(str, years)) if years else _("none yet")
        raise ReportInputError(
            "cycle_year",
            _(
                "There is no IMRF or regional review in %(year)s: give the year of one "
                "(review cycles: %(years)s)."
            )
            % {"year": year, "years": known},
        )
    return found


def previous_cycles(year: int, kinds: set[str]) -> list[Cycle]:
    """The cycles of the nearest earlier year holding cycles of the same kinds."""
    earlier = (
        Cycle.objects.filter(year__lt=year, kind__in=kinds).order_by("-year").values("year")[:1]
    )
    return list(Cycle.objects.filter(year__in=earlier, kind__in=kinds))


# --- Helpers ----------------------------------------------------------------------------------


def is_reported(progress: str, text: str) -> bool:
    """An objective counts as reported when its section has a progress status or words."""
    return bool(progress or (text or "").strip())


def excerpt(text: str, limit: int = QUOTE_MAX_CHARACTERS) -> str:
    """The first sentence of `text`, cut at a word to at most `limit` characters."""
    text = " ".join((text or "").split())
    if not text:
        return ""
    sentence = _SENTENCE_END.split(text, maxsplit=1)[0]
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "\u2026"


def review_url(pk: int, base_url: str = "") -> str:
    try:
        path = reverse("reviews:review_detail", kwargs={"pk": pk})
    except NoReverseMatch:  # the review pages are not installed: link to where they live
        path = f"{reverse('reviews:cycle_list').rsplit('calendar/', 1)[0]}{pk}/"
    return f"{base_url.rstrip('/')}{path}"


def objective_titles() -> dict[int, str]:
    from migration_hub.registry.models import FrameworkItem

    codes = {f"GCM-O{number}": number for number in range(1, OBJECTIVE_COUNT + 1)}
    titles = {number: _("Objective %(number)s") % {"number": number} for number in codes.values()}
    for code, short, title in FrameworkItem.objects.filter(code__in=codes).values_list(
        "code", "short_title", "title"
    ):
        titles[codes[code]] = short or title
    return titles


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _reviews(year: int, kinds: set[str] | None, scope: Scope) -> QuerySet[Review]:
    reviews = Review.objects.filter(
        cycle__year=year, cycle__kind__in=kinds or REVIEW_KINDS, status__in=COMPILED_STATUSES
    )
    return reviews.filter(scope.reviews())


def _columns(scope: Scope, rows: list[dict]) -> tuple[str, list[Column], Callable[[dict], str]]:
    if scope.kind == ReportScopeKind.GLOBAL:
        columns = [Column(value, value) for value in Commission.values]
        columns.append(Column(NO_COLUMN, _("No commission")))
        return _("Regional commission"), columns, lambda row: row["commission"] or NO_COLUMN
    if scope.kind == ReportScopeKind.COUNTRY:
        columns = [Column(value, str(label)) for value, label in ReviewLevel.choices]
        return _("Level of the review"), columns, lambda row: row["level"]

    def sub_region(row: dict) -> str:
        return row["country__sub_region__m49_code"] or NO_COLUMN

    names = {
        row["country__sub_region__m49_code"]: row["country__sub_region__name"]
        for row in rows
        if row["country__sub_region__m49_code"]
    }
    columns = [Column(code, name) for code, name in sorted(names.items(), key=lambda i: i[1])]
    if any(not row["country__sub_region__m49_code"] for row in rows):
        columns.append(Column(NO_COLUMN, _("No sub-region")))
    return _("M49 sub-region"), columns, sub_region


# --- Compilation ------------------------------------------------------------------------------


def compile_report(
    year: int, scope: str | Scope, *, progress: Progress | None = None, base_url: str = ""
) -> Report:
    """The figures of the report on `year`'s reviews in `scope` (see the module docstring)."""

    def step(number: int, message: str) -> None:
        if progress is not None:
            progress(number, STEPS, message)

    step(0, _("Finding the cycles"))
    if not isinstance(scope, Scope):
        scope = parse_scope(scope)
    cycles = review_cycles(year)
    kinds = {cycle.kind for cycle in cycles}
    earlier = previous_cycles(year, kinds)

    step(1, _("Reading the reviews"))
    reviews = _reviews(year, kinds, scope)
    rows = list(
        reviews.order_by("entity_name", "pk").values(
            "pk",
            "entity_name",
            "title",
            "level",
            "stakeholder",
            "commission",
            "country__name",
            "country__sub_region__m49_code",
            "country__sub_region__name",
        )
    )
    column_heading, columns, column_of = _columns(scope, rows)
    index = {column.key: position for position, column in enumerate(columns)}
    levels = dict(ReviewLevel.choices)
    refs: dict[int, ReviewRef] = {}
    for row in rows:
        key = column_of(row)
        columns[index[key]].reviews += 1
        refs[row["pk"]] = ReviewRef(
            pk=row["pk"],
            entity=row["entity_name"],
            title=row["title"],
            level=str(levels.get(row["level"], row["level"])),
            country=row["country__name"] or "",
            column=key,
            url=review_url(row["pk"], base_url),
        )

    step(2, _("Reading the objectives"))
    titles = objective_titles()
    objectives = {
        number: ObjectiveSummary(
            number=number,
            title=titles[number],
            cells=[0] * len(columns),
            progress=dict.fromkeys([*ProgressStatus.values, NOT_STATED], 0),
        )
        for number in range(1, OBJECTIVE_COUNT + 1)
    }
    consulted: Counter[str] = Counter()
    practices: dict[tuple[str, str], Practice] = {}
    sections = (
        Section.objects.filter(review__in=reviews.values("pk"))
        .filter(Q(objective_number__isnull=False) | Q(key=SectionKey.METHODOLOGY))
        .order_by("review_id", "objective_number")
        .values_list("review_id", "objective_number", "progress", "text", "data")
    )
    by_objective: dict[int, list[tuple[ReviewRef, str]]] = defaultdict(list)
    for review_id, number, status, text, data in sections.iterator(chunk_size=2000):
        ref = refs.get(review_id)
        if ref is None:
            continue
        if number is None:  # methodology: who was consulted
            consulted.update(set((data or {}).get("stakeholders") or []))
            continue
        if number not in objectives or not is_reported(status, text):
            continue
        summary = objectives[number]
        summary.reported += 1
        summary.cells[index[ref.column]] += 1
        summary.progress[status or NOT_STATED] = summary.progress.get(status or NOT_STATED, 0) + 1
        if text and text.strip():
            by_objective[number].append((ref, text))
        for cited in (data or {}).get("practices") or []:
            title = str(cited.get("title", "")).strip()
            if not title:
                continue
            url = str(cited.get("url", "")).strip()
            practice = practices.get((title.casefold(), url))
            if practice is None:
                practices[(title.casefold(), url)] = Practice(
                    title, url, ref.entity, ref.url, [number]
                )
            else:
                practice.reviews += 1
                if number not in practice.objectives:
                    practice.objectives.append(number)

    for practice in practices.values():
        practice.objectives.sort()

    step(3, _("Choosing the quotes"))
    total = len(rows)
    for number, summary in objectives.items():
        summary.share = _percent(summary.reported, total)
        entities: set[str] = set()
        for ref, text in sorted(by_objective[number], key=lambda item: item[0].entity):
            if len(summary.quotes) >= QUOTES_PER_OBJECTIVE:
                break
            if ref.entity in entities:
                continue
            entities.add(ref.entity)
            summary.quotes.append(
                Quote(number, excerpt(text), ref.entity, f"{ref.url}#objective-{number}")
            )

    step(4, _("Comparing with the previous cycle"))
    previous_year = earlier[0].year if earlier else None
    previous_total = None
    if previous_year is not None:
        before = _reviews(previous_year, kinds, scope)
        previous_total = before.count()
        reported: Counter[int] = Counter()
        seen: set[tuple[int, int]] = set()
        for review_id, number, status, text in (
            Section.objects.filter(review__in=before.values("pk"), objective_number__isnull=False)
            .order_by()
            .values_list("review_id", "objective_number", "progress", "text")
            .iterator(chunk_size=2000)
        ):
            if is_reported(status, text) and (review_id, number) not in seen:
                seen.add((review_id, number))
                reported[number] += 1
        for number, summary in objectives.items():
            summary.previous = reported.get(number, 0)
            summary.previous_share = _percent(summary.previous, previous_total)

    level_counts = Counter(row["level"] for row in rows)
    group_counts = Counter(
        row["stakeholder"]
        for row in rows
        if row["level"] == ReviewLevel.STAKEHOLDER and row["stakeholder"]
    )
    step(5, _("Figures compiled"))
    return Report(
        year=year,
        scope=scope,
        cycles=[str(cycle.title) for cycle in cycles],
        column_heading=column_heading,
        columns=columns,
        objectives=list(objectives.values()),
        reviews=list(refs.values()),
        progress_labels=[
            *((value, str(label)) for value, label in ProgressStatus.choices),
            (NOT_STATED, _("No status given")),
        ],
        stakeholders=[
            Count(value, str(label), consulted.get(value, 0))
            for value, label in Stakeholder.choices
        ],
        levels=[
            Count(value, str(label), level_counts.get(value, 0))
            for value, label in ReviewLevel.choices
        ],
        stakeholder_groups=[
            Count(value, str(label), group_counts[value])
            for value, label in Stakeholder.choices
            if group_counts.get(value)
        ],
        practices=sorted(
            practices.values(), key=lambda p: (-p.reviews, min(p.objectives), p.title)
        ),
        previous_year=previous_year,
        previous_cycles=[str(cycle.title) for cycle in earlier],
        previous_total=previous_total,
        base_url=base_url,
    )
