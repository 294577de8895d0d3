"""Markdown for discussion posts: rendered by markdown-it-py, then sanitised by nh3.

- CommonMark, with raw HTML switched off (`<script>` and `<img onerror>` come out as text),
  line breaks kept (people write posts, not documents), no images (no remote content loaded by
  readers' browsers) and no bare-URL linking (linkify-it-py is not installed: write
  `<https://...>` or `[text](https://...)`).
- nh3 then keeps only the tags below, only http, https and mailto links, and adds
  rel="nofollow noopener" to every link; a link to anything else (`javascript:`, `data:`, a
  relative address) loses its `href` and stays as plain text.
- `@username` outside code and links becomes `<span class="mention">@username</span>` when the
  username is one of `mentions`: a highlight, not a link to anything about the person.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Iterator

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

# A mention is "@" then a username (Django's letters, digits and . + - _), not preceded by a
# character that would make it part of an e-mail address or a word, and not ending with the
# punctuation that closes a sentence.
MENTION = re.compile(r"(?<![\w@.+-])@([\w](?:[\w.+-]*[\w])?)")
MAX_MENTIONS = 20
HEADING_SHIFT = 3

ALLOWED_TAGS = {
    "a",
    "blockquote",
    "br",
    "code",
    "em",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "span",
    "strong",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
SAFE_HREF = re.compile(r"^(?:https?://|mailto:)", re.IGNORECASE)


def _keep_safe_links(tag: str, attribute: str, value: str) -> str | None:
    """Only absolute http(s) and mailto links keep their address."""
    if tag == "a" and attribute == "href" and not SAFE_HREF.match(value.strip()):
        return None
    return value


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    allowed_classes={"span": {"mention"}},
    url_schemes=ALLOWED_SCHEMES,
    link_rel="nofollow noopener",
    attribute_filter=_keep_safe_links,
    clean_content_tags={"script", "style"},
    strip_comments=True,
)


def _text_tokens(tokens: list[Token]) -> Iterator[tuple[Token, int, Token]]:
    """(inline token, index, text child) for every text outside links."""
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        depth = 0
        for index, child in enumerate(block.children):
            if child.type == "link_open":
                depth += 1
            elif child.type == "link_close":
                depth = max(0, depth - 1)
            elif child.type == "text" and depth == 0:
                yield block, index, child


def _mention_rule(state: StateCore) -> None:
    wanted = {name.casefold() for name in state.env.get("mentions", ())}
    if not wanted:
        return
    found = list(_text_tokens(state.tokens))
    # Replace from the end so earlier indexes stay valid.
    for block, index, child in reversed(found):
        parts = MENTION.split(child.content)
        if len(parts) == 1:
            continue
        replacement: list[Token] = []
        for position, part in enumerate(parts):
            if position % 2 == 0:
                if part:
                    token = Token("text", "", 0)
                    token.content = part
                    replacement.append(token)
                continue
            token = Token("html_inline", "", 0)
            if part.casefold() in wanted:
                token.content = f'<span class="mention">@{html.escape(part)}</span>'
            else:
                token.content = html.escape(f"@{part}")
            replacement.append(token)
        assert block.children is not None  # noqa: S101  (checked in _text_tokens)
        block.children[index : index + 1] = replacement


def _heading_rule(state: StateCore) -> None:
    """A post sits under the page's own headings: its `#` becomes h4, `##` h5 and so on."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + HEADING_SHIFT)}"


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False})
    parser.disable("image")
    parser.core.ruler.push("mentions", _mention_rule)
    parser.core.ruler.push("headings", _heading_rule)
    return parser


_markdown = _parser()


def clean_html(fragment: str) -> str:
    """Sanitise an HTML fragment with the rules above."""
    return _cleaner.clean(fragment)


def render_markdown(text: str, *, mentions: Collection[str] = ()) -> SafeString:
    """The post's Markdown as HTML that is safe to put in a page; `mentions` are the usernames
    to highlight (those of real accounts)."""
    rendered = _markdown.render(text or "", {"mentions": list(mentions)})
    return mark_safe(clean_html(rendered))  # noqa: S308  (sanitised by nh3 just above)


def mentioned_usernames(text: str) -> list[str]:
    """The `@usernames` written in the text, outside code and links, in order, each once
    (at most MAX_MENTIONS): candidates; the caller keeps those that are real accounts."""
    tokens = _markdown.parse(text or "")
    seen: dict[str, str] = {}
    for _block, _index, child in _text_tokens(tokens):
        for name in MENTION.findall(child.content):
            seen.setdefault(name.casefold(), name)
            if len(seen) >= MAX_MENTIONS:
                return list(seen.values())
    return list(seen.values())
