"""Sign-in events in the audit log. Django only offers signals for these, hence a receiver."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from migration_hub.core import audit
from migration_hub.core.choices import AuditAction


@receiver(user_logged_in)
def record_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.record(user, AuditAction.LOGIN, user)


@receiver(user_logged_out)
def record_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(user, AuditAction.LOGOUT, user)


@receiver(user_login_failed)
def record_login_failure(sender: Any, credentials: Any, request: Any = None, **kwargs: Any) -> None:
    # The attempted user name is not stored: it may be someone's personal data or a password.
    audit.record(None, AuditAction.LOGIN_FAILED, None)
