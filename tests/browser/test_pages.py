"""What people see and do in the browser; axe checks every page these tests open."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from migration_hub.accounts.choices import Role
from migration_hub.core.services import load_countries

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("role", "sees_audit_log", "may_edit"),
    [
        (Role.VIEWER, False, False),
        (Role.EDITOR, False, True),
        (Role.DATA_PROTECTION_OFFICER, True, False),
        (Role.ADMINISTRATOR, True, True),
        (Role.CASE_WORKER, False, False),
    ],
)
def test_each_role_signs_in_and_sees_what_it_may(
    page, people, role, sees_audit_log, may_edit
) -> None:
    page.sign_in(f"demo-{role}")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Organizations")).to_be_visible()
    expect(nav.get_by_role("link", name="Audit log")).to_have_count(1 if sees_audit_log else 0)
    page.goto("/accounts/organizations/HOME/")
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(1 if may_edit else 0)
    if sees_audit_log:
        page.goto("/audit/")
        expect(page.get_by_role("heading", name="Audit log")).to_be_visible()


def test_unauthenticated_visitor_is_sent_to_sign_in(page) -> None:
    page.goto("/accounts/organizations/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert "next=/accounts/organizations/" in page.url


def test_search_and_filter_update_the_list_in_place(page, people) -> None:
    load_countries()
    page.sign_in("demo-viewer")
    page.goto("/countries/")
    expect(page.get_by_text("249 results")).to_be_visible()
    page.get_by_label("Search").fill("cote")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("1 result", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Côte d'Ivoire")).to_be_visible()
    assert "q=cote" in page.url  # pushed by htmx, so the filtered list can be bookmarked
    page.check()
    page.get_by_role("link", name="Côte d'Ivoire").click()
    expect(page.get_by_role("heading", name="Côte d'Ivoire")).to_be_visible()


def test_export_link_downloads_the_filtered_list(page, people) -> None:
    page.sign_in("demo-viewer")
    page.goto("/accounts/organizations/?q=refugees")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    content = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    assert "Other Agency for Refugees" in content and "Home Ministry" not in content


def test_concurrent_edits_do_not_overwrite_each_other(page, people, browser, live_server) -> None:
    page.sign_in("demo-editor")
    page.goto("/accounts/organizations/HOME/edit/")
    second_context = browser.new_context()
    other = second_context.new_page()
    other.goto(live_server.url + "/accounts/login/")
    other.get_by_label("Username").fill("demo-administrator")
    other.get_by_label("Password").fill("correct-horse-battery-9")
    other.get_by_role("button", name="Sign in").click()
    other.goto(live_server.url + "/accounts/organizations/HOME/edit/")
    other.get_by_label("Acronym").fill("ADM")
    other.get_by_role("button", name="Save").click()
    expect(other.get_by_text("Saved.")).to_be_visible()
    second_context.close()

    page.get_by_label("Acronym").fill("EDT")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("changed by someone else")
    page.check()
    page.goto("/accounts/organizations/HOME/")
    expect(page.get_by_text("(ADM)")).to_be_visible()


def test_language_switcher_offers_the_six_un_languages_and_arabic_is_rtl(page, people) -> None:
    page.goto("/")
    options = page.locator("#language-select option")
    assert sorted(options.evaluate_all("els => els.map(e => e.value)")) == [
        "ar",
        "en",
        "es",
        "fr",
        "ru",
        "zh-hans",
    ]
    page.select_option("#language-select", "ar")
    page.locator("form.inline-form button").first.click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    assert page.locator("a.skip-link").inner_text() != "Skip to content"  # translated
    page.check()
    for code in ["zh-hans", "fr", "ru", "es"]:
        page.select_option("#language-select", code)
        page.locator("form.inline-form button").first.click()
        page.wait_for_load_state()
        expect(page.locator("html")).to_have_attribute("lang", code)
        expect(page.locator("html")).to_have_attribute("dir", "ltr")
        page.check()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/accounts/organizations/",
        "/countries/",
        "/accounts/organizations/HOME/",
        "/accounts/me/",
    ],
)
def test_pages_fit_a_360_pixel_phone(page, people, path: str) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.sign_in("demo-administrator")
    page.goto(path)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} is {overflow}px wider than the phone"


def test_lockout_after_repeated_failures_shows_what_to_do(page, people) -> None:
    for _attempt in range(5):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("demo-viewer")
        page.get_by_label("Password").fill("wrong guess")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        page.check()
    page.sign_in("demo-viewer")
    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-in attempts")


def test_two_factor_setup_page_shows_a_qr_code(page, people) -> None:
    page.sign_in("demo-viewer")
    page.goto("/accounts/two-factor/setup/")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()


def test_password_reset_pages(page, people) -> None:
    page.goto("/accounts/password-reset/")
    page.get_by_label("Email").fill("demo-viewer@example.org")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()


def test_api_docs_render_offline(page, people) -> None:
    requests: list[str] = []
    page.page.on("request", lambda request: requests.append(request.url))
    page.page.goto(page.base_url + "/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible(timeout=15000)
    assert all(url.startswith(page.base_url) or url.startswith("data:") for url in requests), (
        requests
    )
