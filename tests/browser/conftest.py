"""A real browser (Debian's chromium through Playwright) with an axe check on every page opened."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from migration_hub.accounts.choices import Role
from migration_hub.core import search
from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the
# test itself (factories) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Swagger UI (third-party, vendored) nests a button in its clickable operation headers; we
# cannot change its markup, so that one rule is not applied to the API docs page.
THIRD_PARTY_EXCEPTIONS = {"/api/docs/": {"nested-interactive"}}


def assert_accessible(page: Page, axe: Axe = Axe()) -> None:  # noqa: B008
    """Fail with a readable report if axe finds any WCAG 2.1 A/AA violation."""
    options = dict(AXE_OPTIONS)
    path = "/" + page.url.split("/", 3)[-1].split("?")[0] if page.url.count("/") >= 3 else "/"
    skipped = THIRD_PARTY_EXCEPTIONS.get(path, set())
    if skipped:
        options["rules"] = {rule: {"enabled": False} for rule in skipped}
    results = axe.run(page, options=options)
    violations = results.response["violations"]
    if violations:
        lines = [f"axe found {len(violations)} violation(s) on {page.url}:"]
        for violation in violations:
            targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
            lines.append(f"- {violation['id']}: {violation['help']} at {targets}")
        pytest.fail("\n".join(lines))


class CheckedPage:
    """A Playwright page whose every page load is checked by axe.

    `goto` checks at once; pages reached by clicks or form posts are checked when the test
    calls `check()` or, at the latest, when the test ends (the page then showing).
    """

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.checked: set[str] = set()
        self.console_errors: list[str] = []
        page.on(
            "console",
            lambda message: message.type == "error" and self.console_errors.append(message.text),
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self.page, name)

    def goto(self, path: str, **kwargs: Any) -> Any:
        response = self.page.goto(self.base_url + path, **kwargs)
        self.check()
        return response

    def check(self) -> None:
        self.page.wait_for_load_state()
        key = f"{self.page.url}|{self.page.title()}"
        if key not in self.checked:
            assert_accessible(self.page)
            self.checked.add(key)

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        self.goto("/accounts/login/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()
        self.check()


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[CheckedPage]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    checked = CheckedPage(context.new_page(), live_server.url)
    yield checked
    try:
        checked.check()
        csp_errors = [text for text in checked.console_errors if "Content Security Policy" in text]
        assert not csp_errors, csp_errors
    finally:
        context.close()


@pytest.fixture
def people(transactional_db: None) -> dict[str, Any]:
    """An organization with one user per role, and a second organization."""
    home = OrganizationFactory(code="HOME", name="Home Ministry of Migration")
    other = OrganizationFactory(code="OTHER", name="Other Agency for Refugees")
    search.index_object(home)
    search.index_object(other)
    users = {}
    for role in Role.values:
        users[role] = UserFactory(username=f"demo-{role}")
        MembershipFactory(user=users[role], organization=home, role=role)
    users["other_editor"] = UserFactory(username="other-editor")
    MembershipFactory(user=users["other_editor"], organization=other, role=Role.EDITOR)
    return {"home": home, "other": other, **users}


@pytest.fixture
def gcm(transactional_db: None, settings, tmp_path, countries, objectives) -> SimpleNamespace:
    """A review season: the GCM's cycles, a ministry's focal point, a co-author, and the
    Network's secretariat (an editor who publishes, an officer who compiles)."""
    from migration_hub.accounts.choices import OrganizationKind
    from migration_hub.reviews import services as review_services
    from migration_hub.reviews.choices import CycleKind
    from migration_hub.reviews.models import Cycle

    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path
    review_services.ensure_cycles(until_year=2030)
    ministry = OrganizationFactory(code="HOME", name="Home Ministry of Migration")
    secretariat = OrganizationFactory(
        code="NETWORK", name="Network Secretariat", kind=OrganizationKind.NETWORK_SECRETARIAT
    )

    def member(username: str, role: str, organization: Any) -> Any:
        user = UserFactory(username=username)
        MembershipFactory(user=user, organization=organization, role=role)
        return user

    return SimpleNamespace(
        ministry=ministry,
        focal_point=member("focal-point", Role.CONTRIBUTOR, ministry),
        coauthor=UserFactory(username="coauthor"),
        editor=member("secretariat-editor", Role.EDITOR, secretariat),
        officer=member("secretariat-officer", Role.VIEWER, secretariat),
        imrf=Cycle.objects.get(kind=CycleKind.IMRF, year=2026),
    )
