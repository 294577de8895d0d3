"""How people are named to others."""

from __future__ import annotations

from typing import Any


def public_name(user: Any) -> str:
    """A person as others see them: their full name, else their user name, and never an e-mail
    address (a user name may be one: only the part before "@" is shown). "" for no one."""
    if user is None:
        return ""
    name = (user.get_full_name() or "").strip() or user.get_username()
    return name.split("@", 1)[0] if "@" in name else name
