"""Every write to Hub resources: creating and editing them with their translations and metadata,
their files, and the editors' "needs update" flag and freshness date.

Each function runs in one transaction, checks the actor's permission (`require`), validates its
input (a ValidationError names the field), writes a `ResourceVersion` (a snapshot of the
metadata after the change, the basis of the visible diffs), records an audit event and
re-indexes the resource for search, so the index never disagrees with the data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Max, Model
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from migration_hub.core import audit, search
from migration_hub.core.choices import AuditAction
from migration_hub.core.models import Country, Region
from migration_hub.core.permissions import require
from migration_hub.core.services import ConflictError
from migration_hub.registry.models import FrameworkItem
from migration_hub.registry.models import Organization as RegistryOrganization

from .. import files as resource_files
from ..choices import Licence, ResourceKind
from ..models import (
    CallForPractices,
    Resource,
    ResourceFile,
    ResourceTranslation,
    ResourceVersion,
)
from ..permissions import is_hub_editor, is_owner_writer

MAX_TITLE = 300
MAX_SUMMARY = 20_000
MAX_AUTHORS = 50
MAX_AUTHOR = 200
MAX_NOTE = 300

OBJECTIVE_KIND = "objective"
PRINCIPLE_KIND = "guiding-principle"
THEME_KIND = "thematic-area"

# The metadata `update_resource` may change; anything else is refused by name.
EDITABLE_FIELDS = (
    "kind",
    "language",
    "translations",
    "authors",
    "publishers",
    "countries",
    "regions",
    "objectives",
    "is_general",
    "principles",
    "themes",
    "year",
    "licence",
    "link",
    "call",
)
SCALAR_FIELDS = ("kind", "language", "authors", "is_general", "year", "licence", "link", "call")
RELATED_FIELDS = ("publishers", "countries", "regions", "objectives", "principles", "themes")


class _Unchanged(Exception):
    """Raised inside a savepoint to undo an edit that changed nothing."""


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


def reject_nul(value: Any, field: str) -> None:
    """PostgreSQL stores no NUL character; refuse it with the field's name."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValidationError({field: _("Remove the null character (\\x00) from this text.")})
    elif isinstance(value, Mapping):
        for key, item in value.items():
            reject_nul(key, field)
            reject_nul(item, field)
    elif isinstance(value, list | tuple):
        for item in value:
            reject_nul(item, field)


# --- Cleaning the input -----------------------------------------------------------------------


def clean_translations(value: Any) -> dict[str, dict[str, str]]:
    """{language: {"title", "summary"}} checked: UN languages only, a title in each."""
    if not isinstance(value, Mapping) or not value:
        raise ValidationError({"translations": _("Give the title in at least one language.")})
    codes = language_codes()
    result: dict[str, dict[str, str]] = {}
    for language, row in value.items():
        if language not in codes:
            raise ValidationError(
                {
                    "translations": _(
                        "%(language)s is not one of the languages of the Hub (%(codes)s)."
                    )
                    % {"language": str(language)[:20], "codes": ", ".join(codes)}
                }
            )
        if not isinstance(row, Mapping):
            raise ValidationError(
                {"translations": _("Give the title and summary of each language.")}
            )
        title = row.get("title") or ""
        summary = row.get("summary") or ""
        if not isinstance(title, str) or not isinstance(summary, str):
            raise ValidationError({"translations": _("Titles and summaries are texts.")})
        reject_nul(title, "translations")
        reject_nul(summary, "translations")
        title, summary = title.strip(), summary.strip()
        names = {"language": language_name(language)}
        if not title:
            raise ValidationError({"translations": _("Give the title in %(language)s.") % names})
        if len(title) > MAX_TITLE:
            raise ValidationError(
                {
                    "translations": _("Keep the title in %(language)s under %(count)s characters.")
                    % {**names, "count": MAX_TITLE}
                }
            )
        if len(summary) > MAX_SUMMARY:
            raise ValidationError(
                {
                    "translations": _(
                        "Keep the summary in %(language)s under %(count)s characters."
                    )
                    % {**names, "count": f"{MAX_SUMMARY:,}"}
                }
            )
        result[language] = {"title": title, "summary": summary}
    return dict(sorted(result.items()))


def clean_authors(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise ValidationError({"authors": _("Give the authors as a list of names.")})
    reject_nul(list(value), "authors")
    names = [item.strip() for item in value if item.strip()]
    if len(names) > MAX_AUTHORS:
        raise ValidationError(
            {"authors": _("Name at most %(count)s authors.") % {"count": MAX_AUTHORS}}
        )
    if any(len(name) > MAX_AUTHOR for name in names):
        raise ValidationError(
            {
                "authors": _("Keep each author's name under %(count)s characters.")
                % {"count": MAX_AUTHOR}
            }
        )
    return names


def _unknown(field: str, value: Any) -> ValidationError:
    return ValidationError(
        {field: _("%(value)s is not a known value here.") % {"value": str(value)[:60]}}
    )


def _framework_items(values: Iterable[Any], field: str, kind: str, prefix: str) -> list[Any]:
    """Items of one kind, given as items, codes ("GCM-O3") or numbers / letters ("3", "A")."""
    items: list[FrameworkItem] = []
    wanted: dict[str, Any] = {}
    for value in values or ():
        if isinstance(value, FrameworkItem):
            if value.kind != kind:
                raise _unknown(field, value.code)
            items.append(value)
            continue
        text = str(value).strip()
        if not text:
            continue
        code = text if text.upper().startswith(prefix.rstrip("-")) else f"{prefix}{text}"
        wanted[code.upper()] = value
    if wanted:
        # Theme numbers are written with two digits (MIGOF-TA-01); accept "1" as well.
        found = {
            item.code.upper(): item
            for item in FrameworkItem.objects.filter(kind=kind, code__in=list(wanted))
        }
        if kind == THEME_KIND:
            missing = [code for code in wanted if code not in found]
            padded = {
                f"{prefix}{int(code.removeprefix(prefix)):02d}": code
                for code in missing
                if code.removeprefix(prefix).isdigit()
            }
            for item in FrameworkItem.objects.filter(kind=kind, code__in=list(padded)):
                found[padded[item.code]] = item
        for code, value in wanted.items():
            if code not in found:
                raise _unknown(field, value)
            items.append(found[code])
    unique: dict[int, Any] = {}
    for item in items:
        unique.setdefault(item.pk, item)
    return list(unique.values())


def _lookup(
    values: Iterable[Any], field: str, model: type[Model], *keys: str, upper: bool = True
) -> list[Any]:
    """Rows of `model` given as rows or by one of `keys` (codes)."""
    rows: dict[Any, Any] = {}
    for value in values or ():
        if isinstance(value, model):
            rows.setdefault(value.pk, value)
            continue
        text = str(value).strip()
        if not text:
            continue
        text = text.upper() if upper else text
        match = None
        for key in keys:
            match = model._default_manager.filter(**{key: text}).first()
            if match is not None:
                break
        if match is None:
            raise _unknown(field, value)
        rows.setdefault(match.pk, match)
    return list(rows.values())


def _call(value: Any) -> CallForPractices | None:
    if value in (None, ""):
        return None
    if isinstance(value, CallForPractices):
        return value
    call = CallForPractices.objects.filter(pk=int(value)).first() if str(value).isdigit() else None
    if call is None:
        raise _unknown("call", value)
    return call


def check_call_open(call: CallForPractices, *, field: str = "call") -> None:
    """A practice goes to a call only while it is open; the message gives the dates."""
    today = timezone.localdate()
    if today > call.deadline:
        raise ValidationError(
            {
                field: _(
                    "The call “%(title)s” closed on %(deadline)s: practices can no longer be "
                    "submitted to it."
                )
                % {"title": call.title, "deadline": formats.date_format(call.deadline)}
            }
        )
    if today < call.opens_on:
        raise ValidationError(
            {
                field: _(
                    "The call “%(title)s” opens on %(opens)s: submit the practice to it from "
                    "then until %(deadline)s."
                )
                % {
                    "title": call.title,
                    "opens": formats.date_format(call.opens_on),
                    "deadline": formats.date_format(call.deadline),
                }
            }
        )


def clean_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The given metadata, checked and resolved to rows; ValidationError names the field."""
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name == "translations":
            cleaned[name] = clean_translations(value)
        elif name == "authors":
            cleaned[name] = clean_authors(value)
        elif name == "objectives":
            cleaned[name] = _framework_items(value, name, OBJECTIVE_KIND, "GCM-O")
        elif name == "principles":
            cleaned[name] = _framework_items(value, name, PRINCIPLE_KIND, "GCM-GP-")
        elif name == "themes":
            cleaned[name] = _framework_items(value, name, THEME_KIND, "MIGOF-TA-")
        elif name == "countries":
            cleaned[name] = _lookup(value, name, Country, "alpha3", "alpha2")
        elif name == "regions":
            cleaned[name] = _lookup(value, name, Region, "m49_code")
        elif name == "publishers":
            cleaned[name] = _lookup(value, name, RegistryOrganization, "code")
        elif name == "call":
            cleaned[name] = _call(value)
        elif name == "kind":
            if value not in ResourceKind.values:
                raise ValidationError(
                    {"kind": _("Choose one of: %(values)s.") % {"values": ", ".join(ResourceKind)}}
                )
            cleaned[name] = value
        elif name == "language":
            if value not in language_codes():
                raise ValidationError(
                    {
                        "language": _("Choose one of: %(values)s.")
                        % {"values": ", ".join(language_codes())}
                    }
                )
            cleaned[name] = value
        elif name == "licence":
            if value not in Licence.values:
                raise ValidationError(
                    {"licence": _("Choose one of: %(values)s.") % {"values": ", ".join(Licence)}}
                )
            cleaned[name] = value
        elif name == "link":
            value = value or ""
            if not isinstance(value, str):
                raise ValidationError({"link": _("Give the link as a web address.")})
            reject_nul(value, name)
            cleaned[name] = value.strip()
        elif name == "is_general":
            cleaned[name] = bool(value)
        elif name == "year":
            if value in (None, ""):
                cleaned[name] = None
            elif isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
                cleaned[name] = int(value)
            else:
                raise ValidationError({"year": _("Give the year as a number such as 2024.")})
        else:
            raise ValidationError({name: _("Unknown or read-only field.")})
    return cleaned


def _check_together(
    language: str, translations: Mapping[str, Any], objectives: list, general: bool
):
    if language not in translations:
        raise ValidationError(
            {
                "translations": _(
                    "Give the title in %(language)s, the original language of the resource."
                )
                % {"language": language_name(language)}
            }
        )
    if general and objectives:
        raise ValidationError(
            {
                "is_general": _(
                    "A resource about the GCM as a whole names no single objective: untick "
                    "“general” or remove the objectives."
                )
            }
        )


def check_organization(actor: Any, organization: Any) -> None:
    """People submit for an organization where they write (editors of the Hub for any)."""
    if actor is None or actor.is_superuser or is_hub_editor(actor):
        return
    if not is_owner_writer(actor, Resource(organization=organization)):
        raise ValidationError(
            {
                "organization": _(
                    "You may submit only for an organization where you are a contributor, "
                    "editor or administrator."
                )
            }
        )


# --- Snapshots and versions -------------------------------------------------------------------


def _codes(queryset: Any, field: str) -> list[str]:
    return [getattr(row, field) for row in queryset]


def resource_snapshot(resource: Resource) -> dict[str, Any]:
    """The resource's metadata as plain JSON: what a version stores and diffs compare."""
    return {
        "kind": resource.kind,
        "language": resource.language,
        "translations": {
            row.language: {"title": row.title, "summary": row.summary}
            for row in ResourceTranslation.objects.filter(resource=resource).order_by("language")
        },
        "authors": list(resource.authors or []),
        "publishers": sorted(_codes(resource.publishers.all(), "code")),
        "countries": sorted(_codes(resource.countries.all(), "alpha3")),
        "regions": sorted(_codes(resource.regions.all(), "m49_code")),
        "objectives": _codes(resource.objectives.order_by("position", "code"), "code"),
        "is_general": resource.is_general,
        "principles": _codes(resource.principles.order_by("position", "code"), "code"),
        "themes": _codes(resource.themes.order_by("position", "code"), "code"),
        "year": resource.year,
        "licence": resource.licence,
        "link": resource.link,
        "call": resource.call_id,
        "files": [
            {"name": row.name, "size": row.size, "language": row.language}
            for row in ResourceFile.objects.filter(resource=resource).order_by("created_at", "id")
        ],
        "needs_update": resource.needs_update,
        "checked_on": resource.checked_on.isoformat() if resource.checked_on else None,
    }


def _record_version(resource: Resource, actor: Any, note: str = "") -> ResourceVersion:
    last = resource.versions.aggregate(last=Max("number"))["last"] or 0
    return ResourceVersion.objects.create(
        resource=resource,
        number=last + 1,
        data=resource_snapshot(resource),
        note=(note or "").strip()[:MAX_NOTE],
        created_by=_user(actor),
    )


def _bump(resource: Resource) -> None:
    """One more change to the resource: its version (seen by open edit forms) goes up."""
    Resource.objects.filter(pk=resource.pk).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    resource.refresh_from_db(fields=["version", "updated_at"])


def _finish(
    actor: Any,
    resource: Resource,
    *,
    action: str,
    before: Mapping[str, Any],
    note: str = "",
    metadata: Mapping[str, Any] | None = None,
) -> ResourceVersion:
    """What every change ends with: a version, an audit event, the search index."""
    version = _record_version(resource, actor, note)
    audit.record(
        actor,
        action,
        resource,
        changes=audit.diff(before, version.data),
        organization_id=resource.organization_id,
        metadata={"version": version.number, **(metadata or {})},
    )
    search.index_object(resource)
    return version


def _apply(resource: Resource, values: Mapping[str, Any]) -> None:
    for name in SCALAR_FIELDS:
        if name in values:
            setattr(resource, name, values[name])
    resource.full_clean()
    resource.save()
    for name in RELATED_FIELDS:
        if name in values:
            getattr(resource, name).set(values[name])
    if "translations" in values:
        wanted = values["translations"]
        ResourceTranslation.objects.filter(resource=resource).exclude(
            language__in=list(wanted)
        ).delete()
        for language, row in wanted.items():
            ResourceTranslation.objects.update_or_create(
                resource=resource,
                language=language,
                defaults={"title": row["title"], "summary": row["summary"]},
            )


# --- Creating and editing ---------------------------------------------------------------------


@transaction.atomic
def create_resource(
    actor: Any,
    *,
    organization: Any,
    kind: str,
    language: str,
    translations: Mapping[str, Mapping[str, str]],
    authors: Iterable[str] = (),
    publishers: Iterable[Any] = (),
    countries: Iterable[Any] = (),
    regions: Iterable[Any] = (),
    objectives: Iterable[Any] = (),
    is_general: bool = False,
    principles: Iterable[Any] = (),
    themes: Iterable[Any] = (),
    year: int | None = None,
    licence: str = Licence.UNKNOWN,
    link: str = "",
    call: Any = None,
    is_sample: bool = False,
    note: str = "",
) -> Resource:
    """A new resource in draft, by `actor` for `organization`, with version 1, indexed."""
    require(actor, "knowledge.add_resource", Resource(organization=organization))
    check_organization(actor, organization)
    values = clean_values(
        {
            "kind": kind,
            "language": language,
            "translations": translations,
            "authors": list(authors),
            "publishers": publishers,
            "countries": countries,
            "regions": regions,
            "objectives": objectives,
            "is_general": is_general,
            "principles": principles,
            "themes": themes,
            "year": year,
            "licence": licence,
            "link": link,
            "call": call,
        }
    )
    _check_together(language, values["translations"], values["objectives"], values["is_general"])
    if values["call"] is not None:
        check_call_open(values["call"])
    user = _user(actor)
    resource = Resource(
        organization=organization,
        kind=values["kind"],
        language=values["language"],
        is_sample=is_sample,
        submitted_by=user,
        created_by=user,
    )
    _apply(resource, values)
    version = _record_version(resource, actor, note)
    audit.record(
        actor,
        AuditAction.CREATE,
        resource,
        changes={key: [None, value] for key, value in version.data.items()},
        organization_id=organization.pk,
        metadata={"version": version.number},
    )
    search.index_object(resource)
    return resource


@transaction.atomic
def update_resource(
    actor: Any, resource: Resource, *, expected_version: int, note: str = "", **changes: Any
) -> Resource:
    """Change a resource's metadata, if nobody changed it since the caller read
    `expected_version` (ConflictError otherwise; nothing is written). `translations`, when
    given, is the whole set: a language left out is removed. A change that changes nothing
    writes no version."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError({name: _("Unknown or read-only field.") for name in unknown})
    current = Resource.objects.select_for_update().filter(pk=resource.pk).first()
    if current is None:
        raise ConflictError(resource, expected_version, None)
    require(actor, "knowledge.change_resource", current)
    if current.version != expected_version:
        raise ConflictError(current, expected_version, current.version)
    reject_nul(note, "note")
    values = clean_values(changes)
    before = resource_snapshot(current)
    _check_together(
        values.get("language", current.language),
        values.get("translations", before["translations"]),
        values.get("objectives", before["objectives"]),
        values.get("is_general", current.is_general),
    )
    call = values.get("call")
    if call is not None and call.pk != current.call_id:
        check_call_open(call)
    try:
        with transaction.atomic():
            _apply(current, values)
            if resource_snapshot(current) == before:
                raise _Unchanged
            _bump(current)
            _finish(actor, current, action=AuditAction.UPDATE, before=before, note=note)
    except _Unchanged:
        return Resource.objects.get(pk=current.pk)
    return current


# --- Files ------------------------------------------------------------------------------------


@transaction.atomic
def add_file(
    actor: Any, resource: Resource, upload: UploadedFile, *, language: str = ""
) -> ResourceFile:
    """Store a PDF or Word file of the resource after checking its size and real type, with
    its text extracted for search. A file that fails a check is not stored."""
    current = Resource.objects.select_for_update().get(pk=resource.pk)
    require(actor, "knowledge.change_resource", current)
    if language and language not in language_codes():
        raise ValidationError(
            {"language": _("Choose one of: %(values)s.") % {"values": ", ".join(language_codes())}}
        )
    content_type, text = resource_files.check_upload(upload)
    before = resource_snapshot(current)
    name = (upload.name or "file").rsplit("/", 1)[-1][:200]
    row = ResourceFile(
        resource=current,
        name=name,
        size=upload.size,
        content_type=content_type,
        language=language,
        text=text,
        uploaded_by=_user(actor),
    )
    upload.seek(0)
    row.file.save(name, upload, save=False)
    try:
        row.save()
        _bump(current)
        _finish(
            actor,
            current,
            action=AuditAction.UPDATE,
            before=before,
            note=_("File %(name)s added.") % {"name": name},
            metadata={"file": row.pk},
        )
    except BaseException:
        # Nothing half-written: the stored copy goes with the rolled-back row.
        row.file.storage.delete(row.file.name)
        raise
    return row


def _delete_stored_file(storage: Any, name: str) -> None:
    storage.delete(name)


@transaction.atomic
def remove_file(actor: Any, file: ResourceFile) -> None:
    """Remove a file; the stored copy leaves storage once the transaction commits."""
    current = Resource.objects.select_for_update().get(pk=file.resource_id)
    require(actor, "knowledge.change_resource", current)
    row = ResourceFile.objects.filter(pk=file.pk).first()
    if row is None:
        return  # removed meanwhile: nothing left to do
    before = resource_snapshot(current)
    storage, name = row.file.storage, row.file.name
    row.delete()
    _bump(current)
    _finish(
        actor,
        current,
        action=AuditAction.UPDATE,
        before=before,
        note=_("File %(name)s removed.") % {"name": row.name},
    )
    if name:
        transaction.on_commit(partial(_delete_stored_file, storage, name), robust=True)


# --- Freshness --------------------------------------------------------------------------------


@transaction.atomic
def set_needs_update(actor: Any, resource: Resource, needs_update: bool) -> Resource:
    """An editor flags a resource as out of date (or clears the flag); readers see a notice."""
    current = Resource.objects.select_for_update().get(pk=resource.pk)
    require(actor, "knowledge.edit_hub", current)
    if current.needs_update == bool(needs_update):
        return current
    before = resource_snapshot(current)
    current.needs_update = bool(needs_update)
    current.save(update_fields=["needs_update"])
    _bump(current)
    _finish(
        actor,
        current,
        action=AuditAction.UPDATE,
        before=before,
        note=_("Marked as needing an update.") if needs_update else _("Marked as up to date."),
    )
    return current


@transaction.atomic
def mark_checked(actor: Any, resource: Resource) -> Resource:
    """An editor confirms today that the content was checked (the "last checked" date)."""
    current = Resource.objects.select_for_update().get(pk=resource.pk)
    require(actor, "knowledge.edit_hub", current)
    today = timezone.localdate()
    if current.checked_on == today:
        return current
    before = resource_snapshot(current)
    current.checked_on = today
    current.save(update_fields=["checked_on"])
    _bump(current)
    _finish(actor, current, action=AuditAction.UPDATE, before=before, note=_("Content checked."))
    return current
