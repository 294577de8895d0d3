"""What every chart shares: the Vega-Lite version, fonts, and drawing a spec on the server.

Pages draw specs with the vendored vega-embed; reports draw them here with vl-convert, which
bundles the same Vega-Lite version.
"""

from __future__ import annotations

from typing import Any

# The Vega-Lite version vendored in static/vendor/vega and bundled in vl-convert.
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
VL_VERSION = "6.4"
FONT = 'system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans Arabic", sans-serif'
# In reports vl-convert lays out the text and WeasyPrint draws it: both must use one font, or
# labels measured in a narrow font are clipped when drawn in a wider one. DejaVu Sans is the
# font the PDF reports' text is set in.
REPORT_FONT = "DejaVu Sans"


def in_report_font(spec: dict[str, Any]) -> dict[str, Any]:
    return {**spec, "config": {**spec.get("config", {}), "font": REPORT_FONT}}


def report_svg(spec: dict[str, Any]) -> str:
    """The chart as SVG for a report; no base URL is allowed, so nothing is fetched."""
    import vl_convert

    return vl_convert.vegalite_to_svg(
        in_report_font(spec), vl_version=VL_VERSION, allowed_base_urls=[]
    )


def report_png(spec: dict[str, Any], scale: float = 2.0) -> bytes:
    """The chart as PNG for a report (DOCX takes no SVG)."""
    import vl_convert

    return vl_convert.vegalite_to_png(
        in_report_font(spec), vl_version=VL_VERSION, scale=scale, allowed_base_urls=[]
    )
