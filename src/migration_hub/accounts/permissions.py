"""Who may do what with organizations, offices and memberships (django-rules)."""

import rules

from migration_hub.core.permissions import has_role_for, is_member_of_owner, is_superuser

from .choices import Role

manages_organization = is_superuser | has_role_for(Role.EDITOR, Role.ADMINISTRATOR)
administers_organization = is_superuser | has_role_for(Role.ADMINISTRATOR)

rules.add_perm("accounts.view_organization", rules.is_authenticated)
rules.add_perm("accounts.add_organization", is_superuser)
rules.add_perm("accounts.change_organization", manages_organization)
rules.add_perm("accounts.delete_organization", is_superuser)

rules.add_perm("accounts.view_office", rules.is_authenticated)
rules.add_perm("accounts.add_office", manages_organization)
rules.add_perm("accounts.change_office", manages_organization)
rules.add_perm("accounts.delete_office", manages_organization)

# Who belongs to an organization is visible to its own members only.
rules.add_perm("accounts.view_membership", is_superuser | is_member_of_owner)
rules.add_perm("accounts.add_membership", administers_organization)
rules.add_perm("accounts.change_membership", administers_organization)
rules.add_perm("accounts.delete_membership", administers_organization)

rules.add_perm("accounts.view_rolepolicy", is_superuser)
rules.add_perm("accounts.change_rolepolicy", is_superuser)
