"""Who may read and write health assessments (django-rules).

Health data is the most sensitive data the platform holds, so only the health roles of the
organization running a panel site reach its assessments: not its other members, not another
organization. The scope is the selectors' (`selectors.assessments_for`): a superuser, for
whom Django passes every rule, still reads no assessment without a health role in the site's
organization (granting it to oneself is in the audit trail).

- Panel physicians schedule, examine (record results), classify, decide, issue certificates and
  refer to a national TB programme.
- Health coordinators schedule appointments, read assessments and the dashboard, record TB
  referrals (with consent) and follow them up; they do not enter results or decide.

The object of every rule is the panel site or the assessment (its `owner_organization_id` is
the site's organization); with no object, a rule passes for a health role in any organization
(what a page needs before it knows the record).
"""

from __future__ import annotations

import rules

from migration_hub.core.choices import Role
from migration_hub.core.permissions import has_role_for

HEALTH_ROLES = (Role.PANEL_PHYSICIAN, Role.HEALTH_COORDINATOR)

is_health_member = has_role_for(*HEALTH_ROLES)
is_panel_physician = has_role_for(Role.PANEL_PHYSICIAN)

rules.add_perm("health.view_panelsite", is_health_member)
rules.add_perm("health.view_physician", is_health_member)
rules.add_perm("health.view_assessment", is_health_member)
rules.add_perm("health.view_dashboard", is_health_member)
rules.add_perm("health.add_assessment", is_health_member)
rules.add_perm("health.record_result", is_panel_physician)
rules.add_perm("health.classify_assessment", is_panel_physician)
rules.add_perm("health.decide_assessment", is_panel_physician)
rules.add_perm("health.issue_certificate", is_panel_physician)
rules.add_perm("health.view_certificate", is_health_member)
rules.add_perm("health.refer_tb", is_health_member)
rules.add_perm("health.change_tbreferral", is_health_member)
# Panel sites, physicians and training records are set up by the organization's
# administrators (and the platform's superusers, through the admin site).
rules.add_perm("health.manage_panelsite", rules.is_superuser | has_role_for(Role.ADMINISTRATOR))
