"""Charts of a country or region profile as Vega-Lite specs, with their data and sources.

One spec serves the page (drawn in the browser by vega-embed, see static/.../js/charts.js), the
SVG and PNG downloads and reports (drawn on the server by vl-convert). Every spec carries its
data inline, a title, a description for screen readers, axis titles and number formats; a
chart without figures has no spec and says instead which data set is missing and how to load it.

Text is translated when the chart is built: build charts inside the request's language.

The modules: `render` (numbers, `Chart`, the base of every spec, drawing on the server),
`profile` (a profile's charts by name) with one module of charts per data set (`stock`,
`corridors`, `refugees`, `remittances`), `compare` (areas side by side) and `figures` (figures
as text and rows). Import from the package: `from migration_hub.statistics import charts`.
"""

from .compare import compare_charts
from .corridors import corridors_chart, destinations_chart, origins_chart
from .figures import AreaFigure, Figure, area_figures, figure_rows, headline_figures
from .profile import BUILDERS, chart, empty_profile, profile_charts
from .refugees import refugees_hosted_chart, refugees_originating_chart
from .remittances import remittance_costs_chart, remittances_chart
from .render import (
    AREA_COLOURS,
    BLUE,
    DASHES,
    EN_DASH,
    EXPORT_WIDTH,
    FONT,
    GREEN,
    HEIGHT,
    ORANGE,
    PURPLE,
    SCHEMA,
    SKY,
    TARGET_GREEN,
    VERMILLION,
    VL_VERSION,
    Chart,
    Missing,
    Needed,
    area_name,
    export_spec,
    is_world,
    locale_config,
    needed,
    number,
    to_png,
    to_svg,
    to_vega,
)
from .stock import share_chart, stock_chart

__all__ = [
    "AREA_COLOURS",
    "BLUE",
    "BUILDERS",
    "DASHES",
    "EN_DASH",
    "EXPORT_WIDTH",
    "FONT",
    "GREEN",
    "HEIGHT",
    "ORANGE",
    "PURPLE",
    "SCHEMA",
    "SKY",
    "TARGET_GREEN",
    "VERMILLION",
    "VL_VERSION",
    "AreaFigure",
    "Chart",
    "Figure",
    "Missing",
    "Needed",
    "area_figures",
    "area_name",
    "chart",
    "compare_charts",
    "corridors_chart",
    "destinations_chart",
    "empty_profile",
    "export_spec",
    "figure_rows",
    "headline_figures",
    "is_world",
    "locale_config",
    "needed",
    "number",
    "origins_chart",
    "profile_charts",
    "refugees_hosted_chart",
    "refugees_originating_chart",
    "remittance_costs_chart",
    "remittances_chart",
    "share_chart",
    "stock_chart",
    "to_png",
    "to_svg",
    "to_vega",
]
