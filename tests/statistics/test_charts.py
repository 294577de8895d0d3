"""Chart specs of the profiles: valid Vega-Lite that vl-convert compiles and draws, with the
texts and formats a reader needs, and no chart where there is no figure."""

from __future__ import annotations

import pytest
import vl_convert
from django.utils import translation

from migration_hub.statistics import charts, selectors
from migration_hub.statistics.areas import WORLD
from migration_hub.statistics.models import Area, Observation

from .conftest import ORIGIN_DESTINATION, WDI_COST_FROM, WDI_COST_TO

pytestmark = pytest.mark.django_db

KENYA = "404"
EASTERN_AFRICA = "014"


def _encodings(spec: dict) -> list[dict]:
    """Every encoding of a spec and of its layers."""
    found = [spec.get("encoding", {})]
    for layer in spec.get("layer", []):
        found.extend(_encodings(layer))
    return found


def _axis_titles(spec: dict) -> list[str]:
    titles = []
    for encoding in _encodings(spec):
        for channel in ("x", "y"):
            definition = encoding.get(channel, {})
            if definition.get("axis", {}) is not None and definition.get("title"):
                titles.append(definition["title"])
    return titles


def test_the_vendored_vega_lite_is_the_one_vl_convert_draws_with() -> None:
    assert charts.VL_VERSION in vl_convert.get_vegalite_versions()
    assert charts.SCHEMA.endswith(f"/v{charts.VL_VERSION.split('.')[0]}.json")


def test_every_chart_of_a_country_a_region_and_the_world_is_valid_vega_lite(all_samples) -> None:
    for code in (KENYA, EASTERN_AFRICA, WORLD):
        profile = selectors.profile(code)
        built = charts.profile_charts(profile)
        assert list(built) == list(charts.BUILDERS)
        for name, chart in built.items():
            assert chart.spec is not None, f"{code} {name}: {chart.missing}"
            spec = chart.spec
            assert spec["$schema"] == charts.SCHEMA
            assert spec["title"]["text"] == chart.title
            assert spec["description"] == chart.description
            assert len(chart.description) > len(chart.title)  # says what the chart shows
            assert spec["config"]["locale"]["number"]["thousands"] == ","
            vega = charts.to_vega(spec)  # raises ValueError on invalid Vega-Lite
            assert vega["$schema"].startswith("https://vega.github.io/schema/vega/")
            assert chart.rows and chart.columns
            if name != "corridors":  # the flow chart has no axes, its places are labelled
                assert _axis_titles(spec), f"{name} has no axis title"
                formats = [
                    definition.get("axis", {}).get("format")
                    for encoding in _encodings(spec)
                    for channel, definition in encoding.items()
                    if channel in ("x", "y") and isinstance(definition, dict)
                ]
                assert any(formats), f"{name} has no number format"
            # The page's spec fills its container; the exported one has a fixed width.
            assert chart.page_spec["width"] == "container"
            assert "title" not in chart.page_spec
            assert charts.export_spec(spec)["width"] == charts.EXPORT_WIDTH
            charts.to_vega(chart.page_spec)


def test_the_remittance_cost_chart_draws_the_sdg_10c_target(stock_2020, import_sample) -> None:
    # (The stock workbook first: it creates the world area the WDI files also report on.)
    import_sample(WDI_COST_TO)
    import_sample(WDI_COST_FROM)
    chart = charts.remittance_costs_chart(selectors.profile(KENYA))
    rules = [
        layer
        for layer in chart.spec["layer"]
        if layer["mark"]["type"] == "rule"
        and layer["encoding"]["y"].get("datum") == selectors.SDG_10C_TARGET
    ]
    assert len(rules) == 1
    assert selectors.SDG_10C_TARGET == 3.0
    labels = [
        layer["encoding"]["text"]["value"]
        for layer in chart.spec["layer"]
        if layer["mark"]["type"] == "text"
    ]
    assert labels == ["SDG 10.c target: 3 %"]
    svg = charts.to_svg(chart.spec)
    assert "SDG 10.c target: 3 %" in svg
    # Both directions, in per cent of the amount sent.
    directions = {row["direction"] for row in chart.rows}
    assert directions == {"Sending 200 US$ to Kenya", "Sending 200 US$ from Kenya"}


def test_no_figures_no_chart_but_the_import_command() -> None:
    """Nothing imported: no chart is drawn, each says which data set to load and how."""
    kenya = Area(code=KENYA, name="Kenya", kind="country", alpha3="KEN")
    charts_of = charts.profile_charts(charts.empty_profile(kenya))
    commands = set()
    for chart in charts_of.values():
        assert chart.spec is None
        assert chart.page_spec is None
        assert chart.missing
        for missing in chart.missing:
            assert missing.dataset is None
            commands.add(missing.needed.command)
    assert {
        "migration-hub import undesa-stock undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx",
        "migration-hub import undesa-origin-destination "
        "undesa_2019_migrant_stock_origin_destination_wide.csv",
        "migration-hub import unhcr "
        "unhcr_refugees_asylum_seekers_by_origin_destination_1995_2020.csv",
        "migration-hub import wdi wdi_sending-cost-to-country.xls",
        "migration-hub import wdi wdi_sending-cost-from-country.xls",
        "migration-hub import wdi wdi_personal-remittances-received.xls",
    } == commands


def test_a_loaded_data_set_without_figures_for_the_area_is_named(stock_2020) -> None:
    """The stock workbook is loaded but has nothing for a publisher's special area."""
    stateless = charts.stock_chart(selectors.profile("XXA"))
    assert stateless.spec is None
    assert stateless.missing[0].dataset == stock_2020.dataset


def test_headline_figures_and_numbers_use_thousands_separators(stock_2020) -> None:
    figures = charts.headline_figures(selectors.profile(WORLD))
    assert figures[0].value == "280,598,105"
    assert figures[1].value == "3.6 %"
    assert charts.number(1234567.4) == "1,234,567"
    assert charts.number(3.14159, 2) == "3.14"
    with translation.override("fr"):
        assert charts.number(1234567.5, 1) == "1\xa0234\xa0567,5"
        assert charts.locale_config()["number"]["decimal"] == ","
        # The chart's texts follow the language too (here still English: no catalogue
        # entry yet, but the numbers in them are French).
        description = charts.stock_chart(selectors.profile(KENYA)).description
        assert "1\xa0050\xa0147" in description


def test_corridors_leave_out_regions_the_matrix_lists_as_destinations(
    stock_2020, import_sample
) -> None:
    """The matrix lists "South America" (005) and a few other regions as destinations; the
    world's corridors are between countries."""
    import_sample(ORIGIN_DESTINATION)
    assert Observation.objects.filter(area="005", origin__isnull=False).exists()
    world = selectors.profile(WORLD)
    kinds = dict(Area.objects.values_list("code", "kind"))
    assert len(world.top_destinations) == 10
    assert all(kinds[row["code"]] in ("country", "other") for row in world.top_destinations)
    chart = charts.corridors_chart(world)
    links = chart.spec["datasets"]["links"]
    assert len(links) == len(world.top_origins) + len(world.top_destinations)
    widths = chart.spec["layer"][0]["encoding"]["strokeWidth"]
    assert widths["field"] == "value"


def test_charts_are_drawn_offline_as_svg_and_png(stock_2020) -> None:
    spec = charts.stock_chart(selectors.profile(KENYA)).spec
    svg = charts.to_svg(spec)
    assert svg.startswith("<svg") and "International migrants living in Kenya" in svg
    assert charts.to_png(spec).startswith(b"\x89PNG\r\n\x1a\n")
    # No URL is allowed: a spec that asked for remote data would fail, not fetch it.
    remote = {**spec, "data": {"url": "https://example.org/data.json"}}
    with pytest.raises(ValueError):
        charts.to_svg(remote)
