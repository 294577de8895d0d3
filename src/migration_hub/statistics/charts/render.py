"""What every chart is made of: numbers in the active language, the `Chart` with its missing
data sets, the base of every Vega-Lite spec, and drawing a spec on the server (vl-convert)."""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import get_format
from django.utils.numberformat import format as number_format
from django.utils.translation import gettext as _

from migration_hub.core.charts import FONT, SCHEMA, VL_VERSION

from ..areas import WORLD
from ..choices import AreaKind, ImportKind, Sex
from ..models import Area, Dataset

EXPORT_WIDTH = 640
HEIGHT = 260

# Okabe-Ito colours (distinguishable with colour-blindness), each line also dashed differently.
BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY = (
    "#0b4f8a",
    "#b35900",
    "#00785a",
    "#c0392b",
    "#8e3d78",
    "#3b7ea8",
)
TARGET_GREEN = "#1d5e20"
EN_DASH = "\u2013"  # between years, and for a missing figure
AREA_COLOURS = [BLUE, ORANGE, GREEN, PURPLE, VERMILLION]
DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [4, 4]]


# --- Numbers ----------------------------------------------------------------------------------


def _separators() -> tuple[str, str]:
    """The active language's decimal and thousands separators; always a thousands separator,
    since figures in the millions are unreadable without one."""
    return get_format("DECIMAL_SEPARATOR"), get_format("THOUSAND_SEPARATOR") or ","


def number(value: float | None, decimals: int = 0) -> str:
    """`value` with the language's separators, grouped by thousands: 280,598,105."""
    if value is None:
        return EN_DASH
    decimal, thousands = _separators()
    return number_format(
        round(value, decimals),
        decimal,
        decimal_pos=decimals,
        grouping=3,
        thousand_sep=thousands,
        force_grouping=True,
    )


def locale_config() -> dict[str, Any]:
    """The d3-format locale of the active language, for `config.locale` of every spec."""
    decimal, thousands = _separators()
    return {
        "number": {
            "decimal": decimal,
            "thousands": thousands,
            "grouping": [3],
            "currency": ["US$", ""],
        }
    }


# --- What a chart is --------------------------------------------------------------------------


@dataclass(frozen=True)
class Needed:
    """A data set a chart draws on: what to import, with which importer."""

    title: str
    kind: str
    example: str

    @property
    def command(self) -> str:
        return f"migration-hub import {self.kind} {self.example}"


def needed(key: str) -> Needed:
    titles = {
        "stock": _("UN DESA International Migrant Stock (by sex and destination)"),
        "flows": _("UN DESA international migrant stock by origin and destination"),
        "refugees": _("UNHCR refugees and asylum seekers by origin and country of asylum"),
        "cost-to": _("World Bank WDI: average cost of sending remittances to the country"),
        "cost-from": _("World Bank WDI: average cost of sending remittances from the country"),
        "remittances": _("World Bank WDI: personal remittances received"),
    }
    kinds = {
        "stock": (ImportKind.UNDESA_STOCK, "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"),
        "flows": (
            ImportKind.UNDESA_ORIGIN_DESTINATION,
            "undesa_2019_migrant_stock_origin_destination_wide.csv",
        ),
        "refugees": (
            ImportKind.UNHCR,
            "unhcr_refugees_asylum_seekers_by_origin_destination_1995_2020.csv",
        ),
        "cost-to": (ImportKind.WDI, "wdi_sending-cost-to-country.xls"),
        "cost-from": (ImportKind.WDI, "wdi_sending-cost-from-country.xls"),
        "remittances": (ImportKind.WDI, "wdi_personal-remittances-received.xls"),
    }
    kind, example = kinds[key]
    return Needed(titles[key], str(kind), example)


@dataclass(frozen=True)
class Missing:
    """Why a chart is not drawn: its data set is not loaded, or has no figure for the area."""

    needed: Needed
    dataset: Dataset | None = None


@dataclass
class Chart:
    """One chart of a profile: its spec (None without data), data rows and sources."""

    name: str
    title: str
    description: str
    spec: dict[str, Any] | None
    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]]
    table_headers: list[str] = field(default_factory=list)
    table_rows: list[list[str]] = field(default_factory=list)
    datasets: list[Dataset] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    computed: bool = False
    # A figure table per chart; the corridor chart shows two (origins, destinations).
    extra_tables: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)

    @property
    def page_spec(self) -> dict[str, Any] | None:
        """The spec drawn on the page: the page shows the title as a heading already."""
        if self.spec is None:
            return None
        spec = {key: value for key, value in self.spec.items() if key != "title"}
        spec["width"] = "container"
        spec["autosize"] = {"type": "fit-x", "contains": "padding"}
        return spec

    @property
    def spec_id(self) -> str:
        return f"chart-spec-{self.name}"


def export_spec(spec: dict[str, Any], width: int = EXPORT_WIDTH) -> dict[str, Any]:
    """`spec` with a fixed width, for drawing outside a page (SVG, PNG, reports)."""
    exported = copy.deepcopy(spec)
    exported["width"] = width
    exported.pop("autosize", None)
    return exported


def to_svg(spec: dict[str, Any]) -> str:
    import vl_convert

    # No base URL is allowed: every spec has its data inline and nothing is fetched.
    return vl_convert.vegalite_to_svg(
        export_spec(spec), vl_version=VL_VERSION, allowed_base_urls=[]
    )


def to_png(spec: dict[str, Any], scale: float = 2) -> bytes:
    import vl_convert

    return vl_convert.vegalite_to_png(
        export_spec(spec), vl_version=VL_VERSION, scale=scale, allowed_base_urls=[]
    )


def to_vega(spec: dict[str, Any]) -> dict[str, Any]:
    """The compiled Vega spec; raises ValueError when `spec` is not valid Vega-Lite."""
    import vl_convert

    return vl_convert.vegalite_to_vega(export_spec(spec), vl_version=VL_VERSION)


# --- Helpers for specs ------------------------------------------------------------------------


def area_name(area: Area) -> str:
    """The area's name for display: the world by its name, publishers' capitals softened."""
    if is_world(area):
        return _("World")
    return area.name.title() if area.name.isupper() else area.name


def is_world(area: Area) -> bool:
    return area.code == WORLD or area.kind == AreaKind.WORLD


def _base(title: str, subtitle: str, description: str) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "subtitle": subtitle, "anchor": "start"},
        "description": description,
        "width": EXPORT_WIDTH,
        "height": HEIGHT,
        "background": "white",
        "padding": 8,
        "config": {
            "font": FONT,
            "locale": locale_config(),
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": 600},
            "legend": {
                "labelFontSize": 12,
                "titleFontSize": 12,
                "orient": "bottom",
                "labelLimit": 300,
            },
            "title": {"fontSize": 15, "subtitleFontSize": 12, "subtitleColor": "#4a4a4a"},
            "view": {"stroke": None},
        },
    }


def _year_axis() -> dict[str, Any]:
    return {
        "field": "year",
        "type": "quantitative",
        "title": _("Year"),
        "scale": {"zero": False, "nice": False},
        # About one label per 70 pixels, so that years never run into each other on a phone.
        "axis": {
            "format": "d",
            "tickMinStep": 1,
            "tickCount": {"expr": "ceil(width / 70)"},
            "labelOverlap": "greedy",
        },
    }


def _sex_labels() -> dict[str, str]:
    return {value: str(label) for value, label in Sex.choices}


def _computed(rows: Iterable[dict]) -> bool:
    return any(row.get("flag") == "computed" for row in rows)


def _years(rows: list[dict]) -> str:
    years = sorted({row["year"] for row in rows})
    if not years:
        return ""
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}{EN_DASH}{years[-1]}"


def _missing(key: str, dataset: Dataset | None) -> list[Missing]:
    return [Missing(needed(key), dataset)]


def _pivot(
    rows: list[dict], column: str, columns: list[tuple[str, str]], fmt: Callable[[Any], str]
) -> tuple[list[str], list[list[str]]]:
    """Long rows (year, column, value) as a table: one row per year, one column per value."""
    by_year: dict[int, dict[str, Any]] = defaultdict(dict)
    for row in rows:
        by_year[row["year"]][row[column]] = row["value"]
    headers = [_("Year"), *[label for _key, label in columns]]
    body = [
        [str(year), *[fmt(by_year[year].get(key)) for key, _label in columns]]
        for year in sorted(by_year)
    ]
    return headers, body


def _datasets_with(datasets: list[Dataset], indicator: str) -> list[Dataset]:
    return [dataset for dataset in datasets if indicator in dataset.indicator_codes]
