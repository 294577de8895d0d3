"""Charts of a fund's portfolio as Vega-Lite specs: the share of the money allocated to each
thematic area and region, against the fund's target share.

One spec serves the page (vega-embed) and the reports (drawn to SVG on the server by
vl-convert, never fetching anything). Text and numbers are in the active language, so build
the specs inside it. A portfolio with no money allocated has no chart (None): the page and
the report say so in words instead.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.utils.formats import get_format
from django.utils.numberformat import format as number_format
from django.utils.translation import gettext as _

from migration_hub.core.charts import FONT, SCHEMA, report_svg

from .ledger import CENT
from .selectors import Portfolio, Share

WIDTH = 560
ROW_HEIGHT = 26

# Okabe-Ito colours, distinguishable with colour-blindness; the status is also written out
# in each bar's label and in the legend, never shown by colour alone.
BELOW, MET, NO_TARGET, TARGET_MARK = "#c0392b", "#00785a", "#0b4f8a", "#1a1a1a"
BELOW_TARGET, TARGET_MET, WITHOUT_TARGET = "below", "met", "none"
ZERO = Decimal("0.00")


# --- Numbers in the active language -----------------------------------------------------------


def _separators() -> tuple[str, str]:
    """The language's decimal and thousands separators (always a thousands separator)."""
    return get_format("DECIMAL_SEPARATOR"), get_format("THOUSAND_SEPARATOR") or ","


def number(value: Decimal | int, decimals: int = 2) -> str:
    """`value` rounded half-even to `decimals`, grouped by thousands: 1,234,567.89."""
    exact = Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)
    decimal, thousands = _separators()
    return number_format(
        exact,
        decimal,
        decimal_pos=decimals,
        grouping=3,
        thousand_sep=thousands,
        force_grouping=True,
    )


def money(amount: Decimal, currency: str) -> str:
    """'USD 1,234.00' in the active language's separators."""
    return _("%(currency)s %(amount)s") % {"currency": currency, "amount": number(amount, 2)}


def percent(value: Decimal) -> str:
    """'12.0%': one decimal, or two when the figure has them (a target of 12.25%)."""
    value = Decimal(value)
    decimals = 1 if value == value.quantize(Decimal("0.1")) else 2
    return _("%(value)s%%") % {"value": number(value, decimals)}


# --- Targets ----------------------------------------------------------------------------------


def shortfall(share: Share, total: Decimal) -> Decimal:
    """Money still needed for `share` to meet its target at today's portfolio size."""
    if share.target is None:
        return ZERO
    needed = (total * share.target / 100 - share.amount).quantize(CENT)
    return max(needed, ZERO)


def below(share: Share, total: Decimal, gap: Decimal | None = None) -> bool:
    """Whether the slice misses its target, judged on the money still needed rather than on
    the share rounded to one decimal (19.96% shows as 20.0% yet misses a 20% target)."""
    if share.target is None:
        return False
    if not total:
        return share.below_target
    return (shortfall(share, total) if gap is None else gap) > 0


def status(share: Share, total: Decimal) -> str:
    """below, met, or none (no target for this slice)."""
    if share.target is None:
        return WITHOUT_TARGET
    return BELOW_TARGET if below(share, total) else TARGET_MET


def status_labels() -> dict[str, str]:
    return {
        BELOW_TARGET: _("Below target"),
        TARGET_MET: _("Target met"),
        WITHOUT_TARGET: _("No target"),
    }


# --- Specs ------------------------------------------------------------------------------------


def _locale() -> dict[str, Any]:
    decimal, thousands = _separators()
    return {
        "number": {
            "decimal": decimal,
            "thousands": thousands,
            "grouping": [3],
            "currency": ["", ""],
        }
    }


def share_chart(
    shares: list[Share], total: Decimal, *, title: str, subtitle: str, axis_title: str
) -> dict[str, Any] | None:
    """Horizontal bars of each slice's share of the money allocated, with its target share
    as a black tick and its status written at the end of the bar."""
    if not shares:
        return None
    labels = status_labels()
    rows = []
    for share in shares:
        state = status(share, total)
        if share.target is None:
            caption = percent(share.share)
        else:
            caption = _("%(share)s (target %(target)s, %(status)s)") % {
                "share": percent(share.share),
                "target": percent(share.target),
                "status": labels[state].lower(),
            }
        rows.append(
            {
                "label": share.label,
                "share": float(share.share),
                "target": None if share.target is None else float(share.target),
                "status": labels[state],
                "caption": caption,
                "end": float(max(share.share, share.target or 0)),
            }
        )
    top = max(row["end"] for row in rows)
    domain_max = min(100, int(top // 10 + 2) * 10)
    # A caption goes after its bar and tick, or inside a bar too long to leave room for it.
    inside = domain_max * 0.55
    description = _("Bar chart: %(title)s. %(list)s.") % {
        "title": title,
        "list": "; ".join(f"{row['label']}: {row['caption']}" for row in rows),
    }
    y = {
        "field": "label",
        "type": "nominal",
        "sort": None,
        "title": None,
        "axis": {"labelLimit": 260},
    }
    x = {
        "field": "share",
        "type": "quantitative",
        "title": axis_title,
        "scale": {"domain": [0, domain_max]},
        "axis": {"format": ".0f", "tickCount": 5},
    }
    order = [BELOW_TARGET, TARGET_MET, WITHOUT_TARGET]
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "subtitle": subtitle, "anchor": "start"},
        "description": description,
        "width": WIDTH,
        "height": max(ROW_HEIGHT * 2, ROW_HEIGHT * len(rows)),
        "background": "white",
        "padding": 8,
        "data": {"values": rows},
        "encoding": {"y": y},
        "layer": [
            {
                "mark": {"type": "bar", "height": {"band": 0.7}},
                "encoding": {
                    "x": x,
                    "color": {
                        "field": "status",
                        "type": "nominal",
                        "title": None,
                        "scale": {
                            "domain": [labels[key] for key in order],
                            "range": [BELOW, MET, NO_TARGET],
                        },
                        "legend": {"orient": "bottom"},
                    },
                    "tooltip": [
                        {"field": "label", "type": "nominal", "title": _("Slice")},
                        {"field": "caption", "type": "nominal", "title": _("Share")},
                    ],
                },
            },
            {
                "transform": [{"filter": "datum.target != null"}],
                "mark": {
                    "type": "tick",
                    "color": TARGET_MARK,
                    "opacity": 1,
                    "thickness": 3,
                    "band": 0.95,
                },
                "encoding": {"x": {"field": "target", "type": "quantitative"}},
            },
            {
                "transform": [{"filter": f"datum.share <= {inside}"}],
                "mark": {"type": "text", "align": "left", "dx": 6, "fontSize": 11},
                "encoding": {
                    "x": {"field": "end", "type": "quantitative"},
                    "text": {"field": "caption"},
                },
            },
            {
                "transform": [{"filter": f"datum.share > {inside}"}],
                "mark": {
                    "type": "text",
                    "align": "right",
                    "dx": -6,
                    "fontSize": 11,
                    "color": "white",
                },
                "encoding": {
                    "x": {"field": "share", "type": "quantitative"},
                    "text": {"field": "caption"},
                },
            },
        ],
        "config": {
            "font": FONT,
            "locale": _locale(),
            "axis": {"labelFontSize": 11, "titleFontSize": 11, "titleFontWeight": 600},
            "legend": {"labelFontSize": 11, "orient": "bottom"},
            "title": {"fontSize": 14, "subtitleFontSize": 11, "subtitleColor": "#4a4a4a"},
            "view": {"stroke": None},
        },
    }


def thematic_area_chart(folio: Portfolio) -> dict[str, Any] | None:
    """The allocation share of each thematic area against its target share."""
    if not folio.total_allocated:
        return None
    return share_chart(
        folio.by_thematic_area,
        folio.total_allocated,
        title=_("Money allocated by thematic area, against the target share"),
        subtitle=_("Share of %(total)s allocated; the black tick is the target share")
        % {"total": money(folio.total_allocated, folio.fund.currency)},
        axis_title=_("Share of the money allocated (%)"),
    )


def region_chart(folio: Portfolio) -> dict[str, Any] | None:
    """The allocation share of each region with money or a target, against its target."""
    if not folio.total_allocated:
        return None
    shown = [share for share in folio.by_region if share.amount or share.target is not None]
    return share_chart(
        shown,
        folio.total_allocated,
        title=_("Money allocated by region, against the target share"),
        subtitle=_("Share of %(total)s allocated; the black tick is the target share")
        % {"total": money(folio.total_allocated, folio.fund.currency)},
        axis_title=_("Share of the money allocated (%)"),
    )


def to_svg(spec: dict[str, Any]) -> str:
    return report_svg(spec)
