from __future__ import annotations

from pathlib import Path

import pytest

from migration_hub.core.services import load_countries

S = "https://example.org/source"

MINIMAL = {
    "rights.yaml": f"""
version: "test"
records:
  - code: LEAVE-AND-RETURN
    name: Right to leave any country and to return
    source: {S}
  - code: NON-REFOULEMENT
    name: Non-refoulement
    source: {S}
""",
    "organizations.yaml": f"""
version: "test"
records:
  - code: UN
    name: United Nations
    kind: un
    source: {S}
  - code: IOM
    acronym: IOM
    name: International Organization for Migration
    kind: un-related
    founded_year: 1951
    founding_instrument: IOM-CONSTITUTION
    headquarters: {{country: CHE, city: Geneva}}
    migration_mandate: core
    scope: global
    thematic_areas: [MIGOF-TA-04]
    facts:
      - {{name: Member states, value: 173, year: 2020, source: {S}}}
    source: {S}
  - code: UNODC
    name: United Nations Office on Drugs and Crime
    kind: un-secretariat
    scope: global
    thematic_areas: [GCM-O10]
    source: {S}
  - code: EU
    name: European Union
    kind: union
    scope: regional
    regions: ["150"]
    source: {S}
""",
    "instruments.yaml": f"""
version: "test"
records:
  - code: UDHR
    title: Universal Declaration of Human Rights
    kind: declaration
    binding: false
    adopted: 1948-12-10
    adopted_by: UN
    provisions:
      - number: Article 13
        rights: [LEAVE-AND-RETURN]
        source: {S}
    source: {S}
  - code: REFUGEE-CONVENTION
    title: Convention relating to the Status of Refugees
    kind: convention
    binding: true
    core_migration: true
    adopted: 1951-07-28
    entry_into_force: 1954-04-22
    provisions:
      - number: Article 33
        rights: [NON-REFOULEMENT]
        source: {S}
    source: {S}
  - code: ICRMW
    title: International Convention on the Protection of the Rights of All Migrant Workers
    kind: convention
    binding: true
    core_migration: true
    adopted: 1990-12-18
    source: {S}
  - code: IOM-CONSTITUTION
    title: Constitution of the International Organization for Migration
    kind: constitution
    binding: true
    source: {S}
""",
    "frameworks.yaml": f"""
version: "test"
records:
  - code: GCM
    name: Global Compact for Migration
    instrument: ICRMW
    source: {S}
    items:
      - {{code: GCM-O10, kind: objective, number: 10, title: Prevent trafficking, source: {S}}}
      - {{code: GCM-O20, kind: objective, number: 20, title: Remittances, source: {S}}}
  - code: MIGOF
    name: Migration Governance Framework
    owner: IOM
    source: {S}
    items:
      - {{code: MIGOF-O1, kind: objective, number: 1, title: Well-being, source: {S}}}
      - {{code: MIGOF-TA-04, kind: thematic-area, title: Trafficking, parent: MIGOF-O1, source: {S}}}
  - code: SDG
    name: Sustainable Development Goals
    source: {S}
    items:
      - {{code: SDG-10, kind: goal, title: Reduced inequalities, source: {S}}}
      - {{code: SDG-10.C, kind: target, title: Remittance costs, parent: SDG-10, source: {S}}}
""",
    "crosswalks.yaml": f"""
version: "test"
records:
  - {{from: GCM-O10, to: MIGOF-TA-04, source: {S}}}
  - {{from: GCM-O20, to: SDG-10.C, source: {S}}}
""",
    "memberships.yaml": f"""
version: "test"
records:
  - {{organization: UN, country: MEX, start: 1945-11-07, source: {S}}}
  - {{organization: UN, country: VAT, kind: observer, source: {S}}}
  - {{organization: EU, country: DEU, start: 1958-01-01, source: {S}}}
  - {{organization: EU, country: GBR, start: 1973-01-01, end: 2020-01-31, source: {S}}}
""",
    "networks.yaml": f"""
version: "test"
records:
  - code: UNNM
    name: United Nations Network on Migration
    kind: global
    established_year: 2018
    source: {S}
    members:
      - {{organization: IOM, roles: [executive-committee, coordinator, secretariat], source: {S}}}
      - {{organization: UNODC, roles: [executive-committee], source: {S}}}
""",
    "participations.yaml": f"""
version: "test"
records:
  - {{country: MEX, instrument: ICRMW, action: ratification, date: 1999-03-08, source: {S}}}
  - {{country: MEX, instrument: REFUGEE-CONVENTION, action: accession, source: {S}}}
  - {{country: DEU, instrument: ICRMW, action: signature, source: {S}}}
""",
}


@pytest.fixture
def reference_dir(tmp_path: Path) -> Path:
    """A small but complete set of reference files; tests break one of them."""
    for name, text in MINIMAL.items():
        (tmp_path / name).write_text(text.lstrip(), encoding="utf-8")
    return tmp_path


@pytest.fixture
def world(db: None) -> None:
    load_countries()
