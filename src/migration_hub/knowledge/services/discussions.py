"""Discussion spaces as the Hub runs them: a space per theme or call, open between two dates,
with numbered questions (Q.1, Q.2 ...), threads and replies in Markdown, mentions,
subscriptions with e-mail at once or in daily or weekly digests, and moderation (report, hide,
lock), every action audited.

Posts are rendered once, when written: `Post.body_html` is markdown-it-py's rendering sanitised
by nh3 (knowledge/markdown.py). Threads are re-indexed for search on every change; hidden posts
and hidden threads are left out of the index.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from migration_hub.accounts.choices import OrganizationKind
from migration_hub.core import audit, search
from migration_hub.core.choices import AuditAction, Role
from migration_hub.core.permissions import require
from migration_hub.registry.models import FrameworkItem

from ..choices import DigestFrequency
from ..markdown import mentioned_usernames, render_markdown
from ..models import CallForPractices, Post, PostReport, Question, Space, SpaceSubscription, Thread
from ..notifications import claim_window, notify, translated_later

MAX_TITLE = 300
MAX_POST = 20_000
MAX_REASON = 300
MAX_QUESTIONS = 50
# People one author may e-mail by @mentions in 24 hours (setting KNOWLEDGE_MENTION_EMAILS_PER_DAY).
DEFAULT_MENTION_EMAILS = 50
DIGEST_PERIOD = {
    DigestFrequency.IMMEDIATE: timedelta(hours=1),
    DigestFrequency.DAILY: timedelta(days=1),
    DigestFrequency.WEEKLY: timedelta(days=7),
}
DIGEST_EXCERPT = 600


# --- reading -----------------------------------------------------------------------------


def spaces() -> QuerySet[Space]:
    """Every space (spaces are public)."""
    return Space.objects.select_related("theme", "call")


def is_moderator(user: Any, space: Space) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(
        "knowledge.moderate_space", space
    )


def threads_for(user: Any, space: Space) -> QuerySet[Thread]:
    """The space's threads the person may see: hidden ones only for its moderators."""
    threads = space.threads.select_related("question", "author")
    return threads if is_moderator(user, space) else threads.filter(hidden=False)


def visible_threads(user: Any) -> QuerySet[Thread]:
    """Every thread the person may open (hidden ones only in spaces they moderate)."""
    threads = Thread.objects.select_related("space", "question", "author")
    if not getattr(user, "is_authenticated", False):
        return threads.filter(hidden=False)
    if user.has_perm("knowledge.edit_hub"):
        return threads
    return threads.filter(Q(hidden=False) | Q(space__moderators=user)).distinct()


def hub_editors() -> QuerySet[Any]:
    """The editors and administrators of network secretariats: they moderate every space."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__organization__kind=OrganizationKind.NETWORK_SECRETARIAT,
            memberships__role__in=(Role.EDITOR, Role.ADMINISTRATOR),
        )
        .distinct()
    )


def moderators_of(space: Space) -> list[Any]:
    """Who is told about a reported post: the space's moderators, else the Hub's editors."""
    named = list(space.moderators.filter(is_active=True))
    return named or list(hub_editors())


def subscription_of(user: Any, space: Space) -> SpaceSubscription | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return SpaceSubscription.objects.filter(user=user, space=space).first()


# --- checks ------------------------------------------------------------------------------


def moment(value: datetime) -> str:
    """A date and time in words the reader's language uses, with the time zone: "24 Nov 2026
    14:30 UTC"."""
    local = timezone.localtime(value)
    return (
        f"{formats.date_format(local, 'DATE_FORMAT')} {local:%H:%M} {local.tzname() or ''}".strip()
    )


def closed_message(space: Space) -> str:
    """Why a space refuses posts now, with its dates."""
    if space.opens_at and space.closes_at:
        return _(
            "Nothing was posted: this space takes posts only from %(opens)s to %(closes)s."
        ) % {"opens": moment(space.opens_at), "closes": moment(space.closes_at)}
    if space.opens_at:
        return _("Nothing was posted: this space opens for posts on %(opens)s.") % {
            "opens": moment(space.opens_at)
        }
    return _("Nothing was posted: this space closed for posts on %(closes)s.") % {
        "closes": moment(space.closes_at)  # type: ignore[arg-type]
    }


def _require_open(space: Space) -> None:
    if not space.is_open():
        raise ValidationError(closed_message(space))


def _clean_text(value: str, field: str, *, required: bool, limit: int) -> str:
    text = (value or "").strip()
    if "\x00" in text:
        raise ValidationError({field: _("Remove the null character (\\x00) from this text.")})
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > limit:
        raise ValidationError(
            {field: _("Keep this under %(count)s characters.") % {"count": limit}}
        )
    return text


def _index(thread: Thread) -> None:
    if thread.hidden:
        search.remove_object(thread)
    else:
        search.index_object(thread)


def _site_url() -> str:
    return getattr(settings, "SITE_URL", "")


# --- spaces ------------------------------------------------------------------------------


@transaction.atomic
def create_space(
    actor: Any,
    *,
    title: str,
    slug: str,
    description: str = "",
    theme: FrameworkItem | None = None,
    call: CallForPractices | None = None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    moderators: Iterable[Any] = (),
    questions: Iterable[str] = (),
    is_sample: bool = False,
) -> Space:
    """A new discussion space (Hub editors). `questions` become Q.1, Q.2 ... in order."""
    require(actor, "knowledge.edit_hub")
    title = _clean_text(title, "title", required=True, limit=MAX_TITLE)
    description = _clean_text(description, "description", required=False, limit=MAX_POST)
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValidationError({"closes_at": _("The space must close after it opens.")})
    if Space.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("Another space already uses this address.")})
    texts = [_clean_text(text, "questions", required=False, limit=MAX_POST) for text in questions]
    texts = [text for text in texts if text]
    if len(texts) > MAX_QUESTIONS:
        raise ValidationError(
            {"questions": _("A space has at most %(count)s questions.") % {"count": MAX_QUESTIONS}}
        )
    space = Space(
        title=title,
        slug=slug,
        description=description,
        theme=theme,
        call=call,
        opens_at=opens_at,
        closes_at=closes_at,
        is_sample=is_sample,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    space.full_clean()
    space.save()
    space.moderators.set(list(moderators))
    Question.objects.bulk_create(
        Question(space=space, number=number, text=text)
        for number, text in enumerate(texts, start=1)
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        space,
        changes={name: [None, value] for name, value in audit.snapshot(space).items()},
        metadata={
            "questions": len(texts),
            "moderators": sorted(user.pk for user in space.moderators.all()),
        },
    )
    return space


@transaction.atomic
def add_question(actor: Any, space: Space, *, text: str) -> Question:
    """The next numbered question of a space (its moderators or the Hub's editors)."""
    require(actor, "knowledge.moderate_space", space)
    text = _clean_text(text, "text", required=True, limit=MAX_POST)
    Space.objects.select_for_update().filter(pk=space.pk).first()
    last = space.questions.order_by("-number").first()
    if last is not None and last.number >= MAX_QUESTIONS:
        raise ValidationError(
            {"text": _("A space has at most %(count)s questions.") % {"count": MAX_QUESTIONS}}
        )
    question = Question.objects.create(
        space=space, number=(last.number if last else 0) + 1, text=text
    )
    audit.record(actor, AuditAction.CREATE, question, metadata={"space": space.pk})
    return question


# --- threads and posts -------------------------------------------------------------------


def _mentioned_users(body: str, author: Any) -> list[Any]:
    names = mentioned_usernames(body)
    if not names:
        return []
    condition = Q()
    for name in names:
        condition |= Q(username__iexact=name)
    users = get_user_model().objects.filter(condition, is_active=True)
    if author is not None:
        users = users.exclude(pk=author.pk)
    return list(users)


def mention_emails_per_day() -> int:
    return int(getattr(settings, "KNOWLEDGE_MENTION_EMAILS_PER_DAY", DEFAULT_MENTION_EMAILS))


def _mention_budget(author: Any) -> int:
    """How many more people `author` may have e-mailed by mentions today: mentions are a
    way to reach people, so they count against a daily limit like messages to experts."""
    if author is None:
        return 0
    since = timezone.now() - timedelta(days=1)
    sent = Post.mentions.through.objects.filter(
        post__author=author, post__created_at__gte=since
    ).count()
    return max(0, mention_emails_per_day() - sent)


def _write_post(actor: Any, thread: Thread, body: str) -> Post:
    body = _clean_text(body, "body", required=True, limit=MAX_POST)
    mentioned = _mentioned_users(body, actor)[: _mention_budget(actor)]
    post = Post.objects.create(
        thread=thread,
        author=actor,
        body=body,
        body_html=render_markdown(body, mentions=[user.username for user in mentioned]),
    )
    post.mentions.set(mentioned)
    Thread.objects.filter(pk=thread.pk).update(last_post_at=post.created_at)
    thread.last_post_at = post.created_at
    _index(thread)
    _tell_people(post, mentioned)
    return post


def _tell_people(post: Post, mentioned: list[Any]) -> None:
    """E-mail the people mentioned, then the space's subscribers who want each post at once."""
    thread = post.thread
    context = {"post": post, "thread": thread, "space": thread.space, "site_url": _site_url()}
    notify(
        mentioned,
        translated_later(
            gettext_lazy("You were mentioned in “%(thread)s”"), thread=thread.title[:80]
        ),
        "discussion_mention.txt",
        context,
    )
    subscriptions = (
        SpaceSubscription.objects.filter(
            space=thread.space, frequency=DigestFrequency.IMMEDIATE, user__is_active=True
        )
        .exclude(user=post.author)
        .exclude(user__in=[user.pk for user in mentioned])
        .select_related("user")
    )
    subscribers = [subscription.user for subscription in subscriptions]
    notify(
        subscribers,
        translated_later(
            gettext_lazy("New post in “%(thread)s” (%(space)s)"),
            thread=thread.title[:80],
            space=thread.space.title[:80],
        ),
        "discussion_post.txt",
        context,
    )
    SpaceSubscription.objects.filter(pk__in=[s.pk for s in subscriptions]).update(
        last_sent_at=post.created_at
    )


def _question_of(space: Space, question: Any) -> Question | None:
    if question is None or question == "":
        return None
    if isinstance(question, Question):
        if question.space_id != space.pk:
            raise ValidationError({"question": _("This question belongs to another space.")})
        return question
    found = space.questions.filter(number=question).first() if str(question).isdigit() else None
    if found is None:
        raise ValidationError({"question": _("This space has no such question.")})
    return found


@transaction.atomic
def start_thread(
    actor: Any, space: Space, *, title: str, body: str, question: Any = None
) -> Thread:
    """A new thread in an open space, optionally under one of its numbered questions (a
    Question or its number), with its first post."""
    require(actor, "knowledge.post")
    if actor is None:
        raise PermissionDenied(_("Sign in to post."))
    space = Space.objects.select_for_update().get(pk=space.pk)
    _require_open(space)
    title = _clean_text(title, "title", required=True, limit=MAX_TITLE)
    found = _question_of(space, question)
    thread = Thread.objects.create(
        space=space, question=found, title=title, author=actor, created_by=actor
    )
    post = _write_post(actor, thread, body)
    audit.record(
        actor,
        AuditAction.CREATE,
        thread,
        metadata={"space": space.pk, "question": found.number if found else None, "post": post.pk},
    )
    return thread


@transaction.atomic
def reply(actor: Any, thread: Thread, *, body: str) -> Post:
    """A reply in an open space's thread; a locked or hidden thread takes no reply."""
    require(actor, "knowledge.post")
    if actor is None:
        raise PermissionDenied(_("Sign in to post."))
    thread = Thread.objects.select_for_update().select_related("space").get(pk=thread.pk)
    if thread.locked:
        raise ValidationError(
            _("A moderator locked this thread: it takes no more replies. Nothing was posted.")
        )
    if thread.hidden:
        raise ValidationError(
            _("A moderator hid this thread: it takes no more replies. Nothing was posted.")
        )
    _require_open(thread.space)
    post = _write_post(actor, thread, body)
    audit.record(actor, AuditAction.CREATE, post, metadata={"thread": thread.pk})
    return post


# --- subscriptions and digests -----------------------------------------------------------


@transaction.atomic
def subscribe(actor: Any, space: Space, *, frequency: str) -> SpaceSubscription:
    """Follow a space: every post at once, or a daily or weekly digest; "none" stops the
    e-mails. The first digest holds the posts written after subscribing."""
    require(actor, "knowledge.post")
    if actor is None:
        raise PermissionDenied(_("Sign in to subscribe."))
    if frequency not in DigestFrequency.values:
        raise ValidationError({"frequency": _("Choose how often to receive e-mail.")})
    subscription, created = SpaceSubscription.objects.get_or_create(
        user=actor,
        space=space,
        defaults={"frequency": frequency, "last_sent_at": timezone.now()},
    )
    before = subscription.frequency
    if not created and before != frequency:
        subscription.frequency = frequency
        subscription.save(update_fields=["frequency"])
    if created or before != frequency:
        audit.record(
            actor,
            AuditAction.CREATE if created else AuditAction.UPDATE,
            subscription,
            changes={"frequency": [None if created else before, frequency]},
            metadata={"space": space.pk},
        )
    return subscription


def _digest_posts(subscription: SpaceSubscription, since: datetime, now: datetime) -> list[Post]:
    return list(
        Post.objects.filter(
            thread__space=subscription.space,
            created_at__gt=since,
            created_at__lte=now,
            hidden=False,
            thread__hidden=False,
        )
        .exclude(author=subscription.user)
        .select_related("thread", "author")
        .order_by("thread__title", "thread_id", "created_at", "id")
    )


def send_digests(*, frequency: str, now: datetime | None = None) -> int:
    """E-mail each subscriber of `frequency` the posts written since their last e-mail (at most
    one digest per space). Idempotent: a second run at the same moment sends nothing. Returns
    how many e-mails were sent. Called by `migration-hub knowledge digests` and the task."""
    if frequency not in DIGEST_PERIOD:
        raise ValidationError(
            {
                "frequency": _("Digests are sent %(choices)s.")
                % {"choices": ", ".join(str(value) for value in DIGEST_PERIOD)}
            }
        )
    now = now or timezone.now()
    sent = 0
    subscriptions = (
        SpaceSubscription.objects.filter(frequency=frequency, user__is_active=True)
        .select_related("user", "space")
        .order_by("pk")
    )
    for subscription in subscriptions.iterator(chunk_size=500):
        last = subscription.last_sent_at
        if last is not None and last >= now:
            continue
        since = last or now - DIGEST_PERIOD[frequency]
        with transaction.atomic():
            # Claim the subscription: a run in parallel that read the same `last` claims nothing.
            if not claim_window(SpaceSubscription, subscription.pk, "last_sent_at", last, now):
                continue
            posts = _digest_posts(subscription, since, now)
            if not posts:
                continue
            threads: dict[int, dict[str, Any]] = {}
            for post in posts:
                entry = threads.setdefault(post.thread_id, {"thread": post.thread, "posts": []})
                entry["posts"].append(post)
            sent += notify(
                [subscription.user],
                translated_later(
                    gettext_lazy("%(count)s new posts in “%(space)s”"),
                    count=len(posts),
                    space=subscription.space.title[:80],
                ),
                "discussion_digest.txt",
                {
                    "space": subscription.space,
                    "threads": list(threads.values()),
                    "count": len(posts),
                    "frequency": frequency,
                    "site_url": _site_url(),
                    "excerpt_length": DIGEST_EXCERPT,
                },
            )
    return sent


# --- moderation --------------------------------------------------------------------------


@transaction.atomic
def report_post(actor: Any, post: Post, *, reason: str) -> PostReport:
    """Anyone signed in asks the moderators to look at a post; they are e-mailed."""
    require(actor, "knowledge.post")
    if actor is None:
        raise PermissionDenied(_("Sign in to report a post."))
    reason = _clean_text(reason, "reason", required=True, limit=500)
    open_reports = PostReport.objects.filter(post=post, resolved_at__isnull=True)
    if open_reports.filter(reporter=actor).exists():
        raise ValidationError(
            {"reason": _("You have already reported this post: the moderators will look at it.")}
        )
    already_told = open_reports.exists()
    report = PostReport.objects.create(post=post, reporter=actor, reason=reason)
    audit.record(
        actor, AuditAction.CREATE, report, metadata={"post": post.pk, "thread": post.thread_id}
    )
    if already_told:  # the moderators were e-mailed for the first open report on this post
        return report
    space = post.thread.space
    notify(
        moderators_of(space),
        translated_later(
            gettext_lazy("A post was reported in “%(space)s”"), space=space.title[:80]
        ),
        "discussion_report.txt",
        {
            "post": post,
            "thread": post.thread,
            "space": space,
            "report": report,
            "site_url": _site_url(),
        },
    )
    return report


def _moderate(actor: Any, post: Post) -> Post:
    post = Post.objects.select_for_update().select_related("thread__space").get(pk=post.pk)
    require(actor, "knowledge.moderate_space", post.thread.space)
    return post


@transaction.atomic
def hide_post(actor: Any, post: Post, *, reason: str) -> Post:
    """A moderator hides a post: others read "hidden by a moderator" in its place; the open
    reports on it are resolved."""
    post = _moderate(actor, post)
    reason = _clean_text(reason, "reason", required=True, limit=MAX_REASON)
    post.hidden = True
    post.hidden_reason = reason
    post.save(update_fields=["hidden", "hidden_reason"])
    resolved = post.reports.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
    audit.record(
        actor,
        AuditAction.UPDATE,
        post,
        changes={"hidden": [False, True]},
        metadata={"moderation": "hide", "reason": reason, "reports_resolved": resolved},
    )
    _index(post.thread)
    return post


@transaction.atomic
def unhide_post(actor: Any, post: Post, *, reason: str = "") -> Post:
    """A moderator shows a hidden post again."""
    post = _moderate(actor, post)
    reason = _clean_text(reason, "reason", required=False, limit=MAX_REASON)
    post.hidden = False
    post.hidden_reason = ""
    post.save(update_fields=["hidden", "hidden_reason"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        post,
        changes={"hidden": [True, False]},
        metadata={"moderation": "unhide", "reason": reason},
    )
    _index(post.thread)
    return post


@transaction.atomic
def lock_thread(actor: Any, thread: Thread, locked: bool = True, *, reason: str = "") -> Thread:
    """A moderator locks a thread (no more replies) or unlocks it."""
    thread = Thread.objects.select_for_update().select_related("space").get(pk=thread.pk)
    require(actor, "knowledge.moderate_space", thread.space)
    reason = _clean_text(reason, "reason", required=False, limit=MAX_REASON)
    if thread.locked != bool(locked):
        thread.locked = bool(locked)
        thread.save(update_fields=["locked", "updated_at"])
        audit.record(
            actor,
            AuditAction.UPDATE,
            thread,
            changes={"locked": [not thread.locked, thread.locked]},
            metadata={"moderation": "lock" if thread.locked else "unlock", "reason": reason},
        )
    return thread


@transaction.atomic
def hide_thread(actor: Any, thread: Thread, *, hidden: bool = True, reason: str = "") -> Thread:
    """A moderator hides a whole thread (its title too) from everyone but the moderators, or
    shows it again; a hidden thread leaves the search index."""
    thread = Thread.objects.select_for_update().select_related("space").get(pk=thread.pk)
    require(actor, "knowledge.moderate_space", thread.space)
    reason = _clean_text(reason, "reason", required=bool(hidden), limit=MAX_REASON)
    if thread.hidden != bool(hidden):
        thread.hidden = bool(hidden)
        thread.save(update_fields=["hidden", "updated_at"])
        audit.record(
            actor,
            AuditAction.UPDATE,
            thread,
            changes={"hidden": [not thread.hidden, thread.hidden]},
            metadata={"moderation": "hide" if thread.hidden else "unhide", "reason": reason},
        )
    _index(thread)
    return thread
