"""Markdown in discussion posts: markdown-it-py renders it, nh3 sanitises the result. Whatever
people type, no script, event handler, raw HTML or dangerous link reaches the page."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from migration_hub.knowledge.markdown import ALLOWED_TAGS, mentioned_usernames, render_markdown

ATTACKS = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox)",
    '<div onclick="alert(1)">raw block</div>',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    "<svg onload=alert(1)>",
    '![x](https://tracker.example/pixel.png "t")',
    '[x](https://example.org "a\\" onmouseover=\\"alert(1)")',
    "<!-- comment --><b>bold</b>",
    "*<script>*alert(1)",
    "<javascript:alert(1)>",
]


class Elements(HTMLParser):
    """Every element and attribute of a fragment, as a browser would parse it."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("text", ATTACKS)
def test_hostile_markdown_is_rendered_inert(text: str) -> None:
    for tag, attrs in elements(render_markdown(text)):
        assert tag in ALLOWED_TAGS, tag
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        assert "style" not in attrs and "src" not in attrs
        href = attrs.get("href")
        if href is not None:
            assert href.startswith(("https://", "http://", "mailto:")), href
            assert attrs.get("rel") == "nofollow noopener"


def test_raw_html_is_shown_as_text() -> None:
    html = render_markdown("<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>")
    assert "&lt;script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_a_javascript_link_is_not_a_link() -> None:
    assert "<a" not in render_markdown("[click](javascript:alert(1))")
    html = render_markdown('<a href="javascript:alert(1)">x</a>')
    assert elements(html) == [("p", {})]  # the tag is shown as text


def test_common_markdown_renders() -> None:
    html = render_markdown("**bold** and _italic_\n\n- one\n- two\n\n> quoted\n\n`code`")
    assert "<strong>bold</strong>" in html
    assert "<em>italic</em>" in html
    assert "<ul>" in html and "<li>one</li>" in html
    assert "<blockquote>" in html
    assert "<code>code</code>" in html


def test_links_get_nofollow_noopener_and_only_safe_schemes() -> None:
    html = render_markdown("[site](https://example.org/a?b=1) and [mail](mailto:desk@example.org)")
    assert '<a href="https://example.org/a?b=1" rel="nofollow noopener">site</a>' in html
    assert 'href="mailto:desk@example.org"' in html
    assert "ftp" not in render_markdown("[f](ftp://example.org/file)").split("href")[-1][:10]
    # A relative link keeps its text but loses its address.
    relative = render_markdown("[admin](/admin/)")
    assert "href" not in relative and "admin" in relative


def test_bare_urls_are_not_linked() -> None:
    """linkify is off (linkify-it-py is not installed): write <https://...> to make a link."""
    assert "<a" not in render_markdown("see https://example.org")
    assert 'href="https://example.org"' in render_markdown("see <https://example.org>")


def test_headings_sit_below_the_page_headings() -> None:
    assert "<h4>Title</h4>" in render_markdown("# Title")
    assert "<h6>Deep</h6>" in render_markdown("##### Deep")


def test_mentions_are_highlighted_only_for_given_usernames() -> None:
    html = render_markdown("Hello @amina and @nobody, see `@code`.", mentions=["amina"])
    assert '<span class="mention">@amina</span>' in html
    assert "@nobody" in html and 'mention">@nobody' not in html
    assert "<code>@code</code>" in html
    assert "<a" not in html  # a mention links to nothing about the person


def test_a_mention_cannot_inject_markup() -> None:
    html = render_markdown("@amina<script>", mentions=["amina"])
    assert "<script" not in html


def test_mentioned_usernames_skip_code_links_and_addresses() -> None:
    text = "@amina, @Bob. `@code` [@link](https://example.org) write to a@b.org @amina"
    assert mentioned_usernames(text) == ["amina", "Bob"]


def test_empty_text_renders_empty() -> None:
    assert render_markdown("") == ""
