"""Who may read and write statistics (django-rules).

Published statistics are open data: anyone reads them, signed in or not. Administrators import
publishers' files; contributors send figures for a regional data set; reviewers and editors
approve or reject contributions, never their own.
"""

from typing import Any

import rules
from rest_framework.request import Request

from migration_hub.core.api.permissions import RulesPermission
from migration_hub.core.choices import Role
from migration_hub.core.permissions import has_role, has_role_for, is_superuser, roles_of

can_import = is_superuser | has_role(Role.ADMINISTRATOR)
REVIEWING_ROLES = frozenset({Role.REVIEWER, Role.EDITOR, Role.ADMINISTRATOR})


@rules.predicate
def is_not_submitter(user, contribution) -> bool:
    return contribution is None or contribution.submitted_by_id != user.pk


@rules.predicate
def reviews_for_the_owner(user, contribution) -> bool:
    """A reviewer, editor or administrator of the organization that keeps the data set: the
    regional body decides what enters its data, not any tenant's reviewer."""
    if contribution is None:
        return any(roles & REVIEWING_ROLES for roles in roles_of(user).values())
    owner = contribution.reviewing_organization_id
    return owner is not None and bool(roles_of(user).get(str(owner), frozenset()) & REVIEWING_ROLES)


can_review = is_superuser | (reviews_for_the_owner & is_not_submitter)


for model in ("dataset", "indicator", "observation", "area"):
    rules.add_perm(f"statistics.view_{model}", rules.always_allow)
    for action in ("add", "change", "delete"):
        rules.add_perm(f"statistics.{action}_{model}", can_import)
# A contribution is seen by the sending organization's members and by the reviewers of the
# organization that keeps the data set; it is sent by a contributor, editor or administrator of
# the organization it is sent for.
rules.add_perm(
    "statistics.view_contribution",
    is_superuser | has_role_for(*Role.values) | reviews_for_the_owner,
)
rules.add_perm(
    "statistics.add_contribution",
    is_superuser | has_role_for(Role.CONTRIBUTOR, Role.EDITOR, Role.ADMINISTRATOR),
)
rules.add_perm("statistics.review_contribution", can_review)


class OpenDataPermission(RulesPermission):
    """Like the project's RulesPermission, but a rule may grant reading to anonymous users."""

    def has_permission(self, request: Request, view: Any) -> bool:
        perm = self._perm(request, view)
        if perm is None:
            return bool(request.user and request.user.is_authenticated)
        return request.user.has_perm(perm)


class ContributionPermission(RulesPermission):
    """Reviewing is its own permission: a POST to approve or reject is not an 'add'."""

    def _perm(self, request: Request, view: Any) -> str | None:
        if getattr(view, "action", None) in ("approve", "reject"):
            return "statistics.review_contribution"
        return super()._perm(request, view)
