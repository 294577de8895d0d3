"""Which UN regional commission a state's review belongs to by default (reference data)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from migration_hub.core.models import Country

COMMISSIONS_FILE = Path(__file__).parent / "reference" / "regional-commissions.yaml"


@cache
def _rules() -> dict:
    return yaml.safe_load(COMMISSIONS_FILE.read_text(encoding="utf-8"))


def default_commission(country: Country | None) -> str:
    """The commission code for `country`, or "" when there is no country or no rule."""
    if country is None:
        return ""
    rules = _rules()
    if country.alpha3 in rules["by_country"]:
        return rules["by_country"][country.alpha3]
    sub_region = getattr(country.sub_region, "m49_code", None)
    if sub_region in rules["by_sub_region"]:
        return rules["by_sub_region"][sub_region]
    region = getattr(country.region, "m49_code", None)
    return rules["by_region"].get(region, "")


def commission_sources() -> dict[str, str]:
    return {entry["code"]: entry["source"] for entry in _rules()["commissions"]}
