"""Two co-authors saving the same section at the same moment, on real threads and real
connections: one is saved, the other gets the conflict with both texts, and nothing is
overwritten. A double-clicked 'Publish' publishes once."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from migration_hub.reviews import services
from migration_hub.reviews.choices import ReviewStatus, SectionKey
from migration_hub.reviews.models import Section
from tests.concurrency import file_database_on_sqlite, race

pytestmark = pytest.mark.django_db(transaction=True)

# Module-scoped: this module runs on a database file on SQLite (see tests/concurrency.py).
django_db_setup = file_database_on_sqlite


def test_two_coauthors_saving_one_section_at_once_overwrite_nothing(review, focal_point, coauthor):
    def save(actor, text):
        return lambda: services.save_section(
            actor, review, SectionKey.CHALLENGES, expected_version=1, text=text
        )

    results = race(save(focal_point, "Mine: data gaps."), save(coauthor, "Theirs: funding."))

    saved = [r for r in results if isinstance(r, Section)]
    refused = [r for r in results if isinstance(r, services.SectionConflict)]
    assert len(saved) == 1 and len(refused) == 1, results
    stored = Section.objects.get(review=review, key=SectionKey.CHALLENGES)
    assert stored.version == 2
    assert stored.text == saved[0].text
    assert refused[0].theirs["text"] == stored.text
    assert refused[0].mine["text"] != stored.text
    assert stored.versions.count() == 1


def test_a_double_clicked_publish_publishes_once(complete_review, focal_point, secretariat_editor):
    review = services.submit_review(focal_point, complete_review)

    results = race(
        lambda: services.publish_review(secretariat_editor, review),
        lambda: services.publish_review(secretariat_editor, review),
    )

    assert sum(not isinstance(r, Exception) for r in results) == 1, results
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
    review.refresh_from_db()
    assert review.status == ReviewStatus.PUBLISHED
    assert review.version == 3
