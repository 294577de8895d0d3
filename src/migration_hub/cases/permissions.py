"""Who may do what in case management (django-rules), and what each role sees of the
special-category data.

Roles are the `CaseStaff` rows of a user (`cases.choices.CaseRole`), held per organization; an
object names its organization through `owner_organization_id`. A rule says whether the role
allows an action; *which* cases a user reaches is the record scope, applied by
`cases.selectors.cases_for` (a rule passing is never enough: services check both).

Unlike `user.has_perm`, `check()` asks the rule itself: Django answers True to a superuser
for every permission, but being a superuser gives no access to a case.

What a role sees of each sensitivity class (`SENSITIVITY_ACCESS`)::

    class             clear                          reveal (reason, audited)
    trafficking       caseworker, case_supervisor    office_manager, data_protection_officer
    health            caseworker                     case_supervisor, data_protection_officer
    gbv               caseworker                     case_supervisor, data_protection_officer
    child_protection  caseworker, case_supervisor    office_manager, data_protection_officer

Every other role (organization administrator, auditor, platform oversight) sees the class
masked and cannot reveal it.
"""

from __future__ import annotations

from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .choices import CaseRole, Sensitivity

R = CaseRole

# {sensitivity class: (roles seeing it in clear, roles who may reveal it with a reason)}
SENSITIVITY_ACCESS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    Sensitivity.TRAFFICKING: (
        frozenset({R.CASEWORKER, R.CASE_SUPERVISOR}),
        frozenset({R.OFFICE_MANAGER, R.DATA_PROTECTION_OFFICER}),
    ),
    Sensitivity.HEALTH: (
        frozenset({R.CASEWORKER}),
        frozenset({R.CASE_SUPERVISOR, R.DATA_PROTECTION_OFFICER}),
    ),
    Sensitivity.GBV: (
        frozenset({R.CASEWORKER}),
        frozenset({R.CASE_SUPERVISOR, R.DATA_PROTECTION_OFFICER}),
    ),
    Sensitivity.CHILD_PROTECTION: (
        frozenset({R.CASEWORKER, R.CASE_SUPERVISOR}),
        frozenset({R.OFFICE_MANAGER, R.DATA_PROTECTION_OFFICER}),
    ),
}

CASE_HANDLERS = (R.CASEWORKER, R.CASE_SUPERVISOR, R.OFFICE_MANAGER)
ASSIGNERS = (R.CASE_SUPERVISOR, R.OFFICE_MANAGER, R.ORGANIZATION_ADMIN)
CONSENT_RECORDERS = (*CASE_HANDLERS, R.DATA_PROTECTION_OFFICER)
BREAK_GLASS_APPROVERS = (R.CASE_SUPERVISOR, R.DATA_PROTECTION_OFFICER)
ASSIGNABLE = (R.CASEWORKER, R.CASE_SUPERVISOR)


def case_roles(user: Any) -> dict[str, frozenset[str]]:
    """{organization id: case roles} of the user's active staff rows."""
    if not getattr(user, "is_authenticated", False):
        return {}
    from .models import CaseStaff

    result: dict[str, set[str]] = {}
    rows = CaseStaff.objects.filter(user=user, is_active=True).values_list(
        "organization_id", "role"
    )
    for organization_id, role in rows:
        result.setdefault(str(organization_id), set()).add(role)
    return {org: frozenset(roles) for org, roles in result.items()}


def roles_in(user: Any, organization_id: Any) -> frozenset[str]:
    """The user's case roles in one organization."""
    return case_roles(user).get(str(organization_id), frozenset())


def has_case_role(*roles: str) -> rules.Predicate:
    """Passes when the user holds one of `roles` in the organization owning the object (with
    no object: in any organization)."""
    wanted = frozenset(roles)

    @rules.predicate(name=f"has_case_role({','.join(sorted(wanted))})")
    def predicate(user: Any, obj: Any = None) -> bool:
        held = case_roles(user)
        if obj is None:
            return any(roles & wanted for roles in held.values())
        owner = getattr(obj, "owner_organization_id", None)
        return owner is not None and bool(held.get(str(owner), frozenset()) & wanted)

    return predicate


is_case_staff = has_case_role(*CaseRole.values)
is_case_handler = has_case_role(*CASE_HANDLERS)

rules.add_perm("cases.view_case", is_case_staff)
rules.add_perm("cases.view_person", is_case_staff)
rules.add_perm("cases.add_case", is_case_handler)
rules.add_perm("cases.change_case", is_case_handler)
rules.add_perm("cases.change_person", is_case_handler)
rules.add_perm("cases.transition_case", is_case_handler)
rules.add_perm("cases.assign_case", has_case_role(*ASSIGNERS))
rules.add_perm("cases.record_consent", has_case_role(*CONSENT_RECORDERS))
rules.add_perm("cases.request_break_glass", is_case_handler)
rules.add_perm("cases.approve_break_glass", has_case_role(*BREAK_GLASS_APPROVERS))
rules.add_perm("cases.manage_staff", has_case_role(R.ORGANIZATION_ADMIN))


def check(user: Any, perm: str, obj: Any = None) -> None:
    """PermissionDenied unless the rule `perm` passes for `user` (on `obj`). `user=None` is
    the system itself (the demo set-up, a migration) and may do anything."""
    if user is None:
        return
    if not rules.has_perm(perm, user, obj):
        raise PermissionDenied(_("You do not have permission to do this."))


def _roles_for_case(user: Any, case: Any) -> frozenset[str]:
    return roles_in(user, case.organization_id)


def sees_clear(user: Any, case: Any, sensitivity: str) -> bool:
    """Whether `user`'s roles in the case's organization show `sensitivity` unmasked."""
    clear, _reveal = SENSITIVITY_ACCESS[sensitivity]
    return bool(_roles_for_case(user, case) & clear)


def may_reveal(user: Any, case: Any, sensitivity: str) -> bool:
    """Whether `user` may reveal `sensitivity` (giving a reason) on the case."""
    clear, reveal = SENSITIVITY_ACCESS[sensitivity]
    return bool(_roles_for_case(user, case) & (clear | reveal))


def clear_classes(user: Any, case: Any) -> set[str]:
    """The sensitivity classes `user` sees unmasked on `case`."""
    roles = _roles_for_case(user, case)
    return {name for name, (clear, _reveal) in SENSITIVITY_ACCESS.items() if roles & clear}
