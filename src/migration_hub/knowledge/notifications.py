"""E-mails the Hub sends: each message is rendered in the recipient's language from a plain-text
template, sent after the transaction commits (a rolled-back change e-mails no one)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def recipient_language(user: Any) -> str:
    return getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE


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
