"""Sample GCM reviews and pledges for `migration-hub demo`.

Every UN member state (the registry's memberships of the organization "UN") gets a sample
national review for the IMRF 2022 (published) and the IMRF 2026 (submitted), owned by the demo
secretariat, and about sixty sample pledges with their status reported over the cycles. Every
record is marked `is_sample` and its title starts with "[Sample]": none of it is what a state
wrote. One draft review of the demo ministry, with the demo editors as co-authors, shows the
editing. The content is generated from a seed per country and cycle, so it is the same on every
machine; a rerun creates nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from migration_hub.accounts.models import Organization, User
from migration_hub.core import audit
from migration_hub.core.choices import AuditAction
from migration_hub.core.models import Country
from migration_hub.registry.models import FrameworkItem

from . import services
from .choices import CycleKind, PledgeStatus, ProgressStatus, ReviewLevel, ReviewStatus, SectionKey
from .choices import Stakeholder as StakeholderChoice
from .models import (
    OBJECTIVE_COUNT,
    Cycle,
    Pledge,
    PledgeUpdate,
    Review,
    ReviewAuthor,
    Section,
    SectionVersion,
)
from .regions import default_commission

SAMPLE = "[Sample]"
SECRETARIAT_CODE = "DEMO-SECRETARIAT"
MINISTRY_CODE = "DEMO-MINISTRY"
REVIEW_YEARS = (2022, 2026)
LANGUAGE_BY_COMMISSION = {"ECLAC": "es", "ESCWA": "ar"}

BODIES = [
    "Ministry of Foreign Affairs",
    "Ministry of Interior",
    "Ministry of Labour",
    "National Statistics Office",
    "Ministry of Health",
    "Ministry of Education",
    "Department of Immigration",
    "National Human Rights Institution",
    "Ministry of Social Affairs",
    "Diaspora Affairs Office",
]
ACTIONS = [
    "adopted a national strategy that covers",
    "set up an inter-ministerial working group on",
    "reviewed its legislation on",
    "ran a pilot programme on",
    "signed bilateral agreements on",
    "trained frontline officials on",
    "published guidance on",
    "opened one-stop service centres for",
]
RESULTS = [
    "The first results were reported to parliament.",
    "Local authorities and civil society took part from the start.",
    "Funding remains the main constraint.",
    "Data collection was improved so that progress can be measured.",
    "Migrants' organizations were consulted on the design.",
    "The measure is being extended to every province.",
]
EVIDENCE = [
    "Annual report of the responsible ministry.",
    "Administrative records, disaggregated by sex and age.",
    "Survey of the national statistics office.",
    "Evaluation by an independent research institute.",
    "Parliamentary records and the official gazette.",
]
PRINCIPLE_TEXTS = [
    "Applied through a whole-of-government task force.",
    "Migrants' and civil society's views were collected in consultations.",
    "The review assesses every measure against human rights obligations.",
    "Gender-responsive indicators were used throughout.",
    "Child-sensitive approaches guided the measures on families.",
    "International cooperation with countries of origin and destination.",
]
CHALLENGES = [
    "Gaps in data on irregular migration and returns.",
    "Limited capacity of local governments to deliver services to migrants.",
    "Coordination between ministries remains uneven.",
    "Funding for integration measures depends on short-term projects.",
    "Climate-related displacement is rising faster than planning.",
]
SUPPORT = [
    "Technical assistance on migration statistics.",
    "Support from the Migration MPTF for a joint programme on labour mobility.",
    "Peer exchange with states that have adopted national implementation plans.",
]
NEXT_STEPS = [
    "Adopt a national GCM implementation plan.",
    "Report on the pledges made at the IMRF at the next regional review.",
    "Institutionalise consultations with migrants' organizations.",
    "Align the national migration data strategy with the GCM's indicators.",
]
PRACTICES = [
    "Skills partnership with a country of destination",
    "Digital consular registration",
    "Firewall between services and immigration enforcement",
    "Community sponsorship of newcomers",
    "Portable social security agreement",
    "Early warning system for disaster displacement",
]
PLEDGE_TITLES = [
    "Adopt a national GCM implementation plan",
    "Reduce remittance costs below 3 percent",
    "Ratify ILO Convention 189 on domestic workers",
    "End immigration detention of children",
    "Publish migration statistics disaggregated by sex and age",
    "Open regular pathways for climate-displaced people",
    "Provide consular assistance in every country of destination",
    "Recognise migrants' skills and qualifications",
]
PLEDGE_OBJECTIVES = [[1, 23], [20], [6], [13], [1], [2, 5], [14], [18]]


@dataclass
class DemoReviewsReport:
    reviews: int = 0
    sections: int = 0
    pledges: int = 0
    draft: bool = False

    def __str__(self) -> str:
        return (
            f"{self.reviews} sample national reviews ({self.sections} sections) and "
            f"{self.pledges} sample pledges"
            + ("; a draft review of the demo ministry to edit" if self.draft else "")
        )


def _rng(seed: str) -> random.Random:
    """The same sample content on every machine: a generator seeded by country and cycle."""
    return random.Random(seed)  # noqa: S311  (demo text, not security)


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=UTC)


def _review_fields(rng: random.Random, country: Country, cycle: Cycle) -> dict[str, Any]:
    commission = default_commission(country)
    late = rng.random() < 0.12
    submitted = cycle.due_on + timedelta(days=rng.randint(1, 40) if late else -rng.randint(1, 200))
    fields: dict[str, Any] = {
        "status": ReviewStatus.SUBMITTED,
        "submitted_at": _moment(submitted),
        "is_late": late,
    }
    if cycle.year == 2022:
        fields["status"] = ReviewStatus.PUBLISHED
        fields["published_at"] = _moment(min(submitted + timedelta(days=30), cycle.starts_on))
    return {
        "cycle": cycle,
        "title": f"{SAMPLE} {country.name}: voluntary GCM review {cycle.year}",
        "level": ReviewLevel.NATIONAL,
        "entity_name": country.name,
        "country": country,
        "commission": commission,
        "language": LANGUAGE_BY_COMMISSION.get(commission, "fr" if rng.random() < 0.15 else "en"),
        "period_from": cycle.year - 4,
        "period_to": cycle.year - 1,
        "is_sample": True,
        **fields,
    }


def _sections(
    rng: random.Random, review: Review, country: Country, objectives: dict[int, FrameworkItem]
) -> list[Section]:
    name = country.name
    methodology = Section(
        key=SectionKey.METHODOLOGY,
        text=(
            f"{SAMPLE} {name}'s review was prepared by a national coordination mechanism "
            f"chaired by the {rng.choice(BODIES)}, with consultations in "
            f"{rng.randint(2, 9)} regions."
        ),
        data={
            "government_bodies": rng.sample(BODIES, rng.randint(2, 5)),
            "stakeholders": sorted(rng.sample(StakeholderChoice.values, rng.randint(2, 6))),
        },
    )
    principles = Section(
        key=SectionKey.PRINCIPLES,
        data={
            code: rng.choice(PRINCIPLE_TEXTS)
            for code in sorted(rng.sample(services.GUIDING_PRINCIPLES, rng.randint(3, 7)))
        },
    )
    has_plan = rng.random() < 0.4
    plan = Section(
        key=SectionKey.IMPLEMENTATION_PLAN,
        text=f"{SAMPLE} A national implementation plan was adopted." if has_plan else "",
        data={"has_plan": has_plan},
    )
    sections = [
        methodology,
        principles,
        plan,
        Section(key=SectionKey.CHALLENGES, text=" ".join(rng.sample(CHALLENGES, 2))),
        Section(
            key=SectionKey.SUPPORT,
            text=rng.choice(SUPPORT) if rng.random() < 0.7 else "",
        ),
        Section(key=SectionKey.NEXT_STEPS, text=" ".join(rng.sample(NEXT_STEPS, 2))),
    ]
    numbers = sorted(rng.sample(range(1, OBJECTIVE_COUNT + 1), rng.randint(6, 18)))
    cited = set(rng.sample(numbers, min(len(numbers), rng.randint(1, 3))))
    for number in numbers:
        item = objectives.get(number)
        topic = item.short_title if item is not None else f"objective {number}"
        data: dict[str, Any] = {}
        if number in cited:
            data["practices"] = [{"title": rng.choice(PRACTICES), "url": ""}]
        if number == 1 and rng.random() < 0.5:
            data["indicator_values"] = [
                {"indicator": "SDG 10.7.2", "value": "Meets", "year": review.cycle.year - 1}
            ]
        sections.append(
            Section(
                key=f"objective-{number}",
                objective_number=number,
                objective=item,
                progress=rng.choices(ProgressStatus.values, weights=[1, 3, 5, 2])[0],
                text=(
                    f"{SAMPLE} {name} {rng.choice(ACTIONS)} {topic.lower()}. {rng.choice(RESULTS)}"
                ),
                evidence=rng.choice(EVIDENCE),
                data=data,
            )
        )
    for section in sections:
        section.review = review
        # Like a real save: the form's empty sections start at version 1, an objective's at 0.
        if not section.is_empty:
            section.version = 1 if section.objective_number else 2
    return sections


def _national_reviews(
    secretariat: Organization, countries: list[Country], cycles: dict[int, Cycle]
) -> tuple[list[Review], list[Section]]:
    existing = set(
        Review.objects.filter(organization=secretariat, is_sample=True).values_list(
            "cycle_id", "country_id"
        )
    )
    rngs: dict[tuple[int, int], random.Random] = {}
    reviews = []
    for year in REVIEW_YEARS:
        cycle = cycles[year]
        for country in countries:
            if (cycle.pk, country.pk) in existing:
                continue
            rng = _rng(f"{country.alpha3}-{year}")
            rngs[(cycle.pk, country.pk)] = rng
            reviews.append(Review(organization=secretariat, **_review_fields(rng, country, cycle)))
    Review.objects.bulk_create(reviews, batch_size=500)
    objectives = {
        int(item.code.removeprefix("GCM-O")): item
        for item in FrameworkItem.objects.filter(code__in=[f"GCM-O{n}" for n in range(1, 24)])
    }
    sections = [
        section
        for review in reviews
        for section in _sections(
            rngs[(review.cycle.pk, review.country.pk)], review, review.country, objectives
        )
    ]
    Section.objects.bulk_create(sections, batch_size=1000)
    SectionVersion.objects.bulk_create(
        (
            SectionVersion(
                section=section,
                number=1,
                content=section.content(),
                created_at=section.review.submitted_at or timezone.now(),
            )
            for section in sections
            if not section.is_empty
        ),
        batch_size=1000,
    )
    return reviews, sections


def _pledges(secretariat: Organization, countries: list[Country], cycles: dict[int, Cycle]) -> int:
    existing = set(
        Pledge.objects.filter(organization=secretariat, is_sample=True).values_list(
            "title", flat=True
        )
    )
    regional = {
        cycle.commission: cycle
        for cycle in Cycle.objects.filter(kind=CycleKind.REGIONAL, year=2024)
    }
    reviews = {
        (review.cycle_id, review.country_id): review.pk
        for review in Review.objects.filter(organization=secretariat, is_sample=True)
    }
    objectives = {
        item.code: item for item in FrameworkItem.objects.filter(code__startswith="GCM-O")
    }
    planned: list[tuple[Pledge, list[int], list[tuple[Cycle, str, str]]]] = []
    for index, country in enumerate(countries):
        for year, chosen in ((2022, index % 6 == 0), (2026, index % 7 == 3)):
            if not chosen:
                continue
            rng = _rng(f"pledge-{country.alpha3}-{year}")
            which = rng.randrange(len(PLEDGE_TITLES))
            title = f"{SAMPLE} {country.name}: {PLEDGE_TITLES[which]} ({year})"
            if title in existing:
                continue
            cycle = cycles[year]
            history = [(cycle, PledgeStatus.ANNOUNCED, "Announced at the IMRF.")]
            if year == 2022:
                later = regional.get(default_commission(country))
                if later is not None:
                    history.append((later, PledgeStatus.IN_PROGRESS, "Reported at the review."))
                final = rng.choice(
                    [
                        PledgeStatus.FULFILLED,
                        PledgeStatus.FULFILLED,
                        PledgeStatus.IN_PROGRESS,
                        PledgeStatus.NOT_FULFILLED,
                        PledgeStatus.WITHDRAWN,
                    ]
                )
                history.append((cycles[2026], final, "Reported at the IMRF 2026."))
            elif rng.random() < 0.5:
                history.append((cycle, PledgeStatus.IN_PROGRESS, "Work has started."))
            pledge = Pledge(
                organization=secretariat,
                entity_name=country.name,
                level=ReviewLevel.NATIONAL,
                country=country,
                cycle=cycle,
                review_id=reviews.get((cycle.pk, country.pk)),
                title=title,
                description=f"{SAMPLE} A pledge generated for the demo, not {country.name}'s.",
                due_year=year + 4,
                status=history[-1][1],
                version=len(history),
                is_sample=True,
            )
            planned.append((pledge, PLEDGE_OBJECTIVES[which], history))
    Pledge.objects.bulk_create([pledge for pledge, _numbers, _history in planned])
    Through = Pledge.objectives.through
    Through.objects.bulk_create(
        Through(pledge_id=pledge.pk, frameworkitem_id=objectives[f"GCM-O{n}"].pk)
        for pledge, numbers, _history in planned
        for n in numbers
        if f"GCM-O{n}" in objectives
    )
    PledgeUpdate.objects.bulk_create(
        PledgeUpdate(
            pledge=pledge,
            cycle=cycle,
            status=status,
            note=f"{SAMPLE} {note}",
            created_at=_moment(cycle.due_on) + timedelta(minutes=step),
        )
        for pledge, _numbers, history in planned
        for step, (cycle, status, note) in enumerate(history)
    )
    return len(planned)


def _ministry_draft(cycles: dict[int, Cycle]) -> bool:
    """A draft of the demo ministry (its editor the lead author, the secretariat's editor a
    co-author of two sections) with some sections written and others still to do."""
    ministry = Organization.objects.filter(code=MINISTRY_CODE).first()
    lead = User.objects.filter(username="demo-ministry-editor").first()
    if ministry is None or lead is None:
        return False
    if Review.objects.filter(organization=ministry, is_sample=True).exists():
        return False
    today = timezone.localdate()
    cycle = (
        Cycle.objects.filter(kind=CycleKind.IMRF, due_on__gte=today).order_by("due_on").first()
        or cycles[2026]
    )
    country = ministry.country or Country.objects.filter(alpha3="KEN").first()
    review = services.create_review(
        None,
        cycle=cycle,
        organization=ministry,
        title=f"{SAMPLE} {country.name if country else 'Demo'}: voluntary GCM review "
        f"{cycle.year} (draft)",
        level=ReviewLevel.NATIONAL,
        entity_name=country.name if country else "Demo state",
        country=country,
        language="en",
        is_sample=True,
    )
    ReviewAuthor.objects.create(review=review, user=lead, is_lead=True)
    coauthor = User.objects.filter(username="demo-editor").first()
    if coauthor is not None:
        services.add_coauthor(
            lead, review, coauthor, sections=[SectionKey.CHALLENGES, "objective-5"]
        )
    services.save_section(
        lead,
        review,
        SectionKey.METHODOLOGY,
        expected_version=1,
        text=f"{SAMPLE} A task force of five ministries drafts the review with stakeholders.",
        data={
            "government_bodies": ["Ministry of Labour", "Department of Immigration"],
            "stakeholders": [StakeholderChoice.MIGRANTS, StakeholderChoice.CIVIL_SOCIETY],
        },
    )
    services.save_section(
        lead,
        review,
        "objective-5",
        expected_version=0,
        progress=ProgressStatus.IN_PROGRESS,
        text=f"{SAMPLE} Bilateral labour agreements under negotiation with three countries.",
    )
    return True


@transaction.atomic
def ensure_demo_reviews(organization_code: str = SECRETARIAT_CODE) -> DemoReviewsReport | None:
    """Create the sample reviews and pledges that are missing; None when the demo accounts or
    the registry's UN memberships are not loaded yet."""
    services.ensure_cycles()
    secretariat = Organization.objects.filter(code=organization_code).first()
    countries = list(
        Country.objects.filter(
            organization_memberships__organization__code="UN",
            organization_memberships__kind="member",
            organization_memberships__end_date__isnull=True,
        )
        .select_related("region", "sub_region")
        .distinct()
        .order_by("alpha3")
    )
    if secretariat is None or not countries:
        return None
    cycles = {
        cycle.year: cycle
        for cycle in Cycle.objects.filter(kind=CycleKind.IMRF, year__in=REVIEW_YEARS)
    }
    reviews, sections = _national_reviews(secretariat, countries, cycles)
    report = DemoReviewsReport(reviews=len(reviews), sections=len(sections))
    report.pledges = _pledges(secretariat, countries, cycles)
    report.draft = _ministry_draft(cycles)
    if report.reviews or report.pledges:
        audit.record(
            None,
            AuditAction.LOAD,
            metadata={"sample_reviews": report.reviews, "sample_pledges": report.pledges},
            organization_id=secretariat.pk,
        )
    return report
