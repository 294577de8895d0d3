"""JSON Schemas of the reference files in registry/reference/ (checked before anything loads)."""

from __future__ import annotations

from typing import Any

from .choices import (
    CrosswalkRelation,
    FrameworkItemKind,
    InstrumentKind,
    MembershipKind,
    MigrationMandate,
    NetworkKind,
    NetworkRole,
    OfficeKind,
    OrganizationKind,
    ParticipationAction,
    Scope,
)

CODE = {"type": "string", "pattern": r"^[A-Z0-9][A-Z0-9.-]{0,47}$"}
ALPHA3 = {"type": "string", "pattern": r"^[A-Z]{3}$"}
M49 = {"type": "string", "pattern": r"^[0-9]{3}$"}
DATE = {"type": "string", "format": "date"}
SOURCE = {"type": "string", "minLength": 4, "maxLength": 500}
TEXT = {"type": "string"}
YEAR = {"type": "integer", "minimum": 1800, "maximum": 2100}
LANGUAGES = ["ar", "zh-hans", "en", "fr", "ru", "es"]


def enum(choices: Any) -> dict[str, Any]:
    return {"type": "string", "enum": list(choices.values)}


def record(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {**properties, "source": SOURCE, "__line__": {"type": "integer"}},
        "required": [*required, "source"],
        "additionalProperties": False,
    }


ORGANIZATION = record(
    {
        "code": CODE,
        "acronym": TEXT,
        "name": TEXT,
        "names": {
            "type": "object",
            "propertyNames": {"enum": LANGUAGES},
            "additionalProperties": {"type": "string"},
        },
        "kind": enum(OrganizationKind),
        "founding_instrument": CODE,
        "founded_year": YEAR,
        "headquarters": {
            "type": "object",
            "properties": {"country": ALPHA3, "city": TEXT},
            "required": ["country"],
            "additionalProperties": False,
        },
        "migration_mandate": enum(MigrationMandate),
        "scope": enum(Scope),
        "regions": {"type": "array", "items": M49},
        "thematic_areas": {"type": "array", "items": CODE},
        "website": {"type": "string", "format": "uri"},
        "description": TEXT,
        "offices": {
            "type": "array",
            "items": record(
                {"country": ALPHA3, "city": TEXT, "kind": enum(OfficeKind)}, ["country"]
            ),
        },
        "facts": {
            "type": "array",
            "items": record(
                {"name": TEXT, "value": {"type": ["string", "integer"]}, "year": YEAR},
                ["name", "value", "year"],
            ),
        },
    },
    ["code", "name", "kind"],
)

MEMBERSHIP = record(
    {
        "organization": CODE,
        "country": ALPHA3,
        "member_organization": CODE,
        "kind": enum(MembershipKind),
        "start": DATE,
        "end": DATE,
    },
    ["organization"],
)

NETWORK = record(
    {
        "code": CODE,
        "name": TEXT,
        "kind": enum(NetworkKind),
        "established_year": YEAR,
        "region": M49,
        "country": ALPHA3,
        "parent": CODE,
        "description": TEXT,
        "members": {
            "type": "array",
            "items": record(
                {
                    "organization": CODE,
                    "roles": {"type": "array", "items": enum(NetworkRole), "uniqueItems": True},
                    "start": DATE,
                    "end": DATE,
                },
                ["organization"],
            ),
        },
    },
    ["code", "name", "kind"],
)

RIGHT = record({"code": CODE, "name": TEXT, "description": TEXT}, ["code", "name"])

INSTRUMENT = record(
    {
        "code": CODE,
        "title": TEXT,
        "short_title": TEXT,
        "kind": enum(InstrumentKind),
        "binding": {"type": "boolean"},
        "core_migration": {"type": "boolean"},
        "adopted": DATE,
        "entry_into_force": DATE,
        "symbol": TEXT,
        "parent": CODE,
        "adopted_by": CODE,
        "url": {"type": "string", "format": "uri"},
        "provisions": {
            "type": "array",
            "items": record(
                {"number": TEXT, "title": TEXT, "rights": {"type": "array", "items": CODE}},
                ["number"],
            ),
        },
    },
    ["code", "title", "kind", "binding"],
)

PARTICIPATION = record(
    {
        "country": ALPHA3,
        "instrument": CODE,
        "action": enum(ParticipationAction),
        "date": DATE,
        "reservations": TEXT,
    },
    ["country", "instrument", "action"],
)

FRAMEWORK = record(
    {
        "code": CODE,
        "name": TEXT,
        "instrument": CODE,
        "owner": CODE,
        "items": {
            "type": "array",
            "items": record(
                {
                    "code": CODE,
                    "kind": enum(FrameworkItemKind),
                    "number": {"type": ["string", "integer"]},
                    "title": TEXT,
                    "short_title": TEXT,
                    "parent": CODE,
                },
                ["code", "kind", "title"],
            ),
        },
    },
    ["code", "name", "items"],
)

CROSSWALK = record({"from": CODE, "to": CODE, "relation": enum(CrosswalkRelation)}, ["from", "to"])

# File name -> schema of each record in its `records` list, in loading order.
FILES: dict[str, dict[str, Any]] = {
    "rights.yaml": RIGHT,
    "organizations.yaml": ORGANIZATION,
    "instruments.yaml": INSTRUMENT,
    "frameworks.yaml": FRAMEWORK,
    "crosswalks.yaml": CROSSWALK,
    "memberships.yaml": MEMBERSHIP,
    "networks.yaml": NETWORK,
    "participations.yaml": PARTICIPATION,
}


def file_schema(record_schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "__line__": {"type": "integer"},
            "version": {"type": "string"},
            "description": TEXT,
            "records": {"type": "array", "items": record_schema},
        },
        "required": ["version", "records"],
        "additionalProperties": False,
    }
