"""The data of the GCM report benchmark: 193 national reviews submitted to the 2026 IMRF (one
per country with an M49 sub-region, in alpha-3 order), each with a methodology section and 23
objective sections, and 150 reviews of the 2022 IMRF for the comparison; written with
`bulk_create`, not through `reviews.services` (the services are tested in `tests/reviews/`;
this benchmark times the compilation).

About 85 % of the objective sections are reported (a progress status and two to four
sentences), a fifth of those cite a practice from a pool of 60, and each methodology names
two to six stakeholder groups. Seeded: every run compiles the same reviews.
"""

from __future__ import annotations

import random

SEED = 2026
REVIEWS = 193
PREVIOUS_REVIEWS = 150
GCM_SOURCE = "https://undocs.org/A/RES/73/195"
# Short titles of the GCM's 23 objectives (A/RES/73/195, para 16).
OBJECTIVES = [
    "Accurate and disaggregated data",
    "Minimize adverse drivers",
    "Timely information",
    "Legal identity and documentation",
    "Regular pathways",
    "Fair and ethical recruitment",
    "Reduce vulnerabilities",
    "Save lives: missing migrants",
    "Counter smuggling",
    "Prevent trafficking",
    "Integrated border management",
    "Screening and referral",
    "Detention as a last resort",
    "Consular protection",
    "Access to basic services",
    "Inclusion and social cohesion",
    "Eliminate discrimination",
    "Skills development and recognition",
    "Diaspora contributions",
    "Remittances",
    "Safe return and reintegration",
    "Portability of social security",
    "International cooperation",
]
SENTENCES = [
    "The government adopted a national action plan with measurable targets for {year}.",
    "A whole-of-society task force met every quarter to follow the commitments made.",
    "Local authorities piloted one-stop centres in three cities with migrant associations.",
    "New bilateral agreements opened regular pathways for seasonal and skilled workers.",
    "Data on migrants' access to services is now published each year by the statistics office.",
    "Training reached border, labour and health officials in every province.",
    "The budget allocated to the programme doubled compared with the previous review.",
    "Civil society organizations reported persistent gaps in rural areas.",
]
PROGRESS = [("not_started", 1), ("planned", 3), ("in_progress", 5), ("achieved", 2)]
STAKEHOLDERS = [
    "migrants",
    "diasporas",
    "local_communities",
    "civil_society",
    "academia",
    "private_sector",
    "parliamentarians",
    "trade_unions",
    "nhri",
    "media",
    "faith_based",
    "local_authorities",
    "red_cross",
]


def ensure_objectives() -> None:
    from migration_hub.registry.models import Framework, FrameworkItem

    gcm, _created = Framework.objects.get_or_create(
        code="GCM", defaults={"name": "Global Compact for Migration", "source": GCM_SOURCE}
    )
    for number, title in enumerate(OBJECTIVES, start=1):
        FrameworkItem.objects.get_or_create(
            code=f"GCM-O{number}",
            defaults={
                "framework": gcm,
                "kind": "objective",
                "number": str(number),
                "title": title,
                "short_title": title,
                "position": number,
                "source": GCM_SOURCE,
            },
        )


def _reviews(cycle, organization, countries, count: int, rng: random.Random) -> int:
    from migration_hub.reviews.models import Review, Section
    from migration_hub.reviews.regions import default_commission

    reviews = Review.objects.bulk_create(
        Review(
            cycle=cycle,
            organization=organization,
            title=f"{country.name}: voluntary GCM review {cycle.year}",
            level="national",
            entity_name=country.name,
            country=country,
            commission=default_commission(country),
            language="en",
            status="published" if index % 3 else "submitted",
            is_sample=True,
        )
        for index, country in enumerate(countries[:count])
    )
    weights = [weight for _status, weight in PROGRESS]
    statuses = [status for status, _weight in PROGRESS]
    sections = []
    for review in reviews:
        sections.append(
            Section(
                review=review,
                key="methodology",
                text=" ".join(rng.sample(SENTENCES, 2)).format(year=cycle.year),
                data={"stakeholders": sorted(rng.sample(STAKEHOLDERS, rng.randint(2, 6)))},
            )
        )
        for number in range(1, len(OBJECTIVES) + 1):
            reported = rng.random() < 0.85
            data = {}
            if reported and rng.random() < 0.2:
                practice = rng.randrange(60)
                data = {
                    "practices": [
                        {
                            "title": f"Practice {practice}: {OBJECTIVES[practice % 23].lower()}",
                            "url": f"https://migrationnetwork.un.org/practice/{practice}",
                        }
                    ]
                }
            sections.append(
                Section(
                    review=review,
                    key=f"objective-{number}",
                    objective_number=number,
                    progress=rng.choices(statuses, weights)[0] if reported else "",
                    text=" ".join(rng.sample(SENTENCES, rng.randint(2, 4))).format(year=cycle.year)
                    if reported
                    else "",
                    data=data,
                )
            )
    Section.objects.bulk_create(sections, batch_size=2000)
    return len(reviews)


def generate(reviews: int = REVIEWS, previous: int = PREVIOUS_REVIEWS, seed: int = SEED) -> dict:
    """Countries, objectives, cycles and the reviews; returns what was written."""
    from django.db import transaction

    from migration_hub.accounts.models import Organization
    from migration_hub.core.models import Country
    from migration_hub.core.services import load_countries
    from migration_hub.reviews.models import Cycle
    from migration_hub.reviews.services import ensure_cycles

    rng = random.Random(seed)
    with transaction.atomic():
        load_countries()
        ensure_objectives()
        ensure_cycles(until_year=2030)
        organization, _created = Organization.objects.get_or_create(
            code="BENCH-STATES", defaults={"name": "Bench states", "kind": "ministry"}
        )
        countries = list(
            Country.objects.filter(sub_region__isnull=False)
            .select_related("region", "sub_region")
            .order_by("alpha3")
        )
        if len(countries) < reviews:
            raise ValueError(f"only {len(countries)} countries for {reviews} reviews")
        imrf = {c.year: c for c in Cycle.objects.filter(kind="imrf", year__in=[2022, 2026])}
        written = _reviews(imrf[2026], organization, countries, reviews, rng)
        earlier = _reviews(imrf[2022], organization, countries, previous, rng)
    return {"reviews_2026": written, "reviews_2022": earlier, "objectives": len(OBJECTIVES)}
