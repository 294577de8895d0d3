from datetime import timedelta
from typing import Any

from django import template

from migration_hub.core.people import public_name as _public_name

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int:
    """Whole minutes of a duration, rounded up (a lockout of 90 s reads as 2 minutes)."""
    if not value:
        return 0
    return -(-int(value.total_seconds()) // 60)


@register.filter
def public_name(user: Any) -> str:
    """A person as others see them, never their e-mail address (core.people.public_name)."""
    return _public_name(user)
