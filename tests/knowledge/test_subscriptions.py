"""Saved searches and subscriptions: what is saved, and the e-mail alerts of new resources.

Resources are published the real way (submit, screen, two reviews, the editor's decision), so
an alert is what a subscriber would get after the Hub's peer review.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from migration_hub.core.choices import AuditAction
from migration_hub.core.models import AuditEvent
from migration_hub.knowledge.choices import Criterion, DigestFrequency, ResourceStatus
from migration_hub.knowledge.models import SavedSearch
from migration_hub.knowledge.services import peer_review, resources
from migration_hub.knowledge.services import subscriptions as services

from ..factories import UserFactory

HOSTILE = '<script>alert("x")</script>'


def make_resource(author, organization, title, *, objectives=("3",), summary="", **extra):
    return resources.create_resource(
        author,
        organization=organization,
        kind=extra.pop("kind", "practice"),
        language="en",
        translations={"en": {"title": title, "summary": summary}},
        objectives=objectives,
        **extra,
    )


def publish(resource, author, editor, reviewers):
    """Through peer review: submitted, screened, reviewed twice, published."""
    peer_review.submit(author, resource)
    peer_review.screen(editor, resource, accept=True)
    assignments = [peer_review.assign_reviewer(editor, resource, person) for person in reviewers]
    for person, assignment in zip(reviewers, assignments, strict=True):
        peer_review.submit_review(
            person,
            assignment,
            scores=dict.fromkeys(Criterion.values, 4),
            comments="Clear results, replicable.",
            recommendation="publish",
        )
    peer_review.decide(editor, resource, decision="publish", reasons="Sound practice.")
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.PUBLISHED
    return resource


def alerts_to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


@pytest.fixture
def reader(db):
    """Someone with an account and no organization: follows the Hub by e-mail."""
    return UserFactory(username="reader")


@pytest.fixture
def hub(author, organization, hub_editor, reviewers, objectives):
    """Publishes practices as the Hub does."""

    def new(title, *, objectives=("3",), summary="", publish_it=True, **extra):
        resource = make_resource(
            author, organization, title, objectives=objectives, summary=summary, **extra
        )
        return publish(resource, author, hub_editor, reviewers) if publish_it else resource

    return new


# --- Saving ---------------------------------------------------------------------------------------


def test_save_search_keeps_clean_words_and_filters_and_audits(reader, objectives, countries):
    saved = services.save_search(
        reader,
        name="",
        query="  labour   migration ",
        filters={"objective": ["3", "GCM-O7"], "country": "ma", "kind": ["practice"]},
        frequency=DigestFrequency.WEEKLY,
    )
    assert saved.user == reader
    assert saved.query == "labour migration"
    assert saved.filters == {
        "kinds": ["practice"],
        "objectives": ["GCM-O3", "GCM-O7"],
        "countries": ["MAR"],
    }
    assert saved.frequency == DigestFrequency.WEEKLY
    assert saved.name.startswith("“labour migration”; GCM objective 3")
    assert "Country: Morocco" in saved.name
    event = AuditEvent.objects.get(action=AuditAction.CREATE, target_id=str(saved.pk))
    assert saved.feed_token not in str(event.changes) + str(event.metadata)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"filters": {"colour": ["red"]}}, "filters"),
        ({"filters": {"objectives": ["GCM-O99"]}}, "filters"),
        ({"filters": {"countries": ["XXX"]}}, "filters"),
        ({"filters": {"kinds": ["poem"]}}, "filters"),
        ({"filters": {"years": ["1066"]}}, "filters"),
        ({"filters": {"objectives": [{"nested": 1}]}}, "filters"),
        ({"filters": "objective=3"}, "filters"),
        ({"query": "x" * 5000}, "query"),
        ({"name": "n" * 151}, "name"),
        ({"frequency": "hourly"}, "frequency"),
    ],
)
def test_save_search_refuses_bad_input_naming_the_field(
    reader, objectives, countries, kwargs, field
):
    with pytest.raises(ValidationError) as error:
        services.save_search(reader, **kwargs)
    assert field in error.value.message_dict
    assert not SavedSearch.objects.exists()


def test_saving_needs_an_account(objectives):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.save_search(AnonymousUser(), query="labour")
    with pytest.raises(PermissionDenied):
        services.save_search(None, query="labour")


def test_hostile_words_are_kept_as_text(reader, objectives):
    saved = services.save_search(reader, name=HOSTILE + "\x00", query='"NEAR( * AND -')
    assert saved.name == HOSTILE
    assert saved.query == '"NEAR( * AND -'
    assert list(services.matching_resources(saved)) == []


def test_subscribing_twice_keeps_one_search(reader, objectives):
    first, created = services.subscribe(reader, field="objective", value="GCM-O3")
    again, created_again = services.subscribe(reader, field="objectives", value="3")
    assert created and not created_again
    assert first == again
    assert first.filters == {"objectives": ["GCM-O3"]}
    assert first.query == ""
    assert first.name == "GCM objective 3: Objective 3"
    with pytest.raises(ValidationError):
        services.subscribe(reader, field="query", value="anything")


def test_only_the_owner_changes_or_deletes_a_search(reader, objectives):
    saved, _created = services.subscribe(reader, field="objective", value="3")
    stranger = UserFactory(username="stranger")
    for call in (
        lambda: services.update_search(stranger, saved, frequency=DigestFrequency.NONE),
        lambda: services.delete_search(stranger, saved),
        lambda: services.regenerate_feed_token(stranger, saved),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert list(services.saved_searches_for(stranger)) == []
    token = saved.feed_token
    saved = services.regenerate_feed_token(reader, saved)
    assert saved.feed_token != token
    saved = services.update_search(reader, saved, frequency=DigestFrequency.IMMEDIATE, name=" ")
    assert saved.frequency == DigestFrequency.IMMEDIATE
    assert saved.name == "GCM objective 3: Objective 3"


def test_filters_from_a_search_query_string(objectives, countries):
    from django.http import QueryDict

    words, filters = services.filters_from_query(
        QueryDict(
            "q=return+migration&objective=GCM-O3&objective=21&country=SEN&kind=practice"
            "&page=2&reviewed=1&objective=GCM-O99&unknown=1"
        )
    )
    assert words == "return migration"
    assert filters == {
        "kinds": ["practice"],
        "objectives": ["GCM-O21", "GCM-O3"],
        "countries": ["SEN"],
        "reviewed": True,
    }
    text = services.search_querystring(words, filters)
    assert services.filters_from_query(QueryDict(text)) == (words, filters)


# --- Alerts ---------------------------------------------------------------------------------------


def test_new_match_is_emailed_once(reader, hub, django_capture_on_commit_callbacks):
    saved, _created = services.subscribe(reader, field="objective", value="GCM-O3")
    with django_capture_on_commit_callbacks(execute=True):
        practice = hub(
            "Skills partnerships with countries of origin",
            summary="Training before departure.",
        )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        sent = services.send_alerts(frequency=DigestFrequency.DAILY)
    assert sent == 1
    [message] = alerts_to(reader)
    assert "GCM objective 3" in message.subject
    assert "Skills partnerships with countries of origin" in message.body
    assert practice.get_absolute_url() in message.body
    assert "/hub/saved-searches/" in message.body
    saved.refresh_from_db()
    assert saved.last_alerted_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_alerts(frequency=DigestFrequency.DAILY) == 0
    assert len(alerts_to(reader)) == 1


def test_next_run_sends_only_what_is_new(reader, hub, django_capture_on_commit_callbacks):
    services.subscribe(reader, field="objective", value="GCM-O3")
    with django_capture_on_commit_callbacks(execute=True):
        hub("First practice on recruitment")
        services.send_alerts(frequency=DigestFrequency.DAILY)
        hub("Second practice on recruitment")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_alerts(frequency=DigestFrequency.DAILY) == 1
    [message] = alerts_to(reader)
    assert "Second practice on recruitment" in message.body
    assert "First practice on recruitment" not in message.body


def test_no_alert_for_drafts_other_objectives_or_older_resources(
    reader, hub, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        hub("Published before the search was saved")
    services.subscribe(reader, field="objective", value="GCM-O3")
    with django_capture_on_commit_callbacks(execute=True):
        hub("A draft on objective 3", publish_it=False)
        hub("A practice on objective 5", objectives=("5",))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_alerts(frequency=DigestFrequency.DAILY) == 0
    assert alerts_to(reader) == []


def test_members_who_see_drafts_are_not_alerted_of_them(
    colleague, hub, django_capture_on_commit_callbacks
):
    """The colleague can read the organization's draft, but only publications are alerted."""
    services.subscribe(colleague, field="objective", value="GCM-O3")
    draft = hub("Our draft on objective 3", publish_it=False)
    peer_review.submit(draft.submitted_by, draft)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_alerts(frequency=DigestFrequency.DAILY) == 0
    assert alerts_to(colleague) == []


def test_inactive_owners_and_searches_without_email_get_nothing(
    reader, hub, django_capture_on_commit_callbacks
):
    services.subscribe(reader, field="objective", value="GCM-O3")
    reader.is_active = False
    reader.save()
    with django_capture_on_commit_callbacks(execute=True):
        hub("Practice while the reader is away")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_alerts(frequency=DigestFrequency.DAILY) == 0
    assert mail.outbox == []


def test_deleted_search_sends_nothing(reader, hub, django_capture_on_commit_callbacks):
    saved, _created = services.subscribe(reader, field="objective", value="GCM-O3")
    services.delete_search(reader, saved)
    assert AuditEvent.objects.filter(action=AuditAction.DELETE, target_id=str(saved.pk)).exists()
    with django_capture_on_commit_callbacks(execute=True):
        hub("Practice after the search was deleted")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for frequency in DigestFrequency.values:
            assert services.send_alerts(frequency=frequency) == 0
    assert mail.outbox == []


def test_each_frequency_is_sent_by_its_own_run(reader, hub, django_capture_on_commit_callbacks):
    weekly = services.save_search(
        reader, name="Weekly", filters={"objectives": ["3"]}, frequency="weekly"
    )
    services.save_search(reader, name="Quiet", filters={"objectives": ["3"]}, frequency="none")
    with django_capture_on_commit_callbacks(execute=True):
        hub("Practice for the weekly digest")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_alerts(frequency="daily") == 0
        assert services.send_alerts(frequency="none") == 0
        assert services.send_alerts(frequency="weekly") == 1
    [message] = alerts_to(reader)
    assert "Weekly" in message.subject
    assert "weekly" in message.body
    weekly.refresh_from_db()
    assert weekly.last_alerted_at is not None
    with pytest.raises(ValidationError):
        services.send_alerts(frequency="hourly")


def test_a_run_in_the_past_never_resends(reader, hub, django_capture_on_commit_callbacks):
    """A run claims its window: a later run with an earlier clock sends nothing again."""
    services.subscribe(reader, field="objective", value="GCM-O3")
    with django_capture_on_commit_callbacks(execute=True):
        hub("Practice for the clocks")
    mail.outbox.clear()
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_alerts(frequency="daily", now=now) == 1
        assert services.send_alerts(frequency="daily", now=now) == 0
        assert services.send_alerts(frequency="daily", now=now - timedelta(hours=1)) == 0
    assert len(alerts_to(reader)) == 1


def test_words_and_filters_together(reader, hub, django_capture_on_commit_callbacks, countries):
    services.save_search(
        reader,
        name="Recruitment in North Africa",
        query='"recruit* (',
        filters={"regions": ["015"]},
    )
    with django_capture_on_commit_callbacks(execute=True):
        hub("Fair recruitment corridor", countries=["MAR"])
        hub("Fair recruitment in Asia", countries=["PHL"])
        hub("Return and reintegration in Morocco", countries=["MAR"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_alerts(frequency="daily") == 1
    [message] = alerts_to(reader)
    assert "Fair recruitment corridor" in message.body
    assert "Asia" not in message.body
    assert "Return and reintegration" not in message.body


def test_a_long_alert_lists_the_newest_and_counts_the_rest(
    reader, hub, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(services, "MAX_ALERT_ITEMS", 2)
    services.subscribe(reader, field="objective", value="GCM-O3")
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(3):
            hub(f"Practice number {number}")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_alerts(frequency="daily") == 1
    [message] = alerts_to(reader)
    assert "3 new resources were published" in message.body
    assert "Practice number 2" in message.body
    assert "Practice number 0" not in message.body
    assert "And 1 more." in message.body


# --- Immediate alerts at publication ------------------------------------------------------------


def test_alert_on_publish_emails_the_matching_immediate_searches(
    reader, hub, django_capture_on_commit_callbacks
):
    services.save_search(
        reader, name="At once", filters={"objectives": ["3"]}, frequency="immediate"
    )
    services.save_search(
        reader, name="Other objective", filters={"objectives": ["9"]}, frequency="immediate"
    )
    services.save_search(reader, name="Daily one", filters={"objectives": ["3"]})
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        practice = hub("Practice to hear of at once")  # the editor's decision publishes it
        assert alerts_to(reader) == []  # nothing before the commit
    assert callbacks
    [message] = alerts_to(reader)
    assert "At once" in message.subject
    assert "Practice to hear of at once" in message.body
    assert "at once" in message.body
    with django_capture_on_commit_callbacks(execute=True):
        services.alert_on_publish(practice)  # a second call: the search was already alerted
        assert services.send_publish_alerts(practice.pk) == 0
        assert services.send_alerts(frequency="immediate") == 0
    assert len(alerts_to(reader)) == 1


def test_alert_on_publish_sends_nothing_if_the_publication_rolls_back(
    reader, hub, django_capture_on_commit_callbacks
):
    services.save_search(reader, name="At once", filters={}, frequency="immediate")

    class Boom(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        hub("Practice published then rolled back")
        raise Boom
    assert callbacks == []
    assert mail.outbox == []


def test_alert_on_publish_ignores_unpublished_resources(
    reader, hub, django_capture_on_commit_callbacks
):
    services.save_search(reader, name="At once", filters={}, frequency="immediate")
    draft = hub("Still a draft", publish_it=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.alert_on_publish(draft)
    assert callbacks == []
    assert services.send_publish_alerts(draft.pk) == 0
