"""The charts that compare areas side by side: one line per area."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from ..choices import Sex
from ..selectors import Profile
from .render import (
    AREA_COLOURS,
    DASHES,
    Chart,
    _base,
    _missing,
    _pivot,
    _year_axis,
    _years,
    area_name,
    number,
)


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
            # xgettext:no-python-format  (a percent sign, not a placeholder)
            y_title=_("% of the population"),
            axis_format=".1f",
            tooltip_format=".2f",
            decimals=1,
        ),
    }
