"""The visible history of a resource: each saved version, with the lines that changed since the
version before (difflib), labelled in the reader's language."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from migration_hub.core.models import Country, Region
from migration_hub.registry.models import FrameworkItem
from migration_hub.registry.models import Organization as RegistryOrganization

from .choices import Licence, ResourceKind
from .models import CallForPractices, Resource, ResourceVersion


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "added" or "removed"
    text: str


@dataclass
class VersionRow:
    version: ResourceVersion
    lines: list[DiffLine] = field(default_factory=list)


@dataclass
class Labels:
    """Names for the codes a snapshot holds, read once for the whole history."""

    items: dict[str, str] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=dict)
    regions: dict[str, str] = field(default_factory=dict)
    publishers: dict[str, str] = field(default_factory=dict)
    calls: dict[int, str] = field(default_factory=dict)

    @classmethod
    def for_snapshots(cls, snapshots: list[Mapping[str, Any]]) -> Labels:
        def gather(key: str) -> set[Any]:
            return {value for data in snapshots for value in data.get(key) or []}

        codes = gather("objectives") | gather("principles") | gather("themes")
        calls = {data.get("call") for data in snapshots if data.get("call")}
        return cls(
            items={
                item.code: f"{item.code} {item.short_title or item.title}"
                for item in FrameworkItem.objects.filter(code__in=codes)
            },
            countries=dict(
                Country.objects.filter(alpha3__in=gather("countries")).values_list("alpha3", "name")
            ),
            regions=dict(
                Region.objects.filter(m49_code__in=gather("regions")).values_list(
                    "m49_code", "name"
                )
            ),
            publishers=dict(
                RegistryOrganization.objects.filter(code__in=gather("publishers")).values_list(
                    "code", "name"
                )
            ),
            calls=dict(CallForPractices.objects.filter(pk__in=calls).values_list("pk", "title")),
        )


def _choice(choices: Any, value: str) -> str:
    return str(dict(choices.choices).get(value, value))


def snapshot_lines(data: Mapping[str, Any], labels: Labels) -> list[str]:
    """A snapshot as lines of text, one fact per line, each named."""
    language_names = {code: str(name) for code, name in settings.LANGUAGES}
    lines = [
        _("Kind: %(value)s") % {"value": _choice(ResourceKind, data.get("kind", ""))},
        _("Original language: %(value)s")
        % {"value": language_names.get(data.get("language", ""), data.get("language", ""))},
    ]
    for code, row in sorted((data.get("translations") or {}).items()):
        names = {"language": language_names.get(code, code)}
        lines.append(_("Title (%(language)s): %(value)s") % {**names, "value": row.get("title")})
        for text in (row.get("summary") or "").splitlines():
            if text.strip():
                lines.append(_("Summary (%(language)s): %(value)s") % {**names, "value": text})

    def listed(key: str, label: str, names: Mapping[Any, str]) -> None:
        values = data.get(key) or []
        if values:
            lines.append(
                label % {"value": "; ".join(names.get(value, str(value)) for value in values)}
            )

    listed("authors", _("Authors: %(value)s"), {})
    listed("publishers", _("Publishing organizations: %(value)s"), labels.publishers)
    listed("countries", _("Countries: %(value)s"), labels.countries)
    listed("regions", _("Regions: %(value)s"), labels.regions)
    listed("objectives", _("GCM objectives: %(value)s"), labels.items)
    if data.get("is_general"):
        lines.append(_("About the GCM in general"))
    listed("principles", _("Guiding principles: %(value)s"), labels.items)
    listed("themes", _("MIGOF thematic areas: %(value)s"), labels.items)
    if data.get("year"):
        lines.append(_("Year: %(value)s") % {"value": data["year"]})
    lines.append(_("Licence: %(value)s") % {"value": _choice(Licence, data.get("licence", ""))})
    if data.get("link"):
        lines.append(_("Link: %(value)s") % {"value": data["link"]})
    if data.get("call"):
        lines.append(
            _("Call for practices: %(value)s")
            % {"value": labels.calls.get(data["call"], str(data["call"]))}
        )
    for row in data.get("files") or []:
        lines.append(_("File: %(value)s") % {"value": row.get("name", "")})
    if data.get("needs_update"):
        lines.append(_("Needs an update"))
    if data.get("checked_on"):
        lines.append(_("Last checked: %(value)s") % {"value": data["checked_on"]})
    return lines


def line_diff(before: list[str], after: list[str]) -> list[DiffLine]:
    """The lines removed and added between two lists of lines."""
    result = []
    for line in difflib.ndiff(before, after):
        code, text = line[:2], line[2:]
        if code == "+ ":
            result.append(DiffLine("added", text))
        elif code == "- ":
            result.append(DiffLine("removed", text))
    return result


def history(resource: Resource) -> list[VersionRow]:
    """Every version of the resource, newest first, each with what changed since the one
    before (the first: every line, as added)."""
    versions = list(resource.versions.select_related("created_by").order_by("number"))
    labels = Labels.for_snapshots([version.data for version in versions])
    rows = []
    previous: list[str] = []
    for version in versions:
        lines = snapshot_lines(version.data, labels)
        rows.append(VersionRow(version, line_diff(previous, lines)))
        previous = lines
    return list(reversed(rows))
