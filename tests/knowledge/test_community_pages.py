"""The experts and discussions pages: what people see and can do, what they are refused, and
that no page shows an e-mail address or runs what someone typed."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from migration_hub.knowledge.models import ExpertMessage, Post, SpaceSubscription, Thread
from migration_hub.knowledge.services import discussions as discussion_services
from migration_hub.knowledge.services import experts as expert_services

from ..factories import UserFactory
from .test_discussions import open_space
from .test_experts import make_expert

pytestmark = pytest.mark.django_db

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def html_of(response: Any) -> str:
    return response.content.decode()


def assert_no_address(response: Any) -> None:
    found = EMAIL.findall(html_of(response))
    assert not found, found


@pytest.fixture
def experts(objectives, countries) -> dict[str, Any]:
    return {
        "amina": make_expert(
            "amina",
            display_name="Amina Diallo",
            headline="Protection of migrants in vulnerable situations",
            objectives=["GCM-O7"],
            languages=["fr", "en"],
            countries=["SEN"],
        ),
        "ivan": make_expert(
            "ivan",
            display_name="Ivan Petrov",
            headline="Remittances",
            objectives=["GCM-O20"],
            languages=["ru"],
        ),
        "gone": make_expert(
            "gone",
            listed=False,
            display_name="Opted Out",
            headline="Protection of migrants in vulnerable situations",
            objectives=["GCM-O7"],
            languages=["fr"],
        ),
    }


# --- experts -------------------------------------------------------------------------------


def test_the_expert_list_shows_listed_experts_only_and_no_address(client, experts) -> None:
    response = client.get(reverse("knowledge:expert_list"))
    assert response.status_code == 200
    page = html_of(response)
    assert "Amina Diallo" in page and "Ivan Petrov" in page
    assert "Opted Out" not in page
    assert_no_address(response)


def test_find_experts_shows_the_ranked_matches_with_reasons(client, experts, objectives) -> None:
    response = client.get(
        reverse("knowledge:expert_list"),
        {"question": "migrants in vulnerable situations", "objective": "GCM-O7", "language": "fr"},
    )
    assert response.status_code == 200
    page = html_of(response)
    assert "Amina Diallo" in page
    assert "Works on objective 7" in page
    assert "Speaks French" in page
    assert "Ivan Petrov" not in page
    assert "Opted Out" not in page
    assert_no_address(response)


def test_an_opted_out_expert_has_no_page(client, client_for, experts) -> None:
    gone = experts["gone"]
    assert client.get(reverse("knowledge:expert_detail", args=[gone.pk])).status_code == 404
    owner = client_for(gone.user)
    assert owner.get(reverse("knowledge:expert_detail", args=[gone.pk])).status_code == 404
    response = owner.post(
        reverse("knowledge:expert_contact", args=[gone.pk]), {"subject": "Hi", "body": "Hello"}
    )
    assert response.status_code == 404
    assert not ExpertMessage.objects.exists()


def test_the_expert_page_has_a_contact_form_and_no_address(client, client_for, experts) -> None:
    amina = experts["amina"]
    url = reverse("knowledge:expert_detail", args=[amina.pk])
    anonymous = client.get(url)
    assert "Sign in to write to this expert." in html_of(anonymous)
    assert_no_address(anonymous)
    reader = client_for(UserFactory(username="omar"))
    response = reader.get(url)
    page = html_of(response)
    assert "Write to this expert" in page and 'name="body"' in page
    assert "French" in page and "Senegal" in page
    assert_no_address(response)


def test_a_person_writes_to_an_expert(
    client_for, experts, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    amina = experts["amina"]
    sender = UserFactory(username="omar", first_name="Omar", last_name="Haddad")
    reader = client_for(sender)
    with django_capture_on_commit_callbacks(execute=True):
        response = reader.post(
            reverse("knowledge:expert_contact", args=[amina.pk]),
            {"subject": "Protection desks", "body": "Could you advise our team?"},
            follow=True,
        )
    assert response.status_code == 200
    assert "Your message was sent to Amina Diallo" in html_of(response)
    assert_no_address(response)
    message = ExpertMessage.objects.get()
    assert (message.sender, message.expert) == (sender, amina)
    assert mailoutbox[0].to == [amina.user.email]
    assert "Omar Haddad" in mailoutbox[0].body


def test_the_contact_limit_is_shown_clearly(client_for, experts, settings) -> None:
    settings.KNOWLEDGE_EXPERT_CONTACTS_PER_DAY = 1
    reader = client_for(UserFactory(username="omar"))
    url = reverse("knowledge:expert_contact", args=[experts["amina"].pk])
    assert reader.post(url, {"subject": "One", "body": "Hello"}).status_code == 302
    response = reader.post(url, {"subject": "Two", "body": "Hello again"})
    assert response.status_code == 400
    assert "the most allowed. Nothing was sent: try again tomorrow." in html_of(response)
    assert ExpertMessage.objects.count() == 1


def test_an_empty_message_is_refused_on_the_page(client_for, experts) -> None:
    reader = client_for(UserFactory(username="omar"))
    response = reader.post(
        reverse("knowledge:expert_contact", args=[experts["amina"].pk]),
        {"subject": "", "body": ""},
    )
    assert response.status_code == 400
    assert "This field is required." in html_of(response)


def test_writing_needs_an_account(client, experts) -> None:
    response = client.post(
        reverse("knowledge:expert_contact", args=[experts["amina"].pk]),
        {"subject": "Hi", "body": "Hello"},
    )
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not ExpertMessage.objects.exists()


def profile_post(profile: Any, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "display_name": profile.display_name,
        "headline": profile.headline,
        "bio": profile.bio,
        "availability": profile.availability,
        "languages": profile.languages,
        "objectives": [item.pk for item in profile.objectives.all()],
        "expected_version": profile.version,
    }
    if profile.opted_in:
        data["opted_in"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_person_creates_and_lists_their_profile(client, client_for, objectives) -> None:
    url = reverse("knowledge:expert_profile")
    assert client.get(url).status_code == 302  # sign in first
    user = UserFactory(username="lena", first_name="Lena", last_name="Berg")
    person = client_for(user)
    page = html_of(person.get(url))
    assert "List my profile in the expert database" in page
    response = person.post(
        url,
        {
            "display_name": "Lena Berg",
            "headline": "Return and reintegration",
            "availability": "available",
            "languages": ["de", "en"],
            "objectives": [objectives[21].pk],
            "opted_in": "on",
        },
        follow=True,
    )
    assert "Your expert profile is saved and listed in the expert database." in html_of(response)
    profile = expert_services.own_profile(user)
    assert profile.opted_in and profile.languages == ["de", "en"]
    assert list(profile.objectives.values_list("code", flat=True)) == ["GCM-O21"]
    assert "Lena Berg" in html_of(client.get(reverse("knowledge:expert_list")))


def test_opting_out_on_the_page_hides_the_profile_at_once(client, client_for, experts) -> None:
    amina = experts["amina"]
    person = client_for(amina.user)
    response = person.post(
        reverse("knowledge:expert_profile"), profile_post(amina, opted_in=None), follow=True
    )
    assert "It is not listed: no one else sees it." in html_of(response)
    client.logout()
    assert "Amina Diallo" not in html_of(client.get(reverse("knowledge:expert_list")))
    assert client.get(reverse("knowledge:expert_detail", args=[amina.pk])).status_code == 404
    found = client.get(reverse("knowledge:expert_list"), {"objective": "GCM-O7"})
    assert "Amina Diallo" not in html_of(found)


def test_a_stale_profile_edit_is_refused(client_for, experts) -> None:
    amina = experts["amina"]
    person = client_for(amina.user)
    stale = profile_post(amina, headline="Old tab")
    assert (
        person.post(reverse("knowledge:expert_profile"), profile_post(amina, headline="New"))
    ).status_code == 302
    response = person.post(reverse("knowledge:expert_profile"), stale)
    assert response.status_code == 409
    assert "changed by someone else since you opened it" in html_of(response)
    amina.refresh_from_db()
    assert amina.headline == "New"


def test_html_in_a_profile_is_shown_as_text(client, objectives) -> None:
    make_expert(
        "mallory",
        display_name="<script>alert(1)</script>Mallory",
        headline='<img src=x onerror="alert(1)">',
        objectives=["GCM-O7"],
    )
    for response in (
        client.get(reverse("knowledge:expert_list")),
        client.get(reverse("knowledge:expert_list"), {"objective": "GCM-O7"}),
    ):
        page = html_of(response)
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;Mallory" in page
        assert "<img src=x" not in page


def test_the_expert_reads_and_answers_messages(
    client_for, experts, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    amina = experts["amina"]
    sender = UserFactory(username="omar")
    message = expert_services.contact_expert(sender, amina, subject="Advice", body="Help us")
    person = client_for(amina.user)
    response = person.get(reverse("knowledge:expert_messages"))
    assert "Advice" in html_of(response) and "Help us" in html_of(response)
    assert_no_address(response)
    with django_capture_on_commit_callbacks(execute=True):
        response = person.post(
            reverse("knowledge:expert_message_answer", args=[message.pk]),
            {f"answer-{message.pk}-body": "Gladly."},
        )
    assert response.status_code == 302
    assert mailoutbox[-1].to == [sender.email] and "Gladly." in mailoutbox[-1].body
    # Someone else cannot answer it.
    other = client_for(UserFactory(username="lena"))
    assert (
        other.post(
            reverse("knowledge:expert_message_answer", args=[message.pk]),
            {f"answer-{message.pk}-body": "Not mine"},
        ).status_code
        == 404
    )


# --- discussions ---------------------------------------------------------------------------


@pytest.fixture
def space(hub_editor) -> Any:
    return open_space(
        hub_editor,
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=13),
    )


def test_spaces_and_their_questions_are_public(client, space) -> None:
    member = UserFactory(username="amina")
    discussion_services.start_thread(member, space, title="German scheme", body="B", question=1)
    discussion_services.start_thread(member, space, title="Open chat", body="B")
    listing = html_of(client.get(reverse("knowledge:space_list")))
    assert "Labour migration" in listing and "2 questions" in listing and "2 threads" in listing
    page = html_of(client.get(space.get_absolute_url()))
    assert "Q.1 What works for skills partnerships?" in page
    assert "Q.2 How to lower recruitment costs?" in page
    assert "German scheme" in page and "General discussion" in page
    assert "Open for posts from" in page and "Open now" in page
    assert page.index("German scheme") < page.index("Q.2")  # under its question
    assert "Sign in to take part." in page


def test_a_person_starts_a_thread_and_replies_in_markdown(client_for, space) -> None:
    member = client_for(UserFactory(username="amina"))
    response = member.post(
        reverse("knowledge:thread_create", args=[space.slug]),
        {
            "thread-title": "<script>alert('t')</script>Fees",
            "thread-question": "2",
            "thread-body": "Who **pays**?",
        },
    )
    thread = Thread.objects.get()
    assert response.status_code == 302 and response["Location"] == thread.get_absolute_url()
    assert thread.question.number == 2
    response = member.post(
        reverse("knowledge:thread_reply", args=[thread.pk]),
        {
            "reply-body": (
                "The _employer_ pays. <script>alert(1)</script> <img src=x onerror=alert(1)> "
                "[bad](javascript:alert(1)) [ILO](https://www.ilo.org)"
            )
        },
        follow=True,
    )
    page = html_of(response)
    assert "Your reply is posted." in page
    assert "<em>employer</em>" in page
    assert '<a href="https://www.ilo.org" rel="nofollow noopener">ILO</a>' in page
    assert "<script>alert" not in page and "<img src=x" not in page
    assert 'href="javascript' not in page
    assert "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;Fees" in page
    assert "Markdown" in page  # the help under the form


def test_a_closed_space_shows_no_form_and_refuses_posts(client_for, hub_editor) -> None:
    closed = open_space(
        hub_editor,
        slug="closed",
        opens_at=timezone.now() - timedelta(days=20),
        closes_at=timezone.now() - timedelta(days=6),
    )
    member = client_for(UserFactory(username="amina"))
    page = html_of(member.get(closed.get_absolute_url()))
    assert "Not open for posts now" in page
    assert "Nothing was posted: this space takes posts only from" in page
    assert "Start a thread" not in page
    response = member.post(
        reverse("knowledge:thread_create", args=[closed.slug]),
        {"thread-title": "Late", "thread-body": "Too late"},
    )
    assert response.status_code == 400
    assert "this space takes posts only from" in html_of(response)
    assert not Thread.objects.exists()


def test_a_locked_thread_refuses_replies_on_the_page(client_for, space, hub_editor) -> None:
    author = UserFactory(username="amina")
    thread = discussion_services.start_thread(author, space, title="T", body="B")
    moderator = client_for(hub_editor)
    page = html_of(moderator.get(thread.get_absolute_url()))
    assert "Lock the thread" in page and "Hide this post" in page
    moderator.post(reverse("knowledge:thread_lock", args=[thread.pk]), {"locked": "1"})
    member = client_for(UserFactory(username="omar"))
    page = html_of(member.get(thread.get_absolute_url()))
    assert "A moderator locked this thread" in page and 'name="reply-body"' not in page
    assert "Lock the thread" not in page
    response = member.post(
        reverse("knowledge:thread_reply", args=[thread.pk]), {"reply-body": "Still here"}
    )
    assert response.status_code == 400
    assert "it takes no more replies. Nothing was posted." in html_of(response)
    assert thread.posts.count() == 1


def test_a_non_moderator_cannot_hide_or_lock(client_for, space) -> None:
    thread = discussion_services.start_thread(
        UserFactory(username="amina"), space, title="T", body="B"
    )
    post = thread.posts.get()
    member = client_for(UserFactory(username="omar"))
    hide = member.post(
        reverse("knowledge:post_hide", args=[post.pk]), {f"hide-{post.pk}-reason": "x"}
    )
    assert hide.status_code == 403
    lock = member.post(reverse("knowledge:thread_lock", args=[thread.pk]), {"locked": "1"})
    assert lock.status_code == 403
    post.refresh_from_db()
    thread.refresh_from_db()
    assert not post.hidden and not thread.locked


def test_a_hidden_post_is_replaced_for_others(client, client_for, space, hub_editor) -> None:
    thread = discussion_services.start_thread(
        UserFactory(username="amina"), space, title="T", body="Buy cheap visas here"
    )
    post = thread.posts.get()
    reporter = client_for(UserFactory(username="omar"))
    response = reporter.post(
        reverse("knowledge:post_report", args=[post.pk]), {f"report-{post.pk}-reason": "Scam"}
    )
    assert response.status_code == 302
    reporter.logout()
    moderator = client_for(hub_editor)
    response = moderator.post(
        reverse("knowledge:post_hide", args=[post.pk]), {f"hide-{post.pk}-reason": "Scam"}
    )
    assert response.status_code == 302
    assert "Buy cheap visas here" in html_of(moderator.get(thread.get_absolute_url()))
    moderator.logout()
    page = html_of(client.get(thread.get_absolute_url()))
    assert "This post was hidden by a moderator." in page
    assert "Buy cheap visas here" not in page


def test_a_report_needs_a_reason(client_for, space) -> None:
    thread = discussion_services.start_thread(
        UserFactory(username="amina"), space, title="T", body="B"
    )
    post = thread.posts.get()
    member = client_for(UserFactory(username="omar"))
    response = member.post(
        reverse("knowledge:post_report", args=[post.pk]), {f"report-{post.pk}-reason": ""}
    )
    assert response.status_code == 400
    assert "This field is required." in html_of(response)


def test_a_hidden_thread_is_not_found_by_others(client, client_for, space, hub_editor) -> None:
    thread = discussion_services.start_thread(
        UserFactory(username="amina"), space, title="Scam", body="B"
    )
    discussion_services.hide_thread(hub_editor, thread, reason="Scam")
    assert client.get(thread.get_absolute_url()).status_code == 404
    assert "Scam" not in html_of(client.get(space.get_absolute_url()))
    assert client_for(hub_editor).get(thread.get_absolute_url()).status_code == 200


def test_a_person_subscribes_to_a_space(client_for, space) -> None:
    user = UserFactory(username="amina")
    member = client_for(user)
    response = member.post(
        reverse("knowledge:space_subscribe", args=[space.slug]),
        {"subscribe-frequency": "weekly"},
        follow=True,
    )
    assert "You follow this space: Weekly digest." in html_of(response)
    assert SpaceSubscription.objects.get(user=user).frequency == "weekly"


def test_only_hub_editors_open_spaces_on_the_page(client_for, hub_editor, themes) -> None:
    member = client_for(UserFactory(username="amina"))
    assert member.get(reverse("knowledge:space_create")).status_code == 403
    editor = client_for(hub_editor)
    response = editor.post(
        reverse("knowledge:space_create"),
        {
            "title": "Return and reintegration",
            "slug": "return",
            "theme": themes[5].pk,
            "opens_at": "2026-03-01T09:00",
            "closes_at": "2026-02-01T09:00",
            "questions": "What works?\nWho pays?",
        },
    )
    assert response.status_code == 400
    assert "The space must close after it opens." in html_of(response)
    response = editor.post(
        reverse("knowledge:space_create"),
        {
            "title": "Return and reintegration",
            "slug": "return",
            "questions": "What works?\n\nWho pays?",
            "moderators": "hub-editor",
        },
    )
    assert response.status_code == 302
    page = html_of(editor.get(response["Location"]))
    assert "Q.1 What works?" in page and "Q.2 Who pays?" in page


def test_posting_needs_an_account(client, space) -> None:
    response = client.post(
        reverse("knowledge:thread_create", args=[space.slug]),
        {"thread-title": "T", "thread-body": "B"},
    )
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Post.objects.exists()


def test_a_reply_on_a_long_thread_leads_to_its_page(client_for, space) -> None:
    author = UserFactory(username="amina")
    thread = discussion_services.start_thread(author, space, title="Long", body="Post 1")
    for number in range(2, 51):
        discussion_services.reply(author, thread, body=f"Post {number}")
    member = client_for(UserFactory(username="omar"))
    response = member.post(
        reverse("knowledge:thread_reply", args=[thread.pk]), {"reply-body": "Post 51"}
    )
    post = Post.objects.get(body="Post 51")
    assert response["Location"] == f"{thread.get_absolute_url()}?page=2#post-{post.pk}"
    page = html_of(member.get(response["Location"]))
    assert "Post 51" in page and "Page 2 of 2" in page
