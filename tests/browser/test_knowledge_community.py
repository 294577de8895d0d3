"""The Hub's experts and discussions in the browser: a person finds an expert for a question,
reads why they match and writes to them without any address shown; a person replies in a
discussion space in Markdown and what they typed is rendered, never run. axe checks every
page opened."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from migration_hub.knowledge.models import ExpertMessage, Post
from migration_hub.knowledge.services import discussions as discussion_services
from migration_hub.knowledge.services import experts as expert_services
from tests.factories import UserFactory

from .conftest import CheckedPage

pytestmark = pytest.mark.browser

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def make_expert(username: str, *, listed: bool = True, **fields) -> object:
    user = UserFactory(username=username)
    return expert_services.save_profile(user, user=user, opted_in=listed, **fields)


def test_a_person_finds_an_expert_for_a_question_and_writes_to_them(
    page: CheckedPage, transactional_db, objectives, countries
) -> None:
    amina = make_expert(
        "amina",
        display_name="Amina Diallo",
        headline="Protection of migrants in vulnerable situations",
        objectives=["GCM-O7"],
        languages=["fr", "en"],
        countries=["SEN"],
    )
    make_expert("ivan", display_name="Ivan Petrov", headline="Remittances", objectives=["GCM-O20"])
    make_expert(
        "gone",
        listed=False,
        display_name="Opted Out Person",
        headline="Protection of migrants in vulnerable situations",
        objectives=["GCM-O7"],
        languages=["fr"],
    )
    UserFactory(username="omar", first_name="Omar", last_name="Haddad")

    page.sign_in("omar")
    page.goto("/hub/experts/")
    expect(page.get_by_role("heading", name="Find experts", level=1)).to_be_visible()
    page.get_by_label("Your question").fill("protecting migrants in vulnerable situations")
    page.get_by_label("GCM objective").select_option("GCM-O7")
    page.get_by_label("Speaks").select_option("fr")
    page.locator("main form[role=search] button[type=submit]").click()
    page.wait_for_url("**/hub/experts/?question=*")
    page.check()

    results = page.locator("#expert-results")
    expect(results.get_by_role("link", name="Amina Diallo")).to_be_visible()
    expect(results).not_to_contain_text("Opted Out Person")
    expect(results).not_to_contain_text("Ivan Petrov")
    card = page.locator(f'article[data-expert="{amina.pk}"]')
    expect(card.get_by_text("Works on objective 7")).to_be_visible()
    expect(card.get_by_text("Speaks French")).to_be_visible()
    expect(card).to_contain_text("Their profile mentions")

    results.get_by_role("link", name="Amina Diallo").click()
    page.wait_for_load_state()
    page.check()
    expect(page.get_by_role("heading", name="Amina Diallo", level=1)).to_be_visible()
    assert not EMAIL.findall(page.content())
    page.get_by_label("Subject").fill("Protection desks at the border")
    page.get_by_label("Message").fill("Could you advise our team next month?")
    page.get_by_role("button", name="Send the message").click()
    page.wait_for_load_state()
    page.check()
    expect(page.get_by_text("Your message was sent to Amina Diallo.")).to_be_visible()
    assert not EMAIL.findall(page.content())

    message = ExpertMessage.objects.get()
    assert message.expert == amina and message.sender.username == "omar"
    assert [sent.to for sent in mail.outbox] == [[amina.user.email]]
    assert "Omar Haddad" in mail.outbox[0].body
    assert "Could you advise our team next month?" in mail.outbox[0].body


def test_a_person_replies_in_a_space_in_markdown_rendered_safely(
    page: CheckedPage, transactional_db, people
) -> None:
    from migration_hub.accounts.choices import OrganizationKind
    from tests.factories import MembershipFactory, OrganizationFactory

    secretariat = OrganizationFactory(
        code="NETWORK", name="Network Secretariat", kind=OrganizationKind.NETWORK_SECRETARIAT
    )
    editor = UserFactory(username="hub-editor")
    MembershipFactory(user=editor, organization=secretariat, role="editor")
    space = discussion_services.create_space(
        editor,
        title="Fair recruitment",
        slug="fair-recruitment",
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=13),
        questions=["Who should pay recruitment fees?", "How are fees monitored?"],
    )
    starter = UserFactory(username="amina")
    thread = discussion_services.start_thread(
        starter, space, title="The employer pays principle", body="Opening thoughts.", question=1
    )

    page.sign_in("demo-contributor")
    page.goto("/hub/spaces/")
    page.get_by_role("link", name="Fair recruitment").click()
    page.wait_for_load_state()
    page.check()
    expect(page.get_by_role("heading", name="Q.1 Who should pay recruitment fees?")).to_be_visible()
    page.get_by_role("link", name="The employer pays principle").click()
    page.wait_for_load_state()
    page.check()

    page.get_by_label("Your reply").fill(
        "I agree with **the employer pays** principle, @amina.\n\n"
        "- see [the ILO guidelines](https://www.ilo.org/fair-recruitment)\n"
        "- <script>window.hacked = 1</script>\n"
        '- <img src=x onerror="window.hacked = 2">\n'
        "- [click me](javascript:window.hacked=3)\n"
    )
    page.get_by_role("button", name="Post the reply").click()
    page.wait_for_load_state()
    page.check()
    expect(page.get_by_text("Your reply is posted.")).to_be_visible()

    post = Post.objects.filter(thread=thread).order_by("-id").first()
    body = page.locator(f"#post-{post.pk} .post-body")
    expect(body.locator("strong")).to_have_text("the employer pays")
    link = body.get_by_role("link", name="the ILO guidelines")
    expect(link).to_have_attribute("href", "https://www.ilo.org/fair-recruitment")
    expect(link).to_have_attribute("rel", "nofollow noopener")
    expect(body).to_contain_text("<script>window.hacked = 1</script>")  # shown as text
    expect(body.locator("script, img")).to_have_count(0)
    expect(body.get_by_role("link", name="click me")).to_have_count(0)
    expect(body.locator(".mention")).to_have_text("@amina")
    assert page.evaluate("window.hacked") is None
    assert list(post.mentions.all()) == [starter]
