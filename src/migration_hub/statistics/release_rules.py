"""Who may build, publish and withdraw statistics releases about people, and set privacy
budgets: data protection officers (and superusers). Reading a published release is a matter
for the page that shows it; drafts stay with the people who may publish them.

A data protection officer is either role of that name: the organization membership role
(`core.choices.Role`) or the case-management staff role (`cases.CaseStaff` with
`CaseRole.DATA_PROTECTION_OFFICER`), whichever the organization uses. Case-management data
sets are keyed ``cases.<organization code>.<case type>`` (`cases.release_tables`): only a data
protection officer *of that organization* may release or budget them. A key that names no
organization (a data set outside case management) is left to any data protection officer.

The object of a check may be a release, a privacy budget or a data set key (a string).
"""

from __future__ import annotations

from typing import Any

import rules

from migration_hub.cases.choices import CaseRole
from migration_hub.cases.permissions import case_roles
from migration_hub.cases.release_tables import parse_dataset_key
from migration_hub.core.choices import Role
from migration_hub.core.permissions import is_superuser, roles_of

DPO = Role.DATA_PROTECTION_OFFICER
CASES_DPO = CaseRole.DATA_PROTECTION_OFFICER


def dpo_organization_ids(user: Any) -> set[str]:
    """Ids (as strings) of the organizations where `user` is a data protection officer, by
    membership or by case-management staff role."""
    if not getattr(user, "is_authenticated", False):
        return set()
    held = {org for org, roles in roles_of(user).items() if DPO in roles}
    held |= {org for org, roles in case_roles(user).items() if CASES_DPO in roles}
    return held


def dataset_key_of(obj: Any) -> str | None:
    if isinstance(obj, str):
        return obj
    key = getattr(obj, "dataset_key", None)
    return key if isinstance(key, str) else None


def organization_code_of(obj: Any) -> str | None:
    """The organization code a data set key (of a release, a budget or a key) names."""
    parsed = parse_dataset_key(dataset_key_of(obj))
    return parsed[0] if parsed else None


@rules.predicate
def is_data_protection_officer(user: Any, obj: Any = None) -> bool:
    """A data protection officer, of the organization whose data set `obj` is, when it
    names one."""
    organizations = dpo_organization_ids(user)
    if not organizations:
        return False
    code = organization_code_of(obj) if obj is not None else None
    if code is None:
        return True
    from migration_hub.accounts.models import Organization

    owner = Organization.objects.filter(code=code).values_list("pk", flat=True).first()
    return owner is not None and str(owner) in organizations


can_manage_releases = is_superuser | is_data_protection_officer

rules.add_perm("statistics.add_statisticsrelease", can_manage_releases)
rules.add_perm("statistics.publish_statisticsrelease", can_manage_releases)
rules.add_perm("statistics.withdraw_statisticsrelease", can_manage_releases)
rules.add_perm("statistics.change_privacybudget", can_manage_releases)
