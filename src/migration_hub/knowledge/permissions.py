"""Who may do what on the Hub (django-rules).

- Published resources, open calls, published experts (opted in), spaces and the Connection Hub's
  lists are public. Posting, submitting and saving searches need an account.
- A resource before publication is seen by its organization's members, the person who submitted
  it, the Hub's editors and the reviewers assigned to it.
- The Hub's editors are the editors and administrators of a network secretariat: they screen,
  assign reviewers, decide, run calls and spaces, and moderate.
- A reviewer reads the other reviews of a round only after submitting their own
  (`can_read_assignment`).
- Demands are posted by the writers of a state, local government or network organization and
  managed by them; offers by any member organization's writers.
"""

from __future__ import annotations

from typing import Any

import rules

from migration_hub.core.choices import Role
from migration_hub.core.permissions import has_role, has_role_for, is_superuser
from migration_hub.reviews.permissions import is_secretariat_editor, is_secretariat_member

from .choices import ResourceStatus

WRITER_ROLES = (Role.CONTRIBUTOR, Role.EDITOR, Role.ADMINISTRATOR)

is_hub_editor = is_superuser | is_secretariat_editor
is_owner_member = has_role_for(*Role.values)
is_owner_writer = has_role_for(*WRITER_ROLES)
is_any_writer = has_role(*WRITER_ROLES)


@rules.predicate
def is_published(user: Any, resource: Any) -> bool:
    return resource is not None and resource.status == ResourceStatus.PUBLISHED


@rules.predicate
def is_submitter(user: Any, resource: Any) -> bool:
    return (
        resource is not None
        and getattr(user, "is_authenticated", False)
        and resource.submitted_by_id == user.pk
    )


@rules.predicate
def is_assigned_reviewer(user: Any, resource: Any) -> bool:
    if resource is None or not getattr(user, "is_authenticated", False):
        return False
    return resource.assignments.filter(reviewer=user).exists()


@rules.predicate
def is_editable_by_author(user: Any, resource: Any) -> bool:
    return resource is not None and resource.status in (
        ResourceStatus.DRAFT,
        ResourceStatus.REVISION_REQUESTED,
    )


@rules.predicate
def is_moderator(user: Any, space: Any) -> bool:
    if space is None or not getattr(user, "is_authenticated", False):
        return False
    return space.moderators.filter(pk=user.pk).exists()


rules.add_perm(
    "knowledge.view_resource",
    is_published | is_hub_editor | is_owner_member | is_submitter | is_assigned_reviewer,
)
rules.add_perm("knowledge.add_resource", is_superuser | is_any_writer)
rules.add_perm(
    "knowledge.change_resource",
    is_hub_editor | ((is_owner_writer | is_submitter) & is_editable_by_author),
)
rules.add_perm("knowledge.edit_hub", is_hub_editor)
rules.add_perm("knowledge.view_secretariat", is_superuser | is_secretariat_member)
rules.add_perm("knowledge.review_resource", is_assigned_reviewer)
rules.add_perm("knowledge.post", rules.is_authenticated)
rules.add_perm("knowledge.moderate_space", is_hub_editor | is_moderator)
rules.add_perm("knowledge.add_demand", is_superuser | is_any_writer)
rules.add_perm("knowledge.change_demand", is_hub_editor | is_owner_writer)
rules.add_perm("knowledge.add_offer", is_superuser | is_any_writer)
rules.add_perm("knowledge.change_offer", is_hub_editor | is_owner_writer)


def can_read_assignment(user: Any, assignment: Any) -> bool:
    """Editors read every review; a reviewer reads their own, and the others of the same round
    only once their own is submitted; authors read reviews only through the decision."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_hub_editor(user):
        return True
    if assignment.reviewer_id == user.pk:
        return True
    own = assignment.resource.assignments.filter(reviewer=user, round=assignment.round).first()
    return own is not None and own.submitted_at is not None
