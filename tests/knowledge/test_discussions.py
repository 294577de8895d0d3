"""Discussion spaces: time-boxed spaces with numbered questions, threads and Markdown replies,
mentions, subscriptions and digests, and moderation with an audit trail."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from migration_hub.core import search
from migration_hub.core.models import AuditEvent
from migration_hub.knowledge import tasks
from migration_hub.knowledge.models import (
    PostReport,
    Question,
    Space,
    SpaceSubscription,
    Thread,
)
from migration_hub.knowledge.services import discussions as services

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def open_space(editor: Any, slug: str = "labour", **fields: Any) -> Space:
    values: dict[str, Any] = {
        "title": "Labour migration",
        "questions": ["What works for skills partnerships?", "How to lower recruitment costs?"],
    }
    values.update(fields)
    return services.create_space(editor, slug=slug, **values)


def found(model: Any, words: str) -> list[Any]:
    return list(search.filter_queryset(model.objects.all(), words))


@pytest.fixture
def member() -> Any:
    return UserFactory(username="amina")


@pytest.fixture
def other() -> Any:
    return UserFactory(username="omar")


@pytest.fixture
def space(hub_editor) -> Space:
    return open_space(hub_editor)


# --- spaces --------------------------------------------------------------------------------


def test_a_hub_editor_opens_a_space_with_numbered_questions(hub_editor, member) -> None:
    space = open_space(hub_editor, moderators=[member])
    assert [str(q) for q in space.questions.all()] == ["Q.1", "Q.2"]
    assert space.questions.get(number=2).text == "How to lower recruitment costs?"
    assert list(space.moderators.all()) == [member]
    assert AuditEvent.objects.filter(target_id=str(space.pk), action="create").exists()
    question = services.add_question(member, space, text="Who pays the fees?")
    assert question.number == 3


def test_only_hub_editors_open_spaces(member) -> None:
    with pytest.raises(PermissionDenied):
        open_space(member)
    assert not Space.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"slug": "not a slug!"}, "slug"),
        (
            {
                "opens_at": timezone.now(),
                "closes_at": timezone.now() - timedelta(days=1),
            },
            "closes_at",
        ),
    ],
)
def test_bad_space_input_names_the_field(hub_editor, fields, field) -> None:
    with pytest.raises(ValidationError) as error:
        open_space(hub_editor, **{"slug": "labour", **fields})
    assert field in error.value.message_dict
    assert not Space.objects.exists()


def test_the_address_of_a_space_is_unique(hub_editor, space) -> None:
    with pytest.raises(ValidationError) as error:
        open_space(hub_editor, slug=space.slug)
    assert "slug" in error.value.message_dict


# --- threads and replies -------------------------------------------------------------------


def test_a_thread_under_a_question_with_markdown_rendered_safely(space, member) -> None:
    thread = services.start_thread(
        member,
        space,
        title="<script>alert(1)</script> Skills",
        body="**Germany's** scheme: <img src=x onerror=alert(1)> [link](javascript:alert(1))",
        question=1,
    )
    assert thread.question == space.questions.get(number=1)
    assert thread.title == "<script>alert(1)</script> Skills"  # stored as typed, escaped on pages
    post = thread.posts.get()
    assert "<strong>Germany's</strong>" in post.body_html or "<strong>Germany" in post.body_html
    assert "<img" not in post.body_html
    assert "&lt;img src=x onerror=alert(1)&gt;" in post.body_html
    assert "javascript" not in post.body_html.split("[link]")[0]
    assert 'href="javascript' not in post.body_html


def test_a_question_of_another_space_is_refused(hub_editor, space, member) -> None:
    other_space = open_space(hub_editor, slug="other")
    with pytest.raises(ValidationError) as error:
        services.start_thread(
            member, space, title="T", body="B", question=other_space.questions.get(number=1)
        )
    assert "question" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.start_thread(member, space, title="T", body="B", question=9)
    assert not Thread.objects.exists()


def test_replies_are_indexed_for_search_and_hidden_posts_are_not(
    space, member, other, hub_editor
) -> None:
    thread = services.start_thread(member, space, title="Recruitment fees", body="Opening post")
    assert found(Thread, "recruitment") == [thread]
    reply = services.reply(other, thread, body="The employer pays principle works.")
    assert found(Thread, "employer pays") == [thread]
    services.hide_post(hub_editor, reply, reason="Off topic")
    assert found(Thread, "employer pays") == []
    services.unhide_post(hub_editor, reply)
    assert found(Thread, "employer pays") == [thread]


@pytest.mark.parametrize("body", ["", "   ", "x" * 20_001, "nul \x00"])
def test_a_bad_reply_is_refused(space, member, body) -> None:
    thread = services.start_thread(member, space, title="T", body="B")
    with pytest.raises(ValidationError) as error:
        services.reply(member, thread, body=body)
    assert "body" in error.value.message_dict
    assert thread.posts.count() == 1


def test_posting_needs_an_account(space, member) -> None:
    thread = services.start_thread(member, space, title="T", body="B")
    with pytest.raises(PermissionDenied):
        services.reply(AnonymousUser(), thread, body="Anonymous")
    with pytest.raises(PermissionDenied):
        services.start_thread(AnonymousUser(), space, title="T", body="B")


def test_a_closed_space_refuses_posts_with_its_dates(hub_editor, member) -> None:
    past = open_space(
        hub_editor,
        slug="past",
        opens_at=timezone.now() - timedelta(days=30),
        closes_at=timezone.now() - timedelta(days=1),
    )
    with pytest.raises(ValidationError) as error:
        services.start_thread(member, past, title="Late", body="Too late")
    message = " ".join(error.value.messages)
    assert "Nothing was posted: this space takes posts only from" in message
    closes = timezone.localtime(past.closes_at)
    assert str(closes.year) in message and closes.strftime("%B")[:3] in message
    assert not Thread.objects.exists()

    future = open_space(hub_editor, slug="future", opens_at=timezone.now() + timedelta(days=3))
    with pytest.raises(ValidationError) as error:
        services.start_thread(member, future, title="Early", body="Too early")
    assert "Nothing was posted: this space opens for posts on" in " ".join(error.value.messages)


def test_a_space_that_closed_refuses_replies_in_its_threads(hub_editor, member) -> None:
    space = open_space(hub_editor, closes_at=timezone.now() + timedelta(days=1))
    thread = services.start_thread(member, space, title="T", body="B")
    Space.objects.filter(pk=space.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError) as error:
        services.reply(member, thread, body="After closing")
    assert "this space closed for posts on" in " ".join(error.value.messages)
    assert thread.posts.count() == 1


def test_a_locked_thread_refuses_replies(space, member, other, hub_editor) -> None:
    thread = services.start_thread(member, space, title="T", body="B")
    with pytest.raises(PermissionDenied):
        services.lock_thread(other, thread)
    services.lock_thread(hub_editor, thread, True, reason="Answered")
    with pytest.raises(ValidationError) as error:
        services.reply(other, thread, body="One more")
    assert "locked" in " ".join(error.value.messages)
    assert thread.posts.count() == 1
    assert AuditEvent.objects.filter(target_id=str(thread.pk), metadata__moderation="lock").exists()
    services.lock_thread(hub_editor, thread, False)
    services.reply(other, thread, body="Thanks for unlocking")
    assert thread.posts.count() == 2


# --- mentions and subscriptions ------------------------------------------------------------


def test_mentions_are_stored_highlighted_and_emailed(
    space, member, other, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    thread = services.start_thread(member, space, title="Fees", body="Opening")
    with django_capture_on_commit_callbacks(execute=True):
        post = services.reply(
            member, thread, body="What do you think, @OMAR? Not @nobody, nor `@amina` or @amina."
        )
    assert list(post.mentions.all()) == [other]
    assert '<span class="mention">@OMAR</span>' in post.body_html
    assert "@nobody" in post.body_html and 'mention">@nobody' not in post.body_html
    assert [mail.to for mail in mailoutbox] == [[other.email]]
    assert "mentioned you in “Fees”" in mailoutbox[0].body
    assert member.email not in mailoutbox[0].body


def test_immediate_subscribers_get_each_post(
    space, member, other, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    services.subscribe(other, space, frequency="immediate")
    services.subscribe(member, space, frequency="immediate")
    with django_capture_on_commit_callbacks(execute=True):
        services.start_thread(member, space, title="Fees", body="Who pays the fees?")
    assert [mail.to for mail in mailoutbox] == [[other.email]]  # not the author
    assert "Who pays the fees?" in mailoutbox[0].body


def test_subscribing_twice_changes_the_frequency(space, member) -> None:
    first = services.subscribe(member, space, frequency="daily")
    second = services.subscribe(member, space, frequency="weekly")
    assert first.pk == second.pk and second.frequency == "weekly"
    with pytest.raises(ValidationError):
        services.subscribe(member, space, frequency="hourly")


def test_daily_digests_send_new_posts_once(
    hub_editor, space, member, other, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    reader = UserFactory(username="reader")
    weekly = UserFactory(username="weekly")
    quiet = UserFactory(username="quiet")
    services.subscribe(reader, space, frequency="daily")
    services.subscribe(weekly, space, frequency="weekly")
    services.subscribe(quiet, space, frequency="none")
    services.subscribe(member, space, frequency="daily")
    thread = services.start_thread(member, space, title="Fees", body="Who pays?")
    services.reply(other, thread, body="The employer.")
    spam = services.reply(other, thread, body="Buy cheap visas")
    services.hide_post(hub_editor, spam, reason="Spam")

    later = timezone.now() + timedelta(minutes=5)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_digests(frequency="daily", now=later) == 2
    by_recipient = {mail.to[0]: mail for mail in mailoutbox}
    assert set(by_recipient) == {reader.email, member.email}
    digest = by_recipient[reader.email].body
    assert "There are 2 new posts in “Labour migration”" in digest
    assert "Who pays?" in digest and "The employer." in digest
    assert "Buy cheap visas" not in digest
    # The author is not sent their own posts.
    assert "There is 1 new post" in by_recipient[member.email].body
    assert "Who pays?" not in by_recipient[member.email].body

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_digests(frequency="daily", now=later) == 0
        assert services.send_digests(frequency="daily", now=later + timedelta(days=1)) == 0
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_digests(frequency="weekly", now=later) == 1
    assert mailoutbox[0].to == [weekly.email]


def test_digests_refuse_an_unknown_frequency() -> None:
    with pytest.raises(ValidationError):
        services.send_digests(frequency="hourly")


def test_the_digest_task_and_cli_function(
    space, member, other, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    services.subscribe(other, space, frequency="daily")
    services.start_thread(member, space, title="Fees", body="Who pays?")
    SpaceSubscription.objects.update(last_sent_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.run_digests("daily") == 1
    assert mailoutbox[0].to == [other.email]
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.run_digests("daily", in_background=True) is None  # immediate backend
    assert len(mailoutbox) == 1


# --- moderation ----------------------------------------------------------------------------


def test_anyone_signed_in_reports_a_post_and_the_moderators_are_told(
    hub_editor, member, other, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    moderator = UserFactory(username="moderator")
    space = open_space(hub_editor, moderators=[moderator])
    thread = services.start_thread(member, space, title="T", body="Something rude")
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_post(other, thread.posts.get(), reason="Insulting")
    assert PostReport.objects.get() == report
    assert [mail.to for mail in mailoutbox] == [[moderator.email]]
    assert "Insulting" in mailoutbox[0].body
    assert AuditEvent.objects.filter(target_id=str(report.pk), action="create").exists()
    with pytest.raises(ValidationError):
        services.report_post(other, thread.posts.get(), reason="  ")


def test_reports_go_to_hub_editors_when_a_space_has_no_moderator(
    hub_editor, space, member, other, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    thread = services.start_thread(member, space, title="T", body="B")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_post(other, thread.posts.get(), reason="Spam")
    assert [mail.to for mail in mailoutbox] == [[hub_editor.email]]


def test_a_non_moderator_cannot_hide_and_a_moderator_hides_with_a_reason(
    hub_editor, member, other
) -> None:
    moderator = UserFactory(username="moderator")
    space = open_space(hub_editor, moderators=[moderator])
    thread = services.start_thread(member, space, title="T", body="Rude words")
    post = thread.posts.get()
    services.report_post(other, post, reason="Rude")
    for person in (member, other):
        with pytest.raises(PermissionDenied):
            services.hide_post(person, post, reason="I dislike it")
    post.refresh_from_db()
    assert post.hidden is False
    with pytest.raises(ValidationError) as error:
        services.hide_post(moderator, post, reason=" ")
    assert "reason" in error.value.message_dict

    hidden = services.hide_post(moderator, post, reason="Insults")
    assert hidden.hidden and hidden.hidden_reason == "Insults"
    assert PostReport.objects.get().resolved_at is not None
    event = AuditEvent.objects.get(target_id=str(post.pk), metadata__moderation="hide")
    assert event.actor == moderator and event.metadata["reason"] == "Insults"
    # A moderator of one space moderates nothing elsewhere.
    elsewhere = open_space(hub_editor, slug="elsewhere")
    other_post = services.start_thread(member, elsewhere, title="T", body="B").posts.get()
    with pytest.raises(PermissionDenied):
        services.hide_post(moderator, other_post, reason="No")
    services.unhide_post(moderator, post)
    assert AuditEvent.objects.filter(target_id=str(post.pk), metadata__moderation="unhide").exists()


def test_a_hidden_thread_leaves_search_and_takes_no_reply(space, member, hub_editor) -> None:
    thread = services.start_thread(member, space, title="Visa scam", body="Buy now")
    assert found(Thread, "visa scam") == [thread]
    services.hide_thread(hub_editor, thread, reason="Scam")
    assert found(Thread, "visa scam") == []
    assert not services.visible_threads(member).filter(pk=thread.pk).exists()
    assert services.visible_threads(hub_editor).filter(pk=thread.pk).exists()
    with pytest.raises(ValidationError):
        services.reply(member, thread, body="More")


def test_questions_are_added_only_by_moderators(space, member) -> None:
    with pytest.raises(PermissionDenied):
        services.add_question(member, space, text="Q?")
    assert Question.objects.filter(space=space).count() == 2
