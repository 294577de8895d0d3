"""Every chart of a country or region profile, by name, in the order the page shows them;
and the profile as the charts want it."""

from __future__ import annotations

from collections.abc import Callable

from ..models import Area
from ..selectors import Profile
from .corridors import corridors_chart, destinations_chart, origins_chart
from .refugees import refugees_hosted_chart, refugees_originating_chart
from .remittances import remittance_costs_chart, remittances_chart
from .render import Chart
from .stock import share_chart, stock_chart


def empty_profile(area: Area) -> Profile:
    """The profile of an area no figure is about yet: every chart says what to import."""
    return Profile(
        area=area,
        members={area.code},
        stock=[],
        stock_dataset=None,
        share=[],
        top_origins=[],
        top_destinations=[],
        flows_dataset=None,
        flows_year=None,
        refugees_hosted=[],
        refugees_originating=[],
        refugees_dataset=None,
        remittance_costs=[],
        remittances=[],
        cost_datasets=[],
    )


BUILDERS: dict[str, Callable[[Profile], Chart]] = {
    "migrant-stock": stock_chart,
    "share-of-population": share_chart,
    "corridors": corridors_chart,
    "top-origins": origins_chart,
    "top-destinations": destinations_chart,
    "refugees-hosted": refugees_hosted_chart,
    "refugees-originating": refugees_originating_chart,
    "remittance-costs": remittance_costs_chart,
    "remittances-received": remittances_chart,
}


def profile_charts(profile: Profile) -> dict[str, Chart]:
    """Every chart of the profile, by name, in the order the page shows them."""
    return {name: build(profile) for name, build in BUILDERS.items()}


def chart(profile: Profile, name: str) -> Chart | None:
    build = BUILDERS.get(name)
    return build(profile) if build else None
