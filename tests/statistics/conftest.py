from __future__ import annotations

from collections.abc import Callable

import pytest

from migration_hub.statistics import services
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
