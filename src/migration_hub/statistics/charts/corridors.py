"""The charts of a profile's largest migration corridors: the places of birth and of residence
of its migrants as bars, and both together as a flow chart (UN DESA origin by destination)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..selectors import Profile
from .render import (
    BLUE,
    EN_DASH,
    ORANGE,
    Chart,
    _base,
    _missing,
    area_name,
    is_world,
    number,
)


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
