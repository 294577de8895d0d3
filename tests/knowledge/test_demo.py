"""The Hub's demo content: every feature shown, everything marked as a sample, written through
the services (versions, audit, search index), fast, and created once."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from migration_hub.accounts.demo import ensure_demo_accounts
from migration_hub.core import search
from migration_hub.core.models import AuditEvent
from migration_hub.core.services import load_countries
from migration_hub.knowledge import selectors
from migration_hub.knowledge.choices import DemandStatus, ResourceKind, ResourceStatus
from migration_hub.knowledge.demo import load_demo
from migration_hub.knowledge.models import (
    CallForPractices,
    Demand,
    EditorialDecision,
    ExpertMessage,
    ExpertProfile,
    Offer,
    Post,
    Resource,
    ResourceFile,
    ResourceVersion,
    ReviewAssignment,
    Space,
    Thread,
)
from migration_hub.knowledge.services.experts import listed_experts
from migration_hub.registry.loader import load_reference

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_ready(tmp_path):
    load_countries()
    load_reference()
    ensure_demo_accounts(tmp_path)
    return tmp_path


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Resource,
            ResourceVersion,
            ReviewAssignment,
            EditorialDecision,
            CallForPractices,
            ExpertProfile,
            ExpertMessage,
            Space,
            Thread,
            Post,
            Demand,
            Offer,
        )
    }


def test_without_the_demo_accounts_nothing_is_made(db) -> None:
    assert load_demo() is None
    assert not Resource.objects.exists()


def test_the_demo_shows_every_feature_fast_and_once(demo_ready) -> None:
    # CPU time, not wall time: the budget holds on a busy machine too (about 4 s here).
    started = time.process_time()
    report = load_demo(demo_ready)
    elapsed = time.process_time() - started
    assert report is not None
    assert elapsed < 10, elapsed
    assert report.resources == 31 and report.published == 22, str(report)
    assert {account.username for account in report.accounts} == {
        "demo-reviewer-institute",
        "demo-reviewer-ngo",
    }

    # Resources: every kind, several UN languages, every step of peer review, all samples.
    samples = Resource.objects.filter(is_sample=True)
    assert samples.count() == Resource.objects.count() == 31
    kinds = Counter(samples.values_list("kind", flat=True))
    assert set(kinds) == set(ResourceKind.values) and 25 <= sum(kinds.values()) <= 35
    assert set(samples.values_list("language", flat=True)) == {
        "en",
        "fr",
        "es",
        "ar",
        "ru",
        "zh-hans",
    }
    statuses = Counter(samples.values_list("status", flat=True))
    assert statuses[ResourceStatus.PUBLISHED] == 22
    assert statuses[ResourceStatus.IN_REVIEW] == 1
    assert statuses[ResourceStatus.SUBMITTED] == 2
    assert statuses[ResourceStatus.REVISION_REQUESTED] == 1
    assert statuses[ResourceStatus.REJECTED] == 1
    assert statuses[ResourceStatus.DRAFT] == 4  # three drafts and the outcome's practice
    for resource in samples.prefetch_related("translations"):
        assert all(row.title.startswith("[Sample]") for row in resource.translations.all())
    assert samples.filter(status=ResourceStatus.PUBLISHED, peer_reviewed=False).count() == 0

    # Two reviews for every published resource (two rounds for the revised one), blind review
    # still running on the one in review.
    for resource in samples.filter(status=ResourceStatus.PUBLISHED):
        submitted = resource.assignments.filter(
            round=resource.review_round, submitted_at__isnull=False
        )
        assert submitted.count() == 2
        reviewers = set(submitted.values_list("reviewer__memberships__organization", flat=True))
        assert resource.organization_id not in reviewers
    revised = samples.get(review_round=2)
    assert revised.status == ResourceStatus.PUBLISHED
    assert revised.versions.count() >= 2
    in_review = samples.get(status=ResourceStatus.IN_REVIEW)
    assert in_review.assignments.filter(submitted_at__isnull=True).count() == 1
    assert in_review.assignments.filter(submitted_at__isnull=False).count() == 1
    assert samples.filter(needs_update=True).count() == 1
    assert samples.filter(checked_on__isnull=False).count() == 1
    file = ResourceFile.objects.get()
    assert "implementation plans" in file.text

    # Calls: one open, one closed, with practices sent to it.
    calls = CallForPractices.objects.filter(is_sample=True)
    assert sorted(call.is_open() for call in calls) == [False, True]
    closed = next(call for call in calls if not call.is_open())
    assert closed.resources.filter(status=ResourceStatus.PUBLISHED).count() == 2

    # Experts: eight samples, two opted out and absent from the listed ones and the index.
    assert ExpertProfile.objects.filter(is_sample=True).count() == 8
    assert listed_experts().count() == 6
    opted_out = ExpertProfile.objects.filter(opted_in=False)
    assert opted_out.count() == 2
    assert not search.filter_queryset(ExpertProfile.objects.all(), "Lindqvist").exists()
    assert search.filter_queryset(ExpertProfile.objects.all(), "Diallo").exists()
    assert ExpertMessage.objects.count() == 1

    # Discussions: one open space with numbered questions, threads, replies and a hidden post;
    # one closed space.
    spaces = {space.slug: space for space in Space.objects.filter(is_sample=True)}
    open_space = spaces["sample-labour-mobility-consultation"]
    closed_space = spaces["sample-champion-countries-2024"]
    assert open_space.is_open() and not closed_space.is_open()
    assert [q.number for q in open_space.questions.all()] == [1, 2, 3]
    assert open_space.threads.count() == 3 and closed_space.threads.count() == 2
    assert Post.objects.filter(thread__space=open_space).count() == 8
    hidden = Post.objects.get(hidden=True)
    assert "<script>" not in hidden.body_html
    assert Post.objects.filter(mentions__username="demo-ministry-editor").exists()

    # The Connection Hub: a demand at every status, offers, an outcome turned into a practice.
    demands = Demand.objects.filter(is_sample=True)
    assert set(demands.values_list("status", flat=True)) == set(DemandStatus.values)
    assert Offer.objects.filter(is_sample=True).count() == 5
    completed = demands.get(status=DemandStatus.COMPLETED)
    assert completed.outcome and completed.outcome_resource is not None
    practice = completed.outcome_resource
    assert practice.kind == ResourceKind.PRACTICE and practice.is_sample
    assert demands.get(status=DemandStatus.IN_PROGRESS).matched_expert is not None

    # Written through the services: versions, audit events, the search index.
    assert ResourceVersion.objects.filter(resource__in=samples).count() >= 31
    assert AuditEvent.objects.filter(target_type__model="resource").count() > 31
    assert search.filter_queryset(Resource.objects.all(), "skills passport").exists()

    # Editors see the queue; the ministry sees its own drafts; outsiders only what is published.
    from migration_hub.accounts.models import User

    editor = User.objects.get(username="demo-editor")
    assert selectors.editor_queue(editor).count() == 3
    viewer_ids = set(
        selectors.resources_for(User.objects.get(username="demo-ministry-editor")).values_list(
            "pk", flat=True
        )
    )
    assert set(samples.filter(status="published").values_list("pk", flat=True)) <= viewer_ids

    # A second run creates nothing.
    before = counts()
    again = load_demo(demo_ready)
    assert again is not None
    assert (again.resources, again.experts, again.spaces, again.demands, again.calls) == (
        0,
        0,
        0,
        0,
        0,
    )
    assert str(again) == "sample content already loaded"
    assert counts() == before
    assert {account.username for account in again.accounts} == {
        "demo-reviewer-institute",
        "demo-reviewer-ngo",
    }
