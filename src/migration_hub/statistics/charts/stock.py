"""The migrant stock charts of a profile: the number of migrants and their share of the
population, each by sex (UN DESA International Migrant Stock)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from ..choices import Sex
from ..models import Area
from ..selectors import Profile
from .render import (
    BLUE,
    DASHES,
    GREEN,
    ORANGE,
    Chart,
    _base,
    _computed,
    _missing,
    _pivot,
    _sex_labels,
    _year_axis,
    _years,
    area_name,
    is_world,
    number,
)


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
        # xgettext:no-python-format  (a percent sign, not a placeholder)
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
