"""The remittance charts of a profile: the cost of sending remittances to and from it, and the
remittances it receives (World Bank WDI)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .. import selectors
from ..choices import AreaKind
from ..selectors import Profile
from .render import (
    BLUE,
    DASHES,
    GREEN,
    ORANGE,
    TARGET_GREEN,
    Chart,
    _base,
    _datasets_with,
    _missing,
    _pivot,
    _year_axis,
    _years,
    area_name,
    number,
)


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
        # xgettext:no-python-format  (a percent sign, not a placeholder)
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
