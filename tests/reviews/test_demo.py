"""The demo's sample reviews: every UN member state, two cycles, marked as samples, fast,
the same on every run, and created once."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from migration_hub.accounts.demo import ensure_demo_accounts
from migration_hub.core.services import load_countries
from migration_hub.registry.loader import load_reference
from migration_hub.reviews import selectors, services
from migration_hub.reviews.choices import PledgeStatus, ReviewStatus
from migration_hub.reviews.demo import ensure_demo_reviews
from migration_hub.reviews.models import Pledge, PledgeUpdate, Review, Section, SectionVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_ready(tmp_path) -> None:
    load_countries()
    load_reference()
    ensure_demo_accounts(tmp_path)


def test_without_the_registry_nothing_is_made(db) -> None:
    assert ensure_demo_reviews() is None
    assert not Review.objects.exists()


def test_sample_reviews_for_every_member_state_fast_and_once(demo_ready) -> None:
    started = time.perf_counter()
    report = ensure_demo_reviews()
    elapsed = time.perf_counter() - started
    assert elapsed < 10, elapsed
    assert report is not None and report.reviews == 2 * 193 and report.draft
    assert 50 <= report.pledges <= 70

    samples = Review.objects.filter(organization__code="DEMO-SECRETARIAT")
    assert samples.count() == 386
    assert not samples.filter(is_sample=False).exists()
    assert not samples.exclude(title__startswith="[Sample]").exists()
    by_cycle = Counter(samples.values_list("cycle__year", "status"))
    assert by_cycle == {(2022, ReviewStatus.PUBLISHED): 193, (2026, ReviewStatus.SUBMITTED): 193}
    assert samples.filter(is_late=True).exists() and samples.filter(is_late=False).exists()

    # Each review is complete and varied: 6 to 18 objectives with different progress.
    objectives = Counter(
        Section.objects.filter(review__in=samples, objective_number__isnull=False).values_list(
            "review_id", flat=True
        )
    )
    assert min(objectives.values()) >= 6 and max(objectives.values()) <= 18
    progress = set(
        Section.objects.filter(review__in=samples)
        .exclude(progress="")
        .values_list("progress", flat=True)
    )
    assert len(progress) == 4
    review = samples.order_by("pk").first()
    assert services.missing_sections(review) == []
    assert Section.objects.filter(review__in=samples, data__has_key="practices").exists()
    assert SectionVersion.objects.filter(section__review=review).exists()

    pledges = Pledge.objects.filter(is_sample=True)
    assert not pledges.exclude(title__startswith="[Sample]").exists()
    assert {2022, 2026} == set(pledges.values_list("cycle__year", flat=True))
    assert PledgeUpdate.objects.filter(pledge__in=pledges, cycle__year=2024).exists()
    assert pledges.filter(status=PledgeStatus.FULFILLED).exists()
    assert all(pledge.objectives.exists() for pledge in pledges[:10])

    draft = Review.objects.get(organization__code="DEMO-MINISTRY")
    assert draft.status == ReviewStatus.DRAFT and draft.is_sample
    assert set(draft.authors.values_list("user__username", "is_lead")) == {
        ("demo-ministry-editor", True),
        ("demo-editor", False),
    }
    assert services.missing_sections(draft)  # something left to write in the demo

    counts = (Review.objects.count(), Section.objects.count(), Pledge.objects.count())
    again = ensure_demo_reviews()
    assert again is not None and (again.reviews, again.pledges, again.draft) == (0, 0, False)
    assert (Review.objects.count(), Section.objects.count(), Pledge.objects.count()) == counts


def test_the_samples_are_the_same_on_every_run(demo_ready) -> None:
    ensure_demo_reviews()
    first = sorted(Section.objects.values_list("review__title", "key", "progress", "text"))
    Review.objects.filter(is_sample=True).update(status=ReviewStatus.DRAFT)
    Pledge.objects.all().delete()
    Review.objects.all().delete()
    ensure_demo_reviews()
    assert sorted(Section.objects.values_list("review__title", "key", "progress", "text")) == first


def test_demo_editors_see_what_they_should(demo_ready) -> None:
    from migration_hub.accounts.models import User

    ensure_demo_reviews()
    ministry_editor = User.objects.get(username="demo-ministry-editor")
    secretariat_viewer = User.objects.get(username="demo-viewer")
    drafts = selectors.reviews_for(secretariat_viewer).filter(status=ReviewStatus.DRAFT)
    assert not drafts.exists()  # the ministry's draft stays with the ministry
    assert selectors.reviews_for(ministry_editor).filter(status=ReviewStatus.DRAFT).count() == 1
    assert (
        selectors.reviews_for(ministry_editor).filter(status=ReviewStatus.PUBLISHED).count() == 193
    )
