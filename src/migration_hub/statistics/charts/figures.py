"""A profile's figures as text and rows: the headline figures it opens with, every figure for
the HXL-tagged CSV download, and the latest figures of every area for the list of areas."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from .. import selectors
from ..choices import Sex
from ..models import Area, Dataset
from ..selectors import Profile
from .render import _datasets_with, area_name, number

# --- Headline figures -------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    note: str


def headline_figures(profile: Profile) -> list[Figure]:
    """The few figures a profile opens with: each with its year."""
    figures = []
    if stock := profile.latest_stock:
        figures.append(
            Figure(
                _("International migrants"),
                number(stock["value"]),
                _("living in the area, %(year)s") % {"year": stock["year"]},
            )
        )
    if share := profile.latest_share:
        figures.append(
            Figure(
                _("Share of the population"),
                f"{number(share['value'], 1)} %",
                _("international migrants, %(year)s") % {"year": share["year"]},
            )
        )
    for rows, label, note in (
        (
            profile.refugees_hosted,
            _("Refugees hosted"),
            _("and %(asylum)s asylum seekers, %(year)s"),
        ),
        (
            profile.refugees_originating,
            _("Refugees from the area"),
            _("and %(asylum)s asylum seekers abroad, %(year)s"),
        ),
    ):
        if rows:
            year = max(row["year"] for row in rows)
            latest = {row["indicator"]: row["value"] for row in rows if row["year"] == year}
            figures.append(
                Figure(
                    label,
                    number(latest.get(selectors.REFUGEES)),
                    note % {"asylum": number(latest.get(selectors.ASYLUM_SEEKERS)), "year": year},
                )
            )
    if profile.remittances:
        latest = profile.remittances[-1]
        figures.append(
            Figure(
                _("Remittances received"),
                _("%(value)s million US$") % {"value": number(latest["value"] / 1_000_000)},
                _("personal remittances, %(year)s") % {"year": latest["year"]},
            )
        )
    return figures


# --- Figures for export (HXL) -----------------------------------------------------------------


def figure_rows(profile: Profile) -> list[dict[str, Any]]:
    """Every figure of the profile as one flat row: for the HXL-tagged CSV download."""
    area = profile.area
    base = {"area_code": area.code, "area_iso3": area.alpha3, "area_name": area.name}

    def source(dataset: Dataset | None) -> dict[str, str]:
        if dataset is None:
            return {"source": "", "licence": "", "url": ""}
        return {
            "source": f"{dataset.publisher}: {dataset.title} ({dataset.revision})",
            "licence": dataset.licence,
            "url": dataset.source_url,
        }

    rows: list[dict[str, Any]] = []

    def add(indicator: str, dataset: Dataset | None, items: Iterable[dict], **extra: Any) -> None:
        for item in items:
            rows.append(
                {
                    **base,
                    "indicator": indicator,
                    "origin": "",
                    "destination": "",
                    "sex": item.get("sex", Sex.TOTAL),
                    "year": item["year"],
                    "value": item["value"],
                    "flag": item.get("flag", ""),
                    **source(dataset),
                    **extra,
                }
            )

    add(selectors.STOCK, profile.stock_dataset, profile.stock, unit="persons")
    add("migrant-share-of-population", profile.stock_dataset, profile.share, unit="per cent")
    for item in profile.refugees_hosted:
        add(
            item["indicator"],
            profile.refugees_dataset,
            [item],
            unit="persons",
            destination=area.name,
        )
    for item in profile.refugees_originating:
        add(item["indicator"], profile.refugees_dataset, [item], unit="persons", origin=area.name)
    for item in profile.top_origins:
        add(
            selectors.STOCK,
            profile.flows_dataset,
            [{"year": profile.flows_year, "value": item["value"]}],
            unit="persons",
            origin=item["name"],
            destination=area.name,
        )
    for item in profile.top_destinations:
        add(
            selectors.STOCK,
            profile.flows_dataset,
            [{"year": profile.flows_year, "value": item["value"]}],
            unit="persons",
            origin=area.name,
            destination=item["name"],
        )
    for indicator, direction in ((selectors.COST_TO, "to"), (selectors.COST_FROM, "from")):
        found = _datasets_with(profile.cost_datasets, indicator)
        items = [row for row in profile.remittance_costs if row["direction"] == direction]
        add(indicator, found[0] if found else None, items, unit="per cent")
    found = _datasets_with(profile.cost_datasets, selectors.REMITTANCES)
    add(selectors.REMITTANCES, found[0] if found else None, profile.remittances, unit="US$")
    return rows


# --- The list of areas ------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaFigure:
    code: str
    name: str
    kind: str
    alpha3: str
    year: int | None
    stock: float | None
    share: float | None

    @property
    def stock_text(self) -> str:
        return number(self.stock)

    @property
    def share_text(self) -> str:
        return number(self.share, 1) if self.share is not None else ""


def area_figures() -> list[AreaFigure]:
    """Every area with a migrant stock figure in the newest stock data set, with its latest
    figure and share of the population (two queries).

    A read that belongs in selectors.py (proposed there as `area_figures`); kept here until it
    moves, since this module's owner does not edit selectors.py.
    """
    dataset = selectors.latest_dataset(selectors.STOCK, flows=False)
    if dataset is None or dataset.last_year is None:
        return []
    rows = (
        selectors.observations()
        .filter(
            Q(indicator__code=selectors.STOCK) | Q(indicator__code=selectors.POPULATION),
            dataset=dataset,
            origin__isnull=True,
            sex=Sex.TOTAL,
            year=dataset.last_year,
        )
        .values_list("area", "area__name", "area__kind", "area__alpha3", "indicator__code", "value")
    )
    stock: dict[str, float | None] = {}
    population: dict[str, float | None] = {}
    info: dict[str, tuple[str, str, str]] = {}
    for code, name, kind, alpha3, indicator, value in rows:
        info[code] = (name, kind, alpha3)
        (stock if indicator == selectors.STOCK else population)[code] = value
    figures = []
    for code, value in stock.items():
        name, kind, alpha3 = info[code]
        people = population.get(code)
        share = 100 * value / (people * 1000) if value is not None and people else None
        area = Area(code=code, name=name, kind=kind, alpha3=alpha3)
        figures.append(
            AreaFigure(code, area_name(area), kind, alpha3, dataset.last_year, value, share)
        )
    return sorted(figures, key=lambda figure: figure.name)
