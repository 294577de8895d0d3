"""Charts of a country or region profile as Vega-Lite specs, with their data and sources.

One spec serves the page (drawn in the browser by vega-embed, see static/.../js/charts.js), the
SVG and PNG downloads and reports (drawn on the server by vl-convert). Every spec carries its
data inline, a title, a description for screen readers, axis titles and number formats; a
chart without figures has no spec and says instead which data set is missing and how to load it.

Text is translated when the chart is built: build charts inside the request's language.
"""

from __future__ import annotations

import copy
import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.formats import get_format
from django.utils.numberformat import format as number_format
from django.utils.translation import gettext as _

from . import selectors
from .areas import WORLD
from .choices import AreaKind, ImportKind, Sex
from .models import Area, Dataset
from .selectors import Profile

# The Vega-Lite version vendored in static/vendor/vega and bundled in vl-convert.
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
VL_VERSION = "6.4"
EXPORT_WIDTH = 640
HEIGHT = 260
FONT = 'system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans Arabic", sans-serif'

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


# --- Profiles as charts want them ---------------------------------------------------------------


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


def countries_only(profile: Profile) -> Profile:
    """The profile with only country-level places among its largest corridors.

    The origin by destination matrix also lists regions (UN DESA's "South America") as
    destinations, and `selectors._top` ranks them beside countries; a corridor chart of
    countries must not show them. (Proposed for selectors._top: filter the other side on
    `kind__in=[COUNTRY, OTHER]`; this post-processing can go once it does.)
    """
    codes = {row["code"] for row in [*profile.top_origins, *profile.top_destinations]}
    if not codes:
        return profile
    places = set(
        Area.objects.filter(
            code__in=codes, kind__in=[AreaKind.COUNTRY, AreaKind.OTHER]
        ).values_list("code", flat=True)
    )
    return dataclasses.replace(
        profile,
        top_origins=[row for row in profile.top_origins if row["code"] in places],
        top_destinations=[row for row in profile.top_destinations if row["code"] in places],
    )


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


# --- The profile's charts ---------------------------------------------------------------------


def _sex_lines(
    area: Area,
    rows: list[dict],
    *,
    title: str,
    y_title: str,
    axis_format: str,
    tooltip_format: str,
    describe: Callable[[dict], str],
) -> dict[str, Any]:
    labels = _sex_labels()
    order = [Sex.TOTAL, Sex.FEMALE, Sex.MALE]
    values = [
        {"year": row["year"], "sex": labels[row["sex"]], "value": row["value"]}
        for row in rows
        if row["value"] is not None
    ]
    latest = [row for row in rows if row["sex"] == Sex.TOTAL and row["value"] is not None]
    description = describe(latest[-1]) if latest else title
    spec = _base(
        title,
        _("%(area)s, %(years)s") % {"area": area_name(area), "years": _years(rows)},
        description,
    )
    domain = [labels[sex] for sex in order]
    spec.update(
        {
            "data": {"values": values},
            "mark": {"type": "line", "point": True, "strokeWidth": 2.5},
            "encoding": {
                "x": _year_axis(),
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": y_title,
                    "axis": {"format": axis_format, "tickCount": 6},
                },
                "color": {
                    "field": "sex",
                    "type": "nominal",
                    "title": _("Sex"),
                    "scale": {"domain": domain, "range": [BLUE, ORANGE, GREEN]},
                },
                "strokeDash": {
                    "field": "sex",
                    "type": "nominal",
                    "title": _("Sex"),
                    "scale": {"domain": domain, "range": DASHES[:3]},
                },
                "tooltip": [
                    {"field": "year", "type": "quantitative", "title": _("Year"), "format": "d"},
                    {"field": "sex", "type": "nominal", "title": _("Sex")},
                    {
                        "field": "value",
                        "type": "quantitative",
                        "title": y_title,
                        "format": tooltip_format,
                    },
                ],
            },
        }
    )
    return spec


def stock_chart(profile: Profile) -> Chart:
    area = profile.area
    title = (
        _("International migrants in the world")
        if is_world(area)
        else _("International migrants living in %(area)s") % {"area": area_name(area)}
    )
    rows = [row for row in profile.stock if row["value"] is not None]
    columns = [
        ("year", _("Year")),
        ("sex", _("Sex")),
        ("value", _("Migrants")),
        ("flag", _("Flag")),
    ]
    chart = Chart(
        "migrant-stock",
        title,
        "",
        None,
        columns,
        [{**row, "sex": _sex_labels()[row["sex"]]} for row in rows],
        datasets=[profile.stock_dataset] if profile.stock_dataset else [],
        computed=_computed(rows),
    )
    if not rows:
        chart.description = title
        chart.missing = _missing("stock", profile.stock_dataset)
        return chart

    def describe(latest: dict) -> str:
        return _(
            "Line chart of the number of international migrants living in %(area)s by sex, "
            "%(years)s. In %(year)s: %(value)s, both sexes."
        ) % {
            "area": area_name(area),
            "years": _years(rows),
            "year": latest["year"],
            "value": number(latest["value"]),
        }

    chart.spec = _sex_lines(
        area,
        rows,
        title=title,
        y_title=_("Migrants (number)"),
        axis_format=",.0f",
        tooltip_format=",.0f",
        describe=describe,
    )
    chart.description = chart.spec["description"]
    chart.table_headers, chart.table_rows = _pivot(
        rows, "sex", [(s, _sex_labels()[s]) for s in (Sex.TOTAL, Sex.FEMALE, Sex.MALE)], number
    )
    return chart


def share_chart(profile: Profile) -> Chart:
    area = profile.area
    title = (
        _("International migrants as a share of the world population")
        if is_world(area)
        else _("International migrants as a share of the population of %(area)s")
        % {"area": area_name(area)}
    )
    rows = profile.share
    columns = [("year", _("Year")), ("sex", _("Sex")), ("value", _("Per cent of the population"))]
    chart = Chart(
        "share-of-population",
        title,
        title,
        None,
        columns,
        [{**row, "sex": _sex_labels()[row["sex"]]} for row in rows],
        datasets=[profile.stock_dataset] if profile.stock_dataset else [],
        computed=_computed(profile.stock),
    )
    if not rows:
        chart.missing = _missing("stock", profile.stock_dataset)
        return chart

    def describe(latest: dict) -> str:
        return _(
            "Line chart of international migrants as a percentage of the population of "
            "%(area)s by sex, %(years)s. In %(year)s: %(value)s %%, both sexes."
        ) % {
            "area": area_name(area),
            "years": _years(rows),
            "year": latest["year"],
            "value": number(latest["value"], 1),
        }

    chart.spec = _sex_lines(
        area,
        rows,
        title=title,
        y_title=_("% of the population"),
        axis_format=".1f",
        tooltip_format=".2f",
        describe=describe,
    )
    chart.spec["encoding"]["y"]["scale"] = {"zero": True}
    chart.description = chart.spec["description"]
    chart.table_headers, chart.table_rows = _pivot(
        rows,
        "sex",
        [(s, _sex_labels()[s]) for s in (Sex.TOTAL, Sex.FEMALE, Sex.MALE)],
        lambda value: number(value, 1),
    )
    return chart


def _bars(profile: Profile, key: str) -> Chart:
    area = profile.area
    name = area_name(area)
    if key == "origins":
        rows = profile.top_origins
        title = (
            _("Countries of birth of the most international migrants")
            if is_world(area)
            else _("Where migrants living in %(area)s were born") % {"area": name}
        )
        chart_name = "top-origins"
        label = _("Country or area of birth")
        colour = BLUE
    else:
        rows = profile.top_destinations
        title = (
            _("Countries where the most international migrants live")
            if is_world(area)
            else _("Where migrants born in %(area)s live") % {"area": name}
        )
        chart_name = "top-destinations"
        label = _("Country or area of residence")
        colour = ORANGE
    columns = [("code", _("Code")), ("name", label), ("value", _("Migrants"))]
    chart = Chart(
        chart_name,
        title,
        title,
        None,
        columns,
        [{**row, "year": profile.flows_year} for row in rows],
        datasets=[profile.flows_dataset] if profile.flows_dataset else [],
    )
    chart.columns = [*columns, ("year", _("Year"))]
    if not rows:
        chart.missing = _missing("flows", profile.flows_dataset)
        return chart
    top = rows[0]
    chart.description = _(
        "Bar chart of the %(count)s largest numbers of migrants, %(year)s: %(list)s."
    ) % {
        "count": len(rows),
        "year": profile.flows_year,
        "list": "; ".join(f"{row['name']} {number(row['value'])}" for row in rows),
    }
    subtitle = _("%(year)s, the %(count)s largest, number of migrants") % {
        "year": profile.flows_year,
        "count": len(rows),
    }
    spec = _base(title, subtitle, chart.description)
    spec["height"] = {"step": 24}
    y = {
        "field": "name",
        "type": "nominal",
        "title": None,
        "sort": None,  # the rows come largest first
        "axis": {"labelLimit": 150},
    }
    x = {
        "field": "value",
        "type": "quantitative",
        "title": _("Migrants (number)"),
        "axis": {"format": ",.0f", "tickCount": 4, "labelOverlap": "greedy"},
    }
    spec.update(
        {
            "data": {"values": [{"name": row["name"], "value": row["value"]} for row in rows]},
            "encoding": {"y": y, "x": x},
            "layer": [
                {
                    "mark": {"type": "bar", "color": colour, "cornerRadiusEnd": 2},
                    "encoding": {
                        "tooltip": [
                            {"field": "name", "type": "nominal", "title": label},
                            {
                                "field": "value",
                                "type": "quantitative",
                                "title": _("Migrants"),
                                "format": ",.0f",
                            },
                        ]
                    },
                },
                {
                    "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 11},
                    "encoding": {
                        "text": {"field": "value", "type": "quantitative", "format": ",.0f"}
                    },
                },
            ],
        }
    )
    # Room for the figure written after the longest bar.
    # Room after the longest bar for its figure (about 70 pixels), whatever the width.
    x["scale"] = {"domainMax": {"expr": f"{top['value']} * (1 + 70 / max(width - 70, 100))"}}
    x["axis"]["tickCount"] = {"expr": "ceil(width / 110)"}
    chart.spec = spec
    chart.table_headers = [label, _("Migrants")]
    chart.table_rows = [[row["name"], number(row["value"])] for row in rows]
    return chart


def origins_chart(profile: Profile) -> Chart:
    return _bars(profile, "origins")


def destinations_chart(profile: Profile) -> Chart:
    return _bars(profile, "destinations")


def corridors_chart(profile: Profile) -> Chart:
    """The largest corridors through the area as a flow chart (Vega-Lite has no sankey):
    places of birth on the left, the area in the middle, places of residence on the right,
    joined by lines as thick as the number of migrants."""
    area = profile.area
    name = area_name(area)
    origins, destinations = profile.top_origins, profile.top_destinations
    if is_world(area):
        title = _("Largest countries of birth and of residence of international migrants")
        incoming = _("Born there, living abroad")
        outgoing = _("Living there, born abroad")
    else:
        title = _("Migration corridors of %(area)s") % {"area": name}
        incoming = _("Born abroad, living in %(area)s") % {"area": name}
        outgoing = _("Born in %(area)s, living abroad") % {"area": name}
    rows = [
        {"direction": incoming, "origin": row["name"], "destination": name, "value": row["value"]}
        for row in origins
    ] + [
        {"direction": outgoing, "origin": name, "destination": row["name"], "value": row["value"]}
        for row in destinations
    ]
    columns = [
        ("direction", _("Direction")),
        ("origin", _("Born in")),
        ("destination", _("Living in")),
        ("value", _("Migrants")),
        ("year", _("Year")),
    ]
    chart = Chart(
        "corridors",
        title,
        title,
        None,
        columns,
        [{**row, "year": profile.flows_year} for row in rows],
        datasets=[profile.flows_dataset] if profile.flows_dataset else [],
    )
    if not rows:
        chart.missing = _missing("flows", profile.flows_dataset)
        return chart
    count = max(len(origins), len(destinations))
    middle = (count - 1) / 2
    links = []
    nodes = [{"x": 2, "y": middle, "label": name, "side": "area"}]
    for side, items, x, direction in (
        ("origin", origins, 1, incoming),
        ("destination", destinations, 3, outgoing),
    ):
        offset = (count - len(items)) / 2
        for rank, row in enumerate(items):
            y = rank + offset
            links.append(
                {
                    "x": x,
                    "y": y,
                    "x2": 2,
                    "y2": middle,
                    "direction": direction,
                    "origin": row["name"] if side == "origin" else name,
                    "destination": name if side == "origin" else row["name"],
                    "value": row["value"],
                }
            )
            nodes.append(
                {
                    "x": x,
                    "y": y,
                    "label": f"{row['name']}\n{number(row['value'])}",
                    "side": side,
                    "direction": direction,
                }
            )
    chart.description = _(
        "Flow chart of the largest migration corridors of %(area)s in %(year)s. Born abroad "
        "and living in %(area)s: %(origins)s. Born in %(area)s and living abroad: "
        "%(destinations)s."
    ) % {
        "area": name,
        "year": profile.flows_year,
        "origins": "; ".join(f"{row['name']} {number(row['value'])}" for row in origins) or EN_DASH,
        "destinations": "; ".join(f"{row['name']} {number(row['value'])}" for row in destinations)
        or EN_DASH,
    }
    subtitle = _("%(year)s; line width: number of migrants") % {"year": profile.flows_year}
    spec = _base(title, subtitle, chart.description)
    spec["height"] = max(140, count * 38)
    x = {
        "field": "x",
        "type": "quantitative",
        "axis": None,
        "scale": {"domain": [0, 4]},
    }
    y = {
        "field": "y",
        "type": "quantitative",
        "axis": None,
        "scale": {"domain": [-0.6, count - 0.4], "reverse": True},
    }
    colour = {
        "field": "direction",
        "type": "nominal",
        "title": None,
        "scale": {"domain": [incoming, outgoing], "range": [BLUE, ORANGE]},
        "legend": {"orient": "bottom", "direction": "vertical", "labelLimit": 320},
    }
    label_text = {"field": "label", "type": "nominal"}
    spec.update(
        {
            "datasets": {"links": links, "nodes": nodes},
            "layer": [
                {
                    "data": {"name": "links"},
                    "mark": {"type": "rule", "strokeCap": "round", "opacity": 0.6},
                    "encoding": {
                        "x": x,
                        "y": y,
                        "x2": {"field": "x2"},
                        "y2": {"field": "y2"},
                        "color": colour,
                        "strokeWidth": {
                            "field": "value",
                            "type": "quantitative",
                            "title": _("Migrants"),
                            "scale": {"range": [1.5, 16], "zero": True},
                            # The figures are written beside each place; no size legend.
                            "legend": None,
                        },
                        "tooltip": [
                            {"field": "origin", "title": _("Born in")},
                            {"field": "destination", "title": _("Living in")},
                            {
                                "field": "value",
                                "type": "quantitative",
                                "title": _("Migrants"),
                                "format": ",.0f",
                            },
                        ],
                    },
                },
                {
                    "data": {"name": "nodes"},
                    "mark": {"type": "circle", "size": 60, "color": "#1b1b1b", "opacity": 1},
                    "encoding": {"x": x, "y": y},
                },
                {
                    "data": {"name": "nodes"},
                    "transform": [{"filter": {"field": "side", "equal": "origin"}}],
                    "mark": {
                        "type": "text",
                        "align": "right",
                        "baseline": "middle",
                        "dx": -8,
                        "limit": {"expr": "width / 4 - 12"},
                        "fontSize": 11,
                        "lineHeight": 13,
                        "lineBreak": "\n",
                    },
                    "encoding": {"x": x, "y": y, "text": label_text},
                },
                {
                    "data": {"name": "nodes"},
                    "transform": [{"filter": {"field": "side", "equal": "destination"}}],
                    "mark": {
                        "type": "text",
                        "align": "left",
                        "baseline": "middle",
                        "dx": 8,
                        "limit": {"expr": "width / 4 - 12"},
                        "fontSize": 11,
                        "lineHeight": 13,
                        "lineBreak": "\n",
                    },
                    "encoding": {"x": x, "y": y, "text": label_text},
                },
                # The area's name twice: a white outline first, so the lines do not hide it.
                *[
                    {
                        "data": {"name": "nodes"},
                        "transform": [{"filter": {"field": "side", "equal": "area"}}],
                        "mark": {
                            "type": "text",
                            "align": "center",
                            "baseline": "bottom",
                            "dy": -10,
                            "fontSize": 13,
                            "fontWeight": "bold",
                            "limit": 160,
                            **outline,
                        },
                        "encoding": {"x": x, "y": y, "text": label_text},
                    }
                    for outline in (
                        {"stroke": "white", "strokeWidth": 5, "strokeJoin": "round"},
                        {},
                    )
                ],
            ],
        }
    )
    chart.spec = spec
    chart.table_headers = []
    chart.extra_tables = [
        (
            incoming,
            [_("Born in"), _("Migrants")],
            [[row["name"], number(row["value"])] for row in origins],
        ),
        (
            outgoing,
            [_("Living in"), _("Migrants")],
            [[row["name"], number(row["value"])] for row in destinations],
        ),
    ]
    return chart


def _refugees(profile: Profile, key: str) -> Chart:
    area = profile.area
    name = area_name(area)
    labels = {
        selectors.REFUGEES: _("Refugees"),
        selectors.ASYLUM_SEEKERS: _("Asylum seekers"),
    }
    if key == "hosted":
        rows = profile.refugees_hosted
        title = (
            _("Refugees and asylum seekers in the world, counted by country of asylum")
            if is_world(area)
            else _("Refugees and asylum seekers hosted by %(area)s") % {"area": name}
        )
        chart_name = "refugees-hosted"
    else:
        rows = profile.refugees_originating
        title = (
            _("Refugees and asylum seekers in the world, counted by country of origin")
            if is_world(area)
            else _("Refugees and asylum seekers from %(area)s") % {"area": name}
        )
        chart_name = "refugees-originating"
    columns = [("year", _("Year")), ("indicator", _("Indicator")), ("value", _("People"))]
    chart = Chart(
        chart_name,
        title,
        title,
        None,
        columns,
        [{**row, "indicator": labels.get(row["indicator"], row["indicator"])} for row in rows],
        datasets=[profile.refugees_dataset] if profile.refugees_dataset else [],
    )
    if not rows:
        chart.missing = _missing("refugees", profile.refugees_dataset)
        return chart
    latest_year = max(row["year"] for row in rows)
    latest = {row["indicator"]: row["value"] for row in rows if row["year"] == latest_year}
    chart.description = _(
        "Stacked area chart of refugees and asylum seekers by year, %(years)s. In %(year)s: "
        "%(refugees)s refugees and %(asylum)s asylum seekers."
    ) % {
        "years": _years(rows),
        "year": latest_year,
        "refugees": number(latest.get(selectors.REFUGEES)),
        "asylum": number(latest.get(selectors.ASYLUM_SEEKERS)),
    }
    domain = [labels[selectors.REFUGEES], labels[selectors.ASYLUM_SEEKERS]]
    spec = _base(title, _years(rows), chart.description)
    spec.update(
        {
            "data": {
                "values": [
                    {
                        "year": row["year"],
                        "indicator": labels.get(row["indicator"], row["indicator"]),
                        "value": row["value"],
                    }
                    for row in rows
                ]
            },
            "mark": {"type": "area", "line": True, "opacity": 0.75},
            "encoding": {
                "x": _year_axis(),
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "stack": "zero",
                    "title": _("People (number)"),
                    "axis": {"format": ",.0f"},
                },
                "color": {
                    "field": "indicator",
                    "type": "nominal",
                    "title": None,
                    "scale": {"domain": domain, "range": [BLUE, ORANGE]},
                },
                "order": {"field": "indicator", "sort": "descending"},
                "tooltip": [
                    {"field": "year", "type": "quantitative", "title": _("Year"), "format": "d"},
                    {"field": "indicator", "type": "nominal", "title": _("Indicator")},
                    {
                        "field": "value",
                        "type": "quantitative",
                        "title": _("People"),
                        "format": ",.0f",
                    },
                ],
            },
        }
    )
    chart.spec = spec
    chart.table_headers, chart.table_rows = _pivot(
        chart.rows,
        "indicator",
        [(label, label) for label in domain],
        number,
    )
    return chart


def refugees_hosted_chart(profile: Profile) -> Chart:
    return _refugees(profile, "hosted")


def refugees_originating_chart(profile: Profile) -> Chart:
    return _refugees(profile, "originating")


def _datasets_with(datasets: list[Dataset], indicator: str) -> list[Dataset]:
    return [dataset for dataset in datasets if indicator in dataset.indicator_codes]


def remittance_costs_chart(profile: Profile) -> Chart:
    area = profile.area
    name = area_name(area)
    title = _("Cost of sending remittances to and from %(area)s") % {"area": name}
    directions = {
        "to": _("Sending 200 US$ to %(area)s") % {"area": name},
        "from": _("Sending 200 US$ from %(area)s") % {"area": name},
    }
    rows = [
        {"year": row["year"], "direction": directions[row["direction"]], "value": row["value"]}
        for row in profile.remittance_costs
        if row["value"] is not None
    ]
    columns = [("year", _("Year")), ("direction", _("Direction")), ("value", _("Cost (%)"))]
    datasets = _datasets_with(profile.cost_datasets, selectors.COST_TO) + _datasets_with(
        profile.cost_datasets, selectors.COST_FROM
    )
    chart = Chart(
        "remittance-costs",
        title,
        title,
        None,
        columns,
        rows,
        datasets=datasets,
        computed=area.kind != AreaKind.COUNTRY and bool(rows),
    )
    if not rows:
        for key, indicator in (("cost-to", selectors.COST_TO), ("cost-from", selectors.COST_FROM)):
            found = _datasets_with(profile.cost_datasets, indicator)
            chart.missing += _missing(key, found[0] if found else None)
        return chart
    target = selectors.SDG_10C_TARGET
    chart.description = _(
        "Line chart of the average cost of sending remittances to and from %(area)s, in per "
        "cent of the amount sent, %(years)s, with the SDG target 10.c of %(target)s %%."
    ) % {"area": name, "years": _years(rows), "target": number(target)}
    spec = _base(
        title,
        _("Average total cost, %% of 200 US$ sent; SDG 10.c target: %(target)s %%")
        % {"target": number(target)},
        chart.description,
    )
    domain = [directions["to"], directions["from"]]
    y = {
        "field": "value",
        "type": "quantitative",
        "title": _("Cost (% of the amount sent)"),
        "scale": {"zero": True},
        "axis": {"format": ".0f"},
    }
    spec.update(
        {
            "layer": [
                {
                    "data": {"values": rows},
                    "mark": {"type": "line", "point": True, "strokeWidth": 2.5},
                    "encoding": {
                        "x": _year_axis(),
                        "y": y,
                        "color": {
                            "field": "direction",
                            "type": "nominal",
                            "title": None,
                            "scale": {"domain": domain, "range": [BLUE, ORANGE]},
                        },
                        "strokeDash": {
                            "field": "direction",
                            "type": "nominal",
                            "title": None,
                            "scale": {"domain": domain, "range": DASHES[:2]},
                        },
                        "tooltip": [
                            {
                                "field": "year",
                                "type": "quantitative",
                                "title": _("Year"),
                                "format": "d",
                            },
                            {"field": "direction", "type": "nominal", "title": _("Direction")},
                            {
                                "field": "value",
                                "type": "quantitative",
                                "title": _("Cost (%)"),
                                "format": ".2f",
                            },
                        ],
                    },
                },
                {
                    "data": {"values": [{}]},
                    "mark": {
                        "type": "rule",
                        "color": TARGET_GREEN,
                        "strokeDash": [6, 4],
                        "strokeWidth": 2,
                    },
                    "encoding": {"y": {"datum": target, "type": "quantitative"}},
                },
                {
                    "data": {"values": [{}]},
                    "mark": {
                        "type": "text",
                        "align": "left",
                        "baseline": "bottom",
                        "dx": 4,
                        "dy": -4,
                        "color": TARGET_GREEN,
                        "fontWeight": "bold",
                        "fontSize": 11,
                    },
                    "encoding": {
                        "x": {"value": 0},
                        "y": {"datum": target, "type": "quantitative"},
                        "text": {
                            "value": _("SDG 10.c target: %(target)s %%")
                            % {"target": number(target)}
                        },
                    },
                },
            ]
        }
    )
    chart.spec = spec
    chart.table_headers, chart.table_rows = _pivot(
        rows, "direction", [(label, label) for label in domain], lambda v: number(v, 2)
    )
    return chart


def remittances_chart(profile: Profile) -> Chart:
    area = profile.area
    name = area_name(area)
    title = _("Personal remittances received by %(area)s") % {"area": name}
    rows = [
        {"year": row["year"], "value": row["value"] / 1_000_000}
        for row in profile.remittances
        if row["value"] is not None
    ]
    columns = [("year", _("Year")), ("value", _("US$ millions (current)"))]
    chart = Chart(
        "remittances-received",
        title,
        title,
        None,
        columns,
        rows,
        datasets=_datasets_with(profile.cost_datasets, selectors.REMITTANCES),
        computed=area.kind != AreaKind.COUNTRY and bool(rows),
    )
    if not rows:
        found = _datasets_with(profile.cost_datasets, selectors.REMITTANCES)
        chart.missing = _missing("remittances", found[0] if found else None)
        return chart
    chart.description = _(
        "Line chart of personal remittances received by %(area)s in millions of current US "
        "dollars, %(years)s. In %(year)s: %(value)s million US$."
    ) % {
        "area": name,
        "years": _years(rows),
        "year": rows[-1]["year"],
        "value": number(rows[-1]["value"]),
    }
    spec = _base(
        title, _("%(years)s, current US$ millions") % {"years": _years(rows)}, chart.description
    )
    spec.update(
        {
            "data": {"values": rows},
            "mark": {"type": "area", "line": {"color": GREEN}, "color": GREEN, "opacity": 0.25},
            "encoding": {
                "x": _year_axis(),
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": _("US$ millions"),
                    "axis": {"format": ",.0f"},
                },
                "tooltip": [
                    {"field": "year", "type": "quantitative", "title": _("Year"), "format": "d"},
                    {
                        "field": "value",
                        "type": "quantitative",
                        "title": _("US$ millions"),
                        "format": ",.1f",
                    },
                ],
            },
        }
    )
    chart.spec = spec
    chart.table_headers = [_("Year"), _("US$ millions")]
    chart.table_rows = [[str(row["year"]), number(row["value"], 1)] for row in rows]
    return chart


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


# --- Comparison -------------------------------------------------------------------------------


def _compare_lines(
    profiles: list[Profile],
    name: str,
    title: str,
    series: Callable[[Profile], list[dict]],
    *,
    y_title: str,
    axis_format: str,
    tooltip_format: str,
    decimals: int,
) -> Chart:
    names = [area_name(profile.area) for profile in profiles]
    rows = [
        {"area": area_name(profile.area), "year": row["year"], "value": row["value"]}
        for profile in profiles
        for row in series(profile)
        if row["sex"] == Sex.TOTAL and row["value"] is not None
    ]
    datasets = {p.stock_dataset.pk: p.stock_dataset for p in profiles if p.stock_dataset}
    chart = Chart(
        name,
        title,
        title,
        None,
        [("area", _("Area")), ("year", _("Year")), ("value", y_title)],
        rows,
        datasets=list(datasets.values()),
    )
    if not rows:
        chart.missing = _missing("stock", next(iter(datasets.values()), None))
        return chart
    latest = {row["area"]: row for row in rows}
    chart.description = _("Line chart, %(years)s, one line per area. Latest: %(list)s.") % {
        "years": _years(rows),
        "list": "; ".join(
            f"{area} {number(row['value'], decimals)} ({row['year']})"
            for area, row in latest.items()
        ),
    }
    spec = _base(title, _years(rows), chart.description)
    spec.update(
        {
            "data": {"values": rows},
            "mark": {"type": "line", "point": True, "strokeWidth": 2.5},
            "encoding": {
                "x": _year_axis(),
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": y_title,
                    "axis": {"format": axis_format, "tickCount": 6},
                },
                "color": {
                    "field": "area",
                    "type": "nominal",
                    "title": None,
                    "scale": {"domain": names, "range": AREA_COLOURS[: len(names)]},
                    "legend": {"orient": "bottom", "columns": 2, "labelLimit": 260},
                },
                "strokeDash": {
                    "field": "area",
                    "type": "nominal",
                    "title": None,
                    "scale": {"domain": names, "range": DASHES[: len(names)]},
                },
                "tooltip": [
                    {"field": "area", "type": "nominal", "title": _("Area")},
                    {"field": "year", "type": "quantitative", "title": _("Year"), "format": "d"},
                    {
                        "field": "value",
                        "type": "quantitative",
                        "title": y_title,
                        "format": tooltip_format,
                    },
                ],
            },
        }
    )
    chart.spec = spec
    chart.table_headers, chart.table_rows = _pivot(
        rows,
        "area",
        [(area, area) for area in names],
        lambda value: number(value, decimals),
    )
    return chart


def compare_charts(profiles: list[Profile]) -> dict[str, Chart]:
    return {
        "migrant-stock": _compare_lines(
            profiles,
            "compare-migrant-stock",
            _("International migrants, both sexes"),
            lambda profile: profile.stock,
            y_title=_("Migrants (number)"),
            axis_format=",.0f",
            tooltip_format=",.0f",
            decimals=0,
        ),
        "share-of-population": _compare_lines(
            profiles,
            "compare-share-of-population",
            _("International migrants as a share of the population, both sexes"),
            lambda profile: profile.share,
            y_title=_("% of the population"),
            axis_format=".1f",
            tooltip_format=".2f",
            decimals=1,
        ),
    }


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
