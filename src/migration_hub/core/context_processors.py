from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The main menu: only modules that exist and that the user may open."""
    user = request.user
    items: list[tuple[str, Any]] = [(reverse("core:home"), _("Home"))]
    if user.is_authenticated:
        items += [
            (reverse("registry:organization_list"), _("Registry")),
            (reverse("registry:instrument_list"), _("Instruments")),
            (reverse("registry:crosswalk_matrix"), _("Crosswalk")),
            (reverse("core:country_list"), _("Countries")),
            (reverse("accounts:organization_list"), _("Organizations")),
            (reverse("funds:fund_list"), _("Funds")),
            (reverse("reviews:review_list"), _("Reviews")),
        ]
        if user.has_perm("health.view_assessment"):
            items.append((reverse("health:assessment_list"), _("Health assessments")))
        # Shown to every signed-in user, as Funds and Reviews are: whether one holds a case
        # role is a query (`cases.CaseStaff`) that every page would pay; /cases/ answers 403.
        items.append((reverse("cases:case_list"), _("Cases")))
        if user.has_perm("core.view_auditevent"):
            items.append((reverse("core:auditevent_list"), _("Audit log")))
    items.append((reverse("statistics:index"), _("Statistics")))  # open data: for everyone
    items += [  # the Migration Network Hub is public, as the real one is
        (reverse("knowledge:resource_list"), _("Hub resources")),
        (reverse("knowledge:expert_list"), _("Experts")),
        (reverse("knowledge:space_list"), _("Discussions")),
        (reverse("knowledge:demand_list"), _("Connection Hub")),
        (reverse("knowledge:search"), _("Search")),
    ]
    items.append((reverse("health:protocol_list"), _("Health protocols")))  # public rules
    items.append((reverse("api-docs"), _("API")))
    if user.is_authenticated and user.is_staff:
        items.append((reverse("admin:index"), _("Administration")))
    current = request.path
    return {
        "navigation": [
            {
                "url": url,
                "label": label,
                "current": url == current or (url != "/" and current.startswith(url)),
            }
            for url, label in items
        ]
    }
