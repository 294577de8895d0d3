"""Abuse found in review: the Hub never becomes a way to flood people with e-mail, nor shows a
draft through a public page."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from migration_hub.knowledge.services import discussions
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_mentions_e_mail_at_most_the_daily_limit_of_people(
    hub_editor, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.KNOWLEDGE_MENTION_EMAILS_PER_DAY = 25
    space = discussions.create_space(hub_editor, slug="open", title="Open space")
    author = UserFactory(username="author")
    for number in range(20):
        UserFactory(username=f"person{number}")
    thread = discussions.start_thread(author, space, title="Hello", body="Hello all.")
    body = "Please read " + " ".join(f"@person{number}" for number in range(20))
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            discussions.reply(author, thread, body=body)
    assert len(mailoutbox) == 25  # 20, then 5, then none
    assert thread.posts.last().mentions.count() == 0


def test_reporting_the_same_post_twice_is_refused_and_moderators_hear_once(
    hub_editor, mailoutbox, django_capture_on_commit_callbacks
):
    space = discussions.create_space(hub_editor, slug="open", title="Open space")
    writer = UserFactory(username="writer")
    thread = discussions.start_thread(writer, space, title="Hello", body="A post.")
    post_ = thread.posts.first()
    first, second = UserFactory(username="first"), UserFactory(username="second")
    with django_capture_on_commit_callbacks(execute=True):
        discussions.report_post(first, post_, reason="Spam.")
    told = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ValidationError) as error:
            discussions.report_post(first, post_, reason="Spam again.")
        assert "already reported" in error.value.message_dict["reason"][0]
        discussions.report_post(second, post_, reason="Also spam.")
    assert told >= 1 and len(mailoutbox) == told
    assert post_.reports.count() == 2


def test_a_user_name_that_is_an_e_mail_address_is_never_shown_whole(hub_editor, client):
    space = discussions.create_space(hub_editor, slug="open", title="Open space")
    writer = UserFactory(username="jane.doe@ministry.example", first_name="", last_name="")
    thread = discussions.start_thread(writer, space, title="Hello", body="A post.")
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "jane.doe" in page and "ministry.example" not in page
