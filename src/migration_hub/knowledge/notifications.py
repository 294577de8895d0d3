"""E-mails the Hub sends: each message is rendered in the recipient's language from a plain-text
template, sent after the transaction commits (a rolled-back change e-mails no one)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Model
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext


def recipient_language(user: Any) -> str:
    return getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE


def translated_later(message: Any, **params: Any) -> Any:
    """A subject rendered only when `notify` renders each e-mail, in each recipient's language,
    with `params` filled in then (each turned to text in that language too). `message` is
    either marked with gettext_noop where it is written (translated here) or a lazy
    gettext_lazy string (rendered as it is)."""

    def render() -> str:
        text = str(message) if isinstance(message, Promise) else gettext(message)
        return text % {key: str(value) for key, value in params.items()}

    return lazy(render, str)()


def claim_window(model: type[Model], pk: Any, field: str, last: Any, now: Any) -> bool:
    """Move `model` row `pk`'s `field` (the moment of the last e-mail) from `last` (the value
    the caller read; None when nothing was sent yet) to `now`. False when a run in parallel
    that read the same `last` claimed it first: that run sends, this one must not."""
    unchanged = {field: last} if last else {f"{field}__isnull": True}
    return bool(model.objects.filter(pk=pk, **unchanged).update(**{field: now}))


def notify(
    users: Iterable[Any],
    subject: str,
    template: str,
    context: Mapping[str, Any],
    *,
    on_commit: bool = True,
) -> int:
    """E-mail each user with an address; `subject` is a (lazy) translatable string rendered in
    each user's language, `template` a text template under `knowledge/email/`. Returns how
    many messages were queued."""
    messages = []
    seen: set[int] = set()
    for user in users:
        if user is None or not user.email or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        with translation.override(recipient_language(user)):
            body = render_to_string(f"knowledge/email/{template}", {**context, "recipient": user})
            messages.append((str(subject), body, user.email))

    def send() -> None:
        for message_subject, body, address in messages:
            send_mail(message_subject, body, None, [address], fail_silently=False)

    if on_commit:
        transaction.on_commit(send)
    else:
        send()
    return len(messages)
