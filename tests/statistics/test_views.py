"""The statistics pages and downloads through the Django test client: open to anyone, the
publishers' figures shown as printed, aliases redirected, bad input answered clearly."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from migration_hub.statistics.models import Area

from .conftest import ORIGIN_DESTINATION, UNHCR

pytestmark = pytest.mark.django_db

WORLD = "900"
KENYA = "404"


def profile_url(code: str) -> str:
    return reverse("statistics:area_profile", args=[code])


def download_url(code: str, name: str, fmt: str) -> str:
    return reverse("statistics:chart_download", args=[code, name, fmt])


def csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


def test_the_world_profile_shows_the_publishers_figure_to_anyone(client, stock_2020) -> None:
    response = client.get(profile_url(WORLD))  # not signed in: statistics are open data
    assert response.status_code == 200
    content = response.content.decode()
    assert "280,598,105" in content  # UN DESA, International Migrant Stock 2020, world total
    assert "International Migrant Stock" in content and "CC BY 3.0 IGO" in content
    # The chart's spec is embedded as JSON for charts.js, never as an inline script.
    assert 'id="chart-spec-migrant-stock" type="application/json"' in content
    assert "<script>" not in content
    assert 'src="/static/vendor/vega/vega.min.js" defer' in content


def test_the_index_lists_the_world_regions_countries_and_data_sets(client, stock_2020) -> None:
    response = client.get(reverse("statistics:index"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "280,598,105" in content
    assert f'href="{profile_url(KENYA)}"' in content
    assert f'href="{profile_url("002")}"' in content  # Africa
    assert "United Nations Department of Economic and Social Affairs" in content
    assert "2020" in content
    found = client.get(reverse("statistics:index"), {"q": "keny"}).content.decode()
    assert f'href="{profile_url(KENYA)}"' in found
    assert f'href="{profile_url("250")}"' not in found  # France
    assert f'href="{profile_url("250")}"' in client.get("/statistics/?q=FRA").content.decode()


def test_an_alpha3_code_redirects_to_the_m49_profile(client, stock_2020) -> None:
    for alias in ("KEN", "ken"):
        response = client.get(profile_url(alias))
        assert response.status_code == 302
        assert response["Location"] == profile_url(KENYA)
    assert client.get(profile_url("4"))["Location"] == profile_url("004")
    # M49's World is UN DESA's world area, under which the publishers give world figures.
    assert client.get(profile_url("001"))["Location"] == profile_url(WORLD)
    svg = client.get(download_url("KEN", "migrant-stock", "svg"))
    assert svg["Location"] == download_url(KENYA, "migrant-stock", "svg")


def test_an_unknown_code_is_not_found(client, stock_2020) -> None:
    for code in ("ZZZ", "99999", "nope"):
        assert client.get(profile_url(code)).status_code == 404
    assert client.get(download_url(KENYA, "no-such-chart", "svg")).status_code == 404
    assert client.get(f"{profile_url(KENYA)}charts/migrant-stock.gif").status_code == 404


def test_before_any_import_the_profile_says_what_to_import(client, countries) -> None:
    response = client.get(profile_url(KENYA))
    assert response.status_code == 200
    content = response.content.decode()
    assert "is not loaded" in content
    assert "migration-hub import undesa-stock" in content
    assert "vega.min.js" not in content  # no chart, no chart scripts
    assert client.get(profile_url("KEN"))["Location"] == profile_url(KENYA)


def test_a_missing_data_set_is_named_with_its_import_command(client, stock_2020) -> None:
    content = client.get(profile_url(KENYA)).content.decode()
    assert "1,050,147" in content  # Kenya, 2020, both sexes
    assert "migration-hub import undesa-origin-destination" in content
    assert "migration-hub import unhcr" in content
    assert "migration-hub import wdi wdi_sending-cost-to-country.xls" in content


def test_the_profile_is_cached_until_a_data_set_is_imported(
    client, stock_2020, import_sample, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(30):
        first = client.get(profile_url(KENYA))
    assert "migration-hub import unhcr" in first.content.decode()
    with django_assert_max_num_queries(2):  # the data version, then the cache
        client.get(profile_url(KENYA))
    import_sample(UNHCR)
    content = client.get(profile_url(KENYA)).content.decode()
    assert "migration-hub import unhcr" not in content
    assert "Refugees and asylum seekers hosted by Kenya" in content
    assert "438,899" in content  # refugees in Kenya, 2020


def test_compare_up_to_five_areas(client, stock_2020) -> None:
    url = reverse("statistics:compare")
    response = client.get(url, {"areas": [KENYA, "UGA", WORLD]})
    assert response.status_code == 200
    content = response.content.decode()
    for name in ("Kenya", "Uganda", "World"):
        assert f">{name}</a>" in content
    assert "1,050,147" in content and "280,598,105" in content
    assert 'id="chart-spec-compare-migrant-stock"' in content
    assert 'id="chart-spec-compare-share-of-population"' in content

    six = client.get(url, {"areas": [KENYA, "800", "834", "231", "706", "250"]})
    assert six.status_code == 200
    assert "Choose at most 5 areas: you chose 6." in six.content.decode()
    assert six.context["profiles"] == []

    unknown = client.get(url, {"areas": [KENYA, "ZZZ"]})
    assert unknown.status_code == 200
    assert "No area with figures has the code ZZZ." in unknown.content.decode()

    empty_selects = client.get(url, {"areas": [KENYA, "", ""]})  # five selects, three unused
    assert [profile.area.code for profile in empty_selects.context["profiles"]] == [KENYA]
    nothing = client.get(url, {"areas": ""})
    assert "Choose at least one area to compare." in nothing.content.decode()
    assert "Choose at least one" not in client.get(url).content.decode()  # not yet asked


def test_svg_download_is_an_svg_document_with_the_chart_title(client, stock_2020) -> None:
    response = client.get(download_url(KENYA, "migrant-stock", "svg"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert 'filename="404-migrant-stock.svg"' in response["Content-Disposition"]
    content = response.content.decode()
    assert content.startswith("<svg") and content.rstrip().endswith("</svg>")
    assert "International migrants living in Kenya" in content


def test_png_download_is_a_png_image(client, stock_2020) -> None:
    response = client.get(download_url(KENYA, "share-of-population", "png"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_csv_download_neutralises_formulas(client, stock_2020, import_sample) -> None:
    import_sample(ORIGIN_DESTINATION)
    # A name a spreadsheet would run as a formula (names come from publishers' files).
    Area.objects.filter(code="706").update(name='=HYPERLINK("http://example.org","Somalia")')
    response = client.get(download_url(KENYA, "top-origins", "csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert rows[0] == [
        "Area code",
        "Area",
        "Code",
        "Country or area of birth",
        "Migrants",
        "Year",
        "Source",
    ]
    somalia = next(row for row in rows if row[2] == "706")
    assert somalia[3] == '\'=HYPERLINK("http://example.org","Somalia")'
    assert somalia[4] == "452919"  # a whole number, as the publisher printed it
    assert somalia[5] == "2019"


def test_hxl_csv_has_a_hashtag_row_under_the_header(client, stock_2020) -> None:
    response = client.get(reverse("statistics:area_figures_hxl", args=[KENYA]))
    assert response.status_code == 200
    assert 'filename="404-figures.hxl.csv"' in response["Content-Disposition"]
    header, hashtags, *figures = csv_rows(response)
    assert header[0] == "Area code (M49)"
    assert hashtags[0].startswith("#")
    assert all(tag.startswith("#") for tag in hashtags)
    assert hashtags[:3] == ["#country+code+v_m49", "#country+code+v_iso3", "#country+name"]
    assert "#indicator+value+num" in hashtags and "#date+year" in hashtags
    values = dict(zip(hashtags, figures[-1], strict=True))
    assert values["#country+code+v_m49"] == KENYA
    world = csv_rows(client.get(reverse("statistics:area_figures_hxl", args=[WORLD])))
    assert world[1][0] == "#region+code+v_m49"
    total_2020 = [
        row
        for row in world[2:]
        if row[3] == "international-migrant-stock" and row[6] == "2020" and row[7] == "total"
    ]
    assert [row[8] for row in total_2020] == ["280598105"]


def test_a_data_set_page_shows_its_source_and_the_publishers_differences(
    client, stock_2020
) -> None:
    dataset = stock_2020.dataset
    index = client.get("/statistics/").content.decode()
    assert dataset.get_absolute_url() in index
    page = client.get(dataset.get_absolute_url()).content.decode()
    assert "CC BY 3.0 IGO" in page and "11844" in page.replace(",", "").replace("\xa0", "")
    assert "Regional figures against the sum of their countries" in page
    assert "Caribbean" in page  # UN DESA's Caribbean totals by sex include figures it does not list


def test_a_data_set_downloads_all_its_figures(client, stock_2020) -> None:
    response = client.get(stock_2020.dataset.get_absolute_url(), {"export": "csv"})
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Indicator,Area,Area name,Origin,Year,Sex,Value,Flag")
    assert len(lines) == 11844 + 1
    assert "international-migrant-stock,900,World,,2020,total,280598105.0," in lines


def test_an_unknown_data_set_is_not_found(client, countries) -> None:
    assert client.get("/statistics/datasets/999/").status_code == 404
