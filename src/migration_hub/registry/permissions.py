"""Who may read and edit the registry (django-rules).

Every signed-in user reads it; editors (in any organization) and superusers correct it, each
change with a cited source.
"""

import rules

from migration_hub.core.choices import Role
from migration_hub.core.permissions import has_role, is_superuser

can_edit_registry = is_superuser | has_role(Role.EDITOR, Role.ADMINISTRATOR)

MODELS = [
    "organization",
    "organizationfact",
    "office",
    "membership",
    "network",
    "networkmembership",
    "instrument",
    "provision",
    "participation",
    "right",
    "framework",
    "frameworkitem",
    "crosswalk",
]
for model in MODELS:
    rules.add_perm(f"registry.view_{model}", rules.is_authenticated)
    for action in ("add", "change", "delete"):
        rules.add_perm(f"registry.{action}_{model}", can_edit_registry)
