"""Object-level permission checks, in one place, shared by pages and the API (django-rules).

Roles are held per organization. An object says which organization owns it through
`owner_organization_id`; a predicate built with `has_role_for` passes when the user holds one
of the roles in that organization (or, with no object, in any organization).
"""

from __future__ import annotations

from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _

from .choices import Role

ROLES_CACHE_ATTRIBUTE = "_migration_hub_roles"


def roles_of(user: Any) -> dict[str, frozenset[str]]:
    """{organization id: roles} for the user, read once per request (cached on the user)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, ROLES_CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = user.role_map()
        setattr(user, ROLES_CACHE_ATTRIBUTE, cached)
    return cached


def forget_roles(user: Any) -> None:
    """Drop the cached roles after a grant or revoke."""
    if hasattr(user, ROLES_CACHE_ATTRIBUTE):
        delattr(user, ROLES_CACHE_ATTRIBUTE)


def organizations_with_role(user: Any, *roles: str) -> list[str]:
    wanted = set(roles)
    return [org for org, held in roles_of(user).items() if held & wanted]


def require(actor: Any, perm: str, obj: Any = None) -> None:
    """Raise PermissionDenied unless `actor` has `perm` (on `obj`). `actor=None` is the system
    itself (reference loading, the demo set-up) and may do anything."""
    if actor is not None and not actor.has_perm(perm, obj):
        raise PermissionDenied(_("You do not have permission to do this."))


def owner_organization_id(obj: Any) -> str | None:
    owner = getattr(obj, "owner_organization_id", None)
    return None if owner in (None, "") else str(owner)


def has_role_for(*roles: str) -> rules.Predicate:
    """Passes when the user holds one of `roles` in the organization owning the object."""
    wanted = frozenset(roles)

    @rules.predicate(name=f"has_role_for({','.join(sorted(wanted))})")
    def predicate(user: Any, obj: models.Model | None = None) -> bool:
        held = roles_of(user)
        if obj is None:
            return any(roles & wanted for roles in held.values())
        owner = owner_organization_id(obj)
        return owner is not None and bool(held.get(owner, frozenset()) & wanted)

    return predicate


def has_role(*roles: str) -> rules.Predicate:
    """Passes when the user holds one of `roles` in any organization."""
    wanted = frozenset(roles)

    @rules.predicate(name=f"has_role({','.join(sorted(wanted))})")
    def predicate(user: Any) -> bool:
        return any(held & wanted for held in roles_of(user).values())

    return predicate


is_superuser = rules.is_superuser
is_member_of_owner = has_role_for(*Role.values)
can_read_audit = is_superuser | has_role_for(Role.ADMINISTRATOR, Role.DATA_PROTECTION_OFFICER)

rules.add_perm("core.view_country", rules.is_authenticated)
rules.add_perm("core.view_region", rules.is_authenticated)
rules.add_perm("core.view_auditevent", can_read_audit)
