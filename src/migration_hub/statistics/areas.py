"""Areas by M49 code, and matching the names and codes publishers use to them."""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from functools import cached_property
from pathlib import Path

import pycountry

from migration_hub.core.choices import RegionLevel
from migration_hub.core.models import Country, Region
from migration_hub.core.services import load_countries

from .choices import AreaKind
from .models import Area

WORLD = "900"
DATA_DIR = Path(__file__).parent / "data"
UNDESA_LOCATIONS = DATA_DIR / "undesa_locations.csv"

# UN DESA's workbooks give geographic regions their own location codes; the same regions have
# standard M49 codes (https://unstats.un.org/unsd/methodology/m49/). Figures are stored under
# the M49 code so that a region is one area whoever published it. Groups without an M49
# equivalent (SDG regions, income groups) keep the publisher's code.
UNDESA_REGION_TO_M49 = {
    "903": "002",  # Africa
    "910": "014",  # Eastern Africa
    "911": "017",  # Middle Africa
    "912": "015",  # Northern Africa
    "913": "018",  # Southern Africa
    "914": "011",  # Western Africa
    "947": "202",  # Sub-Saharan Africa
    "935": "142",  # Asia
    "5500": "143",  # Central Asia
    "906": "030",  # Eastern Asia
    "920": "035",  # South-Eastern Asia
    "5501": "034",  # Southern Asia
    "922": "145",  # Western Asia
    "908": "150",  # Europe
    "923": "151",  # Eastern Europe
    "924": "154",  # Northern Europe
    "925": "039",  # Southern Europe
    "926": "155",  # Western Europe
    "904": "419",  # Latin America and the Caribbean
    "915": "029",  # Caribbean
    "916": "013",  # Central America
    "931": "005",  # South America
    "905": "021",  # Northern America
    "909": "009",  # Oceania
    "927": "053",  # Australia and New Zealand
    "928": "054",  # Melanesia
    "954": "057",  # Micronesia
    "957": "061",  # Polynesia
}

# Areas publishers list as countries that the M49 country list does not have, with the M49
# region they belong to (UN DESA's Channel Islands: Jersey and Guernsey together).
EXTRA_PARENTS = {"830": "154"}
EXTRA_COUNTRIES = {"830": "Channel Islands"}

# Codes that mean the same area: M49's World (001) is the world UN DESA calls 900; the World
# Bank's CHI is UN DESA's Channel Islands (830).
M49_WORLD = "001"
ALIASES = {M49_WORLD: WORLD}
ALPHA3_ALIASES = {"CHI": "830", "WLD": WORLD}

# Codes some publishers use that are not places (UNHCR's).
UNKNOWN = "UNK"
SPECIAL_AREAS = {
    "XXA": "Stateless",
    "TIB": "Tibetan",
    UNKNOWN: "Unknown",
}

LEVEL_TO_KIND = {
    RegionLevel.WORLD: AreaKind.WORLD,
    RegionLevel.REGION: AreaKind.REGION,
    RegionLevel.SUB_REGION: AreaKind.SUB_REGION,
    RegionLevel.INTERMEDIATE_REGION: AreaKind.INTERMEDIATE_REGION,
}


def m49(code: object) -> str:
    """'4', 4 or 4.0 -> '004'; four-digit publisher codes stay as they are."""
    text = str(code).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return text.zfill(3) if text.isdigit() else text


def clean_name(name: object) -> str:
    """A publisher's label without its footnote marks and hierarchy indentation."""
    return re.sub(r"\s+", " ", str(name)).strip().rstrip("*").strip()


def name_key(name: str) -> str:
    text = unicodedata.normalize("NFKD", clean_name(name)).encode("ascii", "ignore").decode()
    text = text.casefold().replace("&", "and")
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def undesa_locations() -> list[tuple[str, str]]:
    with UNDESA_LOCATIONS.open(encoding="utf-8") as handle:
        return [(row["code"], row["name"]) for row in csv.DictReader(handle)]


def ensure_core_areas() -> dict[str, str]:
    """Make sure every M49 country and region is an Area; returns code -> kind for all areas.

    Loads the countries and M49 regions first if nobody has yet: they ship with the package,
    and a region must never be stored under a publisher's own code for want of them."""
    if not Country.objects.exists():
        load_countries()
    existing = dict(Area.objects.values_list("code", "kind"))
    new: list[Area] = []
    if WORLD not in existing:
        new.append(Area(code=WORLD, name="World", kind=AreaKind.WORLD))
    for region in Region.objects.all():
        if region.m49_code == M49_WORLD:
            continue  # publishers say 900 for the world; see ALIASES
        if region.m49_code not in existing:
            kind = LEVEL_TO_KIND.get(region.level, AreaKind.REGION)
            new.append(Area(code=region.m49_code, name=region.name, kind=kind))
    for country in Country.objects.all():
        if country.m49_code not in existing:
            new.append(
                Area(
                    code=country.m49_code,
                    name=country.name,
                    kind=AreaKind.COUNTRY,
                    alpha3=country.alpha3,
                )
            )
    for code, name in SPECIAL_AREAS.items():
        if code not in existing:
            new.append(Area(code=code, name=name, kind=AreaKind.OTHER))
    for code, name in EXTRA_COUNTRIES.items():
        if code not in existing:
            new.append(Area(code=code, name=name, kind=AreaKind.COUNTRY))
    Area.objects.bulk_create(new, ignore_conflicts=True)
    existing.update({area.code: area.kind for area in new})
    return existing


class AreaResolver:
    """Turns publishers' codes and names into area codes, with suggestions when it cannot."""

    def __init__(self) -> None:
        self.kinds = ensure_core_areas()
        self.new_areas: dict[str, tuple[str, str]] = {}

    def _known(self, code: str, name: str) -> str:
        """`code`, remembered as a new area to create if the database does not have it yet."""
        if code not in self.kinds and code not in self.new_areas:
            kind = AreaKind.COUNTRY if code.isdigit() and int(code) < 900 else AreaKind.GROUP
            self.new_areas[code] = (clean_name(name), kind)
        return code

    @cached_property
    def by_alpha3(self) -> dict[str, str]:
        codes = {
            area.alpha3: area.code
            for area in Area.objects.exclude(alpha3="").only("alpha3", "code")
        }
        codes.update({code: code for code in SPECIAL_AREAS})
        codes.update({alias: code for alias, code in ALPHA3_ALIASES.items() if code in self.kinds})
        return codes

    @cached_property
    def by_name(self) -> dict[str, str]:
        index: dict[str, str] = {}

        def add(name: str | None, code: str) -> None:
            if name:
                index.setdefault(name_key(name), code)

        for code, name in Area.objects.values_list("code", "name"):
            add(name, code)
        for code, name in undesa_locations():
            add(name, UNDESA_REGION_TO_M49.get(code, code))
        for country in pycountry.countries:
            code = country.numeric
            for attribute in ("name", "official_name", "common_name"):
                add(getattr(country, attribute, None), code)
        return index

    def from_name(self, name: str) -> str | None:
        code = self.by_name.get(name_key(name))
        return self._known(code, name) if code else None

    def suggestions(self, name: str) -> list[str]:
        keys = difflib.get_close_matches(name_key(name), list(self.by_name), n=3, cutoff=0.6)
        names = dict(
            Area.objects.filter(code__in=[self.by_name[k] for k in keys]).values_list(
                "code", "name"
            )
        )
        return [f"{names.get(self.by_name[key], key)} ({self.by_name[key]})" for key in keys]

    def unknown_name_message(self, name: str) -> str:
        suggestions = self.suggestions(name)
        hint = f"; did you mean {' or '.join(suggestions)}?" if suggestions else ""
        return f"unknown country or area {name!r}{hint}"

    def from_code(self, code: object) -> str | None:
        """An M49 code (numeric) or an ISO alpha-3 code, as an area code."""
        text = str(code).strip()
        if not text:
            return None
        if text.replace(".0", "").isdigit():
            found = m49(text)
            found = UNDESA_REGION_TO_M49.get(found, found)
            found = ALIASES.get(found, found)
            return found if found in self.kinds else None
        return self.by_alpha3.get(text.upper())


def canonical_code(text: str) -> str:
    """The area code a user's code stands for: '4' -> '004', '001' or 'WLD' -> '900' (the
    world), 'KEN' -> '404', 'xxa' -> 'XXA'. A code that stands for nothing comes back as is."""
    text = text.strip()
    if text.isdigit():
        code = m49(text)
        return ALIASES.get(code, code)
    upper = text.upper()
    if upper in ALPHA3_ALIASES:
        return ALPHA3_ALIASES[upper]
    found = Area.objects.filter(alpha3=upper).values_list("code", flat=True).first()
    if found:
        return found
    return upper if Area.objects.filter(code=upper).exists() else text
