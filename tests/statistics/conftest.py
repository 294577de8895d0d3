from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from migration_hub.accounts.choices import Role
from migration_hub.statistics import services
from migration_hub.statistics.models import Contribution, Dataset
from migration_hub.statistics.services import SAMPLES, SAMPLES_DIR, ImportReport

STOCK_2020 = "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx"
STOCK_2019 = "undesa_pd_2019_migrant_stock_total_dataset.xlsx"
ORIGIN_DESTINATION = "undesa_2019_migrant_stock_origin_destination_wide.csv"
UNHCR = "unhcr_refugees_asylum_seekers_by_origin_destination_1995_2020.csv"
WDI_COST_TO = "wdi_sending-cost-to-country.xls"
WDI_COST_FROM = "wdi_sending-cost-from-country.xls"
WDI_REMITTANCES = "wdi_personal-remittances-received.xls"


@pytest.fixture
def import_sample(countries: dict) -> Callable[[str], ImportReport]:
    """Imports one of the publishers' files shipped in statistics/samples, as published."""
    kinds = {name: kind for kind, name in SAMPLES}

    def run(name: str, **options: object) -> ImportReport:
        return services.import_file(kinds[name], SAMPLES_DIR / name, **options)

    return run


@pytest.fixture
def stock_2020(import_sample: Callable[[str], ImportReport]) -> ImportReport:
    return import_sample(STOCK_2020)


@pytest.fixture
def all_samples(import_sample: Callable[[str], ImportReport]) -> list[ImportReport]:
    return [import_sample(name) for _kind, name in SAMPLES]


REGIONAL = "\n".join(
    [
        "Country,Year,Sex,Value",
        "Kenya,2020,Both,1050147",
        "Uganda,2020,Both,1720300",
    ]
)


@pytest.fixture
def regional(countries, other_organization, tmp_path: Path) -> Dataset:
    """A regional data set as an administrator imports it with the generic importer, kept by
    `other_organization` (the regional body, whose reviewers approve contributions)."""
    path = tmp_path / "eac.csv"
    path.write_text(REGIONAL, encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "columns: {area: Country, year: Year, value: Value, sex: Sex}\n"
        "sex_values: {Both: total, M: male, F: female}\n",
        encoding="utf-8",
    )
    report = services.import_file(
        "indicator-csv",
        path,
        revision="2024",
        mapping=str(mapping),
        indicator="labour-migrants",
        unit="persons",
        dataset_key="eac-labour-migration",
        publisher="EAC Secretariat",
        owner=other_organization.code,
    )
    return report.dataset


@pytest.fixture
def contributor(make_member, organization):
    return make_member(Role.CONTRIBUTOR, organization)


@pytest.fixture
def reviewer(make_member, other_organization):
    return make_member(Role.REVIEWER, other_organization)


CHANGE = "area,indicator,year,sex,value\nKEN,labour-migrants,2020,total,1100000\nKEN,labour-migrants,2021,total,1150000\nUGA,labour-migrants,2020,total,1720300\n"


def write(tmp_path: Path, text: str, name: str = "kenya.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def submit(regional, organization, contributor, path: Path) -> Contribution:
    """Send `path` to the regional data set as `contributor` of `organization`."""
    return services.submit_contribution(
        dataset=regional,
        organization=organization,
        path=path,
        file_name=path.name,
        actor=contributor,
    )
