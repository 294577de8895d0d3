"""The charts of a compiled GCM report as Vega-Lite specs, one builder per chart.

One spec serves the page (vega-embed) and the documents: vl-convert draws it to SVG for the
HTML and the PDF, to PNG for the DOCX, never fetching anything. Build the specs inside the
report's language (the labels come from the compiled `Report`). A chart with nothing to show
(no reviews, no previous cycle) is None: the documents say so in words instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

# Generic to every report of the platform: the bundled Vega-Lite version and the fonts.
from migration_hub.core.charts import FONT, SCHEMA, report_png, report_svg

from .compilation import NOT_STATED, Report

WIDTH = 520
ROW_HEIGHT = 16
# Okabe-Ito, safe with colour-blindness; each status is also named in the legend and tables.
PROGRESS_COLOURS = {
    "not_started": "#d55e00",
    "planned": "#e69f00",
    "in_progress": "#56b4e9",
    "achieved": "#009e73",
    NOT_STATED: "#999999",
}
CURRENT, PREVIOUS = "#0b4f8a", "#a6a6a6"


@dataclass
class Chart:
    key: str
    title: str
    spec: dict[str, Any]
    image: bytes | str = b""  # SVG text or PNG bytes, once drawn

    @property
    def description(self) -> str:
        return str(self.spec.get("description", ""))


def _config() -> dict[str, Any]:
    return {
        "font": FONT,
        "axis": {"labelFontSize": 10, "titleFontSize": 10, "titleFontWeight": 600},
        "legend": {"labelFontSize": 10, "titleFontSize": 10, "orient": "bottom"},
        "title": {"fontSize": 13, "subtitleFontSize": 10, "subtitleColor": "#4a4a4a"},
        "view": {"stroke": None},
    }


def _base(title: str, subtitle: str, description: str, values: list[dict]) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "subtitle": subtitle, "anchor": "start"},
        "description": description,
        "background": "white",
        "padding": 8,
        "data": {"values": values},
        "config": _config(),
    }


def _objective_axis(report: Report) -> dict[str, Any]:
    return {
        "field": "objective",
        "type": "nominal",
        "title": _("GCM objective"),
        "sort": [o.short_label for o in report.objectives],
    }


def coverage_heatmap(report: Report) -> dict[str, Any] | None:
    """Objectives x columns (commissions, sub-regions or levels): reviews reporting on each."""
    if report.is_empty or not report.columns:
        return None
    values = [
        {
            "objective": objective.short_label,
            "column": column.label,
            "reviews": objective.cells[position],
        }
        for objective in report.objectives
        for position, column in enumerate(report.columns)
    ]
    top = max((row["reviews"] for row in values), default=0)
    title = _("Coverage: reviews reporting on each objective")
    spec = _base(
        title,
        _("%(reviews)s reviews, by %(columns)s")
        % {
            "reviews": report.total,
            "columns": report.column_heading.lower(),
        },
        _("Heat map: %(title)s. The table below gives every figure.") % {"title": title},
        values,
    )
    spec.update(
        {
            "width": max(180, min(WIDTH, 70 * len(report.columns))),
            "height": ROW_HEIGHT * len(report.objectives),
            "encoding": {
                "y": _objective_axis(report),
                "x": {
                    "field": "column",
                    "type": "nominal",
                    "title": report.column_heading,
                    "sort": [column.label for column in report.columns],
                    "axis": {"labelAngle": -30, "labelLimit": 140},
                },
            },
            "layer": [
                {
                    "mark": {"type": "rect"},
                    "encoding": {
                        "color": {
                            "field": "reviews",
                            "type": "quantitative",
                            "title": _("Reviews"),
                            "scale": {"scheme": "blues", "domain": [0, max(top, 1)]},
                            # Every cell prints its number; a gradient legend adds nothing.
                            "legend": None,
                        }
                    },
                },
                {
                    "mark": {"type": "text", "fontSize": 9},
                    "encoding": {
                        "text": {"field": "reviews", "type": "quantitative"},
                        "color": {
                            "condition": {"test": f"datum.reviews > {top / 2}", "value": "white"},
                            "value": "#1a1a1a",
                        },
                    },
                },
            ],
        }
    )
    return spec


def progress_chart(report: Report) -> dict[str, Any] | None:
    """Stacked bars: the progress status each review gave for each objective."""
    if report.is_empty:
        return None
    labels = dict(report.progress_labels)
    values = [
        {"objective": o.short_label, "status": labels[status], "order": position, "reviews": n}
        for o in report.objectives
        for position, (status, n) in enumerate(o.progress.items())
        if n
    ]
    if not values:
        return None
    title = _("Progress reported on each objective")
    spec = _base(
        title,
        _("Reviews by progress status"),
        _("Stacked bar chart: %(title)s. The table below gives every figure.") % {"title": title},
        values,
    )
    spec.update(
        {
            "width": WIDTH,
            "height": ROW_HEIGHT * len(report.objectives),
            "mark": {"type": "bar"},
            "encoding": {
                "y": _objective_axis(report),
                "x": {
                    "field": "reviews",
                    "type": "quantitative",
                    "title": _("Reviews"),
                    "stack": "zero",
                },
                "order": {"field": "order", "type": "quantitative"},
                "color": {
                    "field": "status",
                    "type": "nominal",
                    "title": None,
                    "scale": {
                        "domain": [labels[key] for key in labels],
                        "range": [PROGRESS_COLOURS[key] for key in labels],
                    },
                },
            },
        }
    )
    return spec


def stakeholder_chart(report: Report) -> dict[str, Any] | None:
    """Bars: how many reviews consulted each stakeholder group."""
    values = [{"group": c.label, "reviews": c.count} for c in report.stakeholders if c.count]
    if not values:
        return None
    title = _("Stakeholders consulted")
    spec = _base(
        title,
        _("Reviews whose methodology names the group"),
        _("Bar chart: %(title)s. %(list)s.")
        % {"title": title, "list": "; ".join(f"{v['group']}: {v['reviews']}" for v in values)},
        values,
    )
    spec.update(
        {
            "width": WIDTH - 160,
            "height": ROW_HEIGHT * 1.4 * len(values),
            "mark": {"type": "bar", "color": CURRENT},
            "encoding": {
                "y": {"field": "group", "type": "nominal", "title": None, "sort": "-x"},
                "x": {"field": "reviews", "type": "quantitative", "title": _("Reviews")},
            },
        }
    )
    return spec


def comparison_chart(report: Report) -> dict[str, Any] | None:
    """Grouped bars: the share of reviews reporting on each objective, this cycle and the
    previous one."""
    if report.is_empty or not report.has_previous or not report.previous_total:
        return None
    this_cycle = str(report.year)
    before = str(report.previous_year)
    values = []
    for objective in report.objectives:
        values.append(
            {"objective": objective.short_label, "cycle": this_cycle, "share": objective.share}
        )
        values.append(
            {"objective": objective.short_label, "cycle": before, "share": objective.previous_share}
        )
    title = _("Comparison with the previous cycle")
    spec = _base(
        title,
        _("Share of reviews reporting on each objective, %(year)s and %(previous)s (%%)")
        % {"year": this_cycle, "previous": before},
        _("Grouped bar chart: %(title)s. The table below gives every figure.") % {"title": title},
        values,
    )
    spec.update(
        {
            "width": WIDTH,
            "height": ROW_HEIGHT * 1.4 * len(report.objectives),
            "mark": {"type": "bar"},
            "encoding": {
                "y": _objective_axis(report),
                "yOffset": {"field": "cycle", "sort": [this_cycle, before]},
                "x": {
                    "field": "share",
                    "type": "quantitative",
                    "title": _("Share of reviews (%)"),
                    "scale": {"domain": [0, 100]},
                },
                "color": {
                    "field": "cycle",
                    "type": "nominal",
                    "title": None,
                    "scale": {"domain": [this_cycle, before], "range": [CURRENT, PREVIOUS]},
                },
            },
        }
    )
    return spec


BUILDERS = (
    ("coverage", coverage_heatmap),
    ("progress", progress_chart),
    ("comparison", comparison_chart),
    ("stakeholders", stakeholder_chart),
)


def charts(report: Report) -> dict[str, Chart]:
    """Every chart of the report that has something to show, by key."""
    found = {}
    for key, builder in BUILDERS:
        spec = builder(report)
        if spec is not None:
            found[key] = Chart(key, spec["title"]["text"], spec)
    return found


def to_svg(spec: dict[str, Any]) -> str:
    return report_svg(spec)


def to_png(spec: dict[str, Any], scale: float = 2.0) -> bytes:
    return report_png(spec, scale)
