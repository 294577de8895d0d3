"""Who may read and change a fund (django-rules).

Any signed-in person reads funds, programmes and their figures: pooled funds publish them. The
fund managers (and administrators) of the organization that keeps a fund record its money and
its Steering Committee's decisions; its reviewers score concept notes; any organization's
contributors, editors and administrators send concept notes for their organization.
"""

import rules

from migration_hub.core.choices import Role
from migration_hub.core.permissions import has_role_for, is_superuser

can_manage = is_superuser | has_role_for(Role.FUND_MANAGER, Role.ADMINISTRATOR)

for model in (
    "fund",
    "programme",
    "contribution",
    "call",
    "donor",
    "exchangerate",
    "thematicarea",
    "marker",
    "target",
    "ledgertransaction",
):
    rules.add_perm(f"funds.view_{model}", rules.is_authenticated)
# The books (every transaction and entry) are for the members of the organization keeping the
# fund; everyone else reads the balances and statements derived from them.
rules.add_perm("funds.view_ledger", is_superuser | has_role_for(*Role.values))
rules.add_perm("funds.add_fund", is_superuser | has_role_for(Role.ADMINISTRATOR))
rules.add_perm("funds.change_fund", can_manage)
rules.add_perm("funds.manage_fund", can_manage)
# Each organization keeps its own rate table: a rate changes what its funds' deposits are worth.
rules.add_perm("funds.add_exchangerate", can_manage)
rules.add_perm(
    "funds.submit_concept_note",
    is_superuser
    | has_role_for(Role.CONTRIBUTOR, Role.EDITOR, Role.FUND_MANAGER, Role.ADMINISTRATOR),
)
rules.add_perm(
    "funds.assess_programme", is_superuser | has_role_for(Role.REVIEWER, Role.FUND_MANAGER)
)
