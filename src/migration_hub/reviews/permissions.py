"""Who may read, write and compile GCM reviews (django-rules).

- A review's organization writes it: its contributors, editors and administrators create reviews
  and edit every section; co-authors (from any organization) edit the sections they were given.
- Drafts are seen by the organization and the co-authors only. Once submitted, the Network's
  secretariat (any organization of kind "network secretariat") reads it; once published, every
  signed-in person does.
- The secretariat's editors and administrators publish reviews; its members compile reports.
- Pledges are public to signed-in people, as on the Network's pledge dashboard; the pledging
  organization updates them.
"""

from __future__ import annotations

from typing import Any

import rules

from migration_hub.accounts.choices import OrganizationKind
from migration_hub.core.choices import Role
from migration_hub.core.permissions import has_role_for, is_superuser, roles_of

from .choices import ReviewStatus

WRITER_ROLES = (Role.CONTRIBUTOR, Role.EDITOR, Role.ADMINISTRATOR)
MANAGER_ROLES = (Role.EDITOR, Role.ADMINISTRATOR)
SECRETARIAT_CACHE_ATTRIBUTE = "_migration_hub_secretariats"


def secretariat_roles(user: Any) -> set[str]:
    """The roles `user` holds in network secretariats (cached on the user for the request)."""
    held = roles_of(user)
    if not held:
        return set()
    cached = getattr(user, SECRETARIAT_CACHE_ATTRIBUTE, None)
    if cached is None:
        from migration_hub.accounts.models import Organization

        secretariats = set(
            Organization.objects.filter(
                pk__in=[int(pk) for pk in held], kind=OrganizationKind.NETWORK_SECRETARIAT
            ).values_list("pk", flat=True)
        )
        cached = set().union(*(held[str(pk)] for pk in secretariats)) if secretariats else set()
        setattr(user, SECRETARIAT_CACHE_ATTRIBUTE, cached)
    return cached


@rules.predicate
def is_secretariat_member(user: Any) -> bool:
    return bool(secretariat_roles(user))


@rules.predicate
def is_secretariat_editor(user: Any) -> bool:
    return bool(secretariat_roles(user) & set(MANAGER_ROLES))


def author_of(user: Any, review: Any):
    if not getattr(user, "is_authenticated", False) or review is None:
        return None
    for author in review.authors.all():
        if author.user_id == user.pk:
            return author
    return None


@rules.predicate
def is_coauthor(user: Any, review: Any) -> bool:
    return author_of(user, review) is not None


@rules.predicate
def is_lead_author(user: Any, review: Any) -> bool:
    author = author_of(user, review)
    return author is not None and author.is_lead


@rules.predicate
def is_published(user: Any, review: Any) -> bool:
    return review is not None and review.status == ReviewStatus.PUBLISHED


@rules.predicate
def is_submitted(user: Any, review: Any) -> bool:
    return review is not None and review.status in (ReviewStatus.SUBMITTED, ReviewStatus.PUBLISHED)


is_review_member = has_role_for(*Role.values)
is_review_writer = has_role_for(*WRITER_ROLES)
is_review_manager = has_role_for(*MANAGER_ROLES)

rules.add_perm("reviews.view_cycle", rules.always_allow)
# The list is open to every signed-in person; its rows come from selectors.reviews_for.
rules.add_perm("reviews.list_review", rules.is_authenticated)
rules.add_perm(
    "reviews.view_review",
    is_superuser
    | (rules.is_authenticated & is_published)
    | is_review_member
    | is_coauthor
    | (is_submitted & is_secretariat_member),
)
rules.add_perm("reviews.add_review", is_superuser | is_review_writer)
rules.add_perm("reviews.change_review", is_superuser | is_review_manager | is_lead_author)
rules.add_perm("reviews.write_review", is_superuser | is_review_writer | is_coauthor)
rules.add_perm("reviews.comment_review", is_superuser | is_review_member | is_coauthor)
rules.add_perm("reviews.publish_review", is_superuser | is_secretariat_editor)
rules.add_perm("reviews.compile_report", is_superuser | is_secretariat_member)
rules.add_perm("reviews.view_pledge", rules.is_authenticated)
rules.add_perm("reviews.add_pledge", is_superuser | is_review_writer)
rules.add_perm("reviews.change_pledge", is_superuser | is_review_writer)


def can_edit_section(user: Any, review: Any, key: str) -> bool:
    """Writers of the review's organization edit any section; a co-author the ones given."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or is_review_writer(user, review):
        return True
    author = author_of(user, review)
    return author is not None and author.may_edit(key)
