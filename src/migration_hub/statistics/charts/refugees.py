"""The refugee charts of a profile: refugees and asylum seekers it hosts and from it (UNHCR)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .. import selectors
from ..selectors import Profile
from .render import (
    BLUE,
    ORANGE,
    Chart,
    _base,
    _missing,
    _pivot,
    _year_axis,
    _years,
    area_name,
    is_world,
    number,
)


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
