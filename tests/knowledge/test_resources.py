"""Hub resources through their services: translations and metadata, a version for every change
with a visible diff, the stale-version check, files (PDF and Word only, real type, size, text
extracted for search), the editors' "needs update" flag and freshness date."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from migration_hub.core import search
from migration_hub.core.choices import AuditAction
from migration_hub.core.models import AuditEvent
from migration_hub.core.services import ConflictError
from migration_hub.knowledge import diffs
from migration_hub.knowledge.choices import Licence, ResourceStatus
from migration_hub.knowledge.models import (
    CallForPractices,
    Resource,
    ResourceFile,
    ResourceTranslation,
    ResourceVersion,
)
from migration_hub.knowledge.services import resources as services

MB = 1024 * 1024


def make_pdf(text: str) -> bytes:
    """A small, valid one-page PDF whose page reads `text`."""
    stream = f"BT /F1 12 Tf 72 712 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def make_docx(*paragraphs: str) -> bytes:
    from docx import Document

    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_encrypted_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def stored_files(path) -> list:
    return [item for item in path.rglob("*") if item.is_file()]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def practice(author, organization, objectives, themes, principles, countries):
    return services.create_resource(
        author,
        organization=organization,
        kind="practice",
        language="en",
        translations={
            "en": {"title": "Seasonal worker scheme", "summary": "Visas for harvest work."},
            "fr": {"title": "Programme de travail saisonnier", "summary": "Des visas."},
        },
        authors=["Amina Diallo", "Jorge Pérez"],
        countries=["KEN", "SN"],
        objectives=[objectives[5], "GCM-O6"],
        principles=["A"],
        themes=["MIGOF-TA-03"],
        year=2023,
        licence=Licence.CC_BY,
        link="https://example.org/scheme",
        note="First draft",
    )


# --- Creating ---------------------------------------------------------------------------------


def test_create_resource_stores_translations_metadata_version_audit_and_index(
    practice, author, organization
):
    assert practice.status == ResourceStatus.DRAFT
    assert practice.submitted_by == author and practice.organization == organization
    rows = {row.language: row for row in practice.translations.all()}
    assert set(rows) == {"en", "fr"}
    assert rows["fr"].title == "Programme de travail saisonnier"
    assert practice.authors == ["Amina Diallo", "Jorge Pérez"]
    assert sorted(practice.countries.values_list("alpha3", flat=True)) == ["KEN", "SEN"]
    assert sorted(practice.objectives.values_list("code", flat=True)) == ["GCM-O5", "GCM-O6"]
    assert list(practice.principles.values_list("code", flat=True)) == ["GCM-GP-A"]
    assert list(practice.themes.values_list("code", flat=True)) == ["MIGOF-TA-03"]
    version = practice.versions.get()
    assert version.number == 1 and version.note == "First draft"
    assert version.data["translations"]["en"]["title"] == "Seasonal worker scheme"
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, target_id=str(practice.pk)).exists()
    found = search.filter_queryset(Resource.objects.all(), "saisonnier")
    assert list(found) == [practice]


def test_title_reads_in_the_reader_language_first(practice):
    from django.utils import translation

    with translation.override("fr"):
        assert practice.title == "Programme de travail saisonnier"
    with translation.override("es"):
        assert practice.title == "Seasonal worker scheme"  # the original's


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"translations": {}}, "translations"),
        ({"translations": {"xx": {"title": "T"}}}, "translations"),
        ({"translations": {"en": {"title": "  "}}}, "translations"),
        ({"translations": {"fr": {"title": "Seulement en français"}}}, "translations"),
        ({"translations": {"en": {"title": "x" * 301}}}, "translations"),
        ({"translations": {"en": {"title": "Nul\x00"}}}, "translations"),
        ({"kind": "poem"}, "kind"),
        ({"licence": "mine"}, "licence"),
        ({"objectives": ["GCM-O99"]}, "objectives"),
        ({"principles": ["GCM-O1"]}, "principles"),
        ({"countries": ["XXX"]}, "countries"),
        ({"year": 1800}, "year"),
        ({"year": "soon"}, "year"),
        ({"link": "javascript:alert(1)"}, "link"),
        ({"authors": [1, 2]}, "authors"),
        ({"objectives": ["GCM-O1"], "is_general": True}, "is_general"),
    ],
)
def test_bad_metadata_is_refused_naming_the_field_and_nothing_is_written(
    author, organization, objectives, principles, countries, changes, field
):
    arguments = {
        "organization": organization,
        "kind": "publication",
        "language": "en",
        "translations": {"en": {"title": "A title"}},
        **changes,
    }
    with pytest.raises(ValidationError) as error:
        services.create_resource(author, **arguments)
    assert field in error.value.message_dict
    assert not Resource.objects.exists() and not ResourceVersion.objects.exists()


def test_only_writers_of_the_organization_create_resources(
    organization, other_organization, author, colleague, make_member
):
    with pytest.raises(PermissionDenied):
        services.create_resource(
            colleague,  # a viewer
            organization=organization,
            kind="tool",
            language="en",
            translations={"en": {"title": "A tool"}},
        )
    with pytest.raises(ValidationError) as error:
        services.create_resource(
            author,
            organization=other_organization,
            kind="tool",
            language="en",
            translations={"en": {"title": "A tool"}},
        )
    assert "organization" in error.value.message_dict
    assert not Resource.objects.exists()


def test_general_resources_and_publishers_from_the_registry(author, organization):
    from migration_hub.registry.models import Organization as RegistryOrganization

    iom = RegistryOrganization.objects.create(
        code="IOM", name="International Organization for Migration", kind="igo", source="x"
    )
    resource = services.create_resource(
        author,
        organization=organization,
        kind="guidance",
        language="es",
        translations={"es": {"title": "Guía", "summary": ""}},
        is_general=True,
        publishers=["IOM"],
    )
    assert resource.is_general and list(resource.publishers.all()) == [iom]


# --- Updating, versions and diffs -------------------------------------------------------------


def test_update_writes_a_new_version_and_the_history_shows_the_line_diff(practice, author):
    updated = services.update_resource(
        author,
        practice,
        expected_version=practice.version,
        note="Better title",
        translations={
            "en": {"title": "Seasonal worker visa scheme", "summary": "Visas for harvest work."},
            "es": {"title": "Programa de trabajo temporal", "summary": ""},
        },
        year=2024,
    )
    assert updated.version == practice.version + 1
    assert [v.number for v in updated.versions.all()] == [2, 1]
    assert set(updated.translations.values_list("language", flat=True)) == {"en", "es"}
    rows = diffs.history(updated)
    assert rows[0].version.number == 2 and rows[0].version.note == "Better title"
    changed = {(line.kind, line.text) for line in rows[0].lines}
    assert ("removed", "Title (English): Seasonal worker scheme") in changed
    assert ("added", "Title (English): Seasonal worker visa scheme") in changed
    assert ("added", "Title (Spanish): Programa de trabajo temporal") in changed
    assert ("removed", "Title (French): Programme de travail saisonnier") in changed
    assert ("removed", "Year: 2023") in changed and ("added", "Year: 2024") in changed
    assert all(line.kind == "added" for line in rows[1].lines)  # the first version
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, target_id=str(practice.pk))
    assert event.get().changes["year"] == [2023, 2024]
    # The search index follows: the new Spanish title is found, the removed French one not.
    assert list(search.filter_queryset(Resource.objects.all(), "temporal")) == [updated]
    assert not search.filter_queryset(Resource.objects.all(), "saisonnier").exists()


def test_a_stale_version_is_refused_and_nothing_is_written(practice, author):
    services.update_resource(author, practice, expected_version=practice.version, year=2020)
    with pytest.raises(ConflictError):
        services.update_resource(
            author,
            practice,
            expected_version=practice.version,  # the version read before the first update
            translations={"en": {"title": "Overwritten", "summary": ""}},
        )
    practice.refresh_from_db()
    assert practice.title == "Seasonal worker scheme" and practice.year == 2020
    assert practice.versions.count() == 2


def test_an_update_changing_nothing_writes_no_version(practice, author):
    same = services.update_resource(author, practice, expected_version=practice.version, year=2023)
    assert same.version == practice.version and same.versions.count() == 1


def test_unknown_fields_are_refused(practice, author):
    with pytest.raises(ValidationError) as error:
        services.update_resource(
            author, practice, expected_version=practice.version, status="published"
        )
    assert "status" in error.value.message_dict


def test_author_cannot_edit_once_submitted_but_the_hub_editor_can(practice, author, hub_editor):
    Resource.objects.filter(pk=practice.pk).update(status=ResourceStatus.SUBMITTED)
    practice.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.update_resource(author, practice, expected_version=practice.version, year=2021)
    services.update_resource(hub_editor, practice, expected_version=practice.version, year=2021)


def test_a_closed_call_is_refused_with_its_deadline(author, organization, secretariat):
    from django.utils import formats

    today = timezone.localdate()
    closed = CallForPractices.objects.create(
        title="Practices on return",
        organization=secretariat,
        opens_on=today - timedelta(days=60),
        deadline=today - timedelta(days=1),
    )
    with pytest.raises(ValidationError) as error:
        services.create_resource(
            author,
            organization=organization,
            kind="practice",
            language="en",
            translations={"en": {"title": "Late practice"}},
            is_general=True,
            call=closed,
        )
    message = error.value.message_dict["call"][0]
    assert formats.date_format(closed.deadline) in message and "closed" in message
    assert not Resource.objects.exists()


# --- Freshness ----------------------------------------------------------------------------------


def test_editors_flag_needs_update_and_mark_checked_each_a_version(practice, hub_editor, author):
    with pytest.raises(PermissionDenied):
        services.set_needs_update(author, practice, True)
    flagged = services.set_needs_update(hub_editor, practice, True)
    assert flagged.needs_update
    checked = services.mark_checked(hub_editor, flagged)
    assert checked.checked_on == timezone.localdate()
    assert checked.versions.count() == 3
    history = diffs.history(checked)
    assert [(line.kind, line.text) for line in history[0].lines] == [
        ("added", f"Last checked: {timezone.localdate().isoformat()}")
    ]
    assert ("added", "Needs an update") in [(line.kind, line.text) for line in history[1].lines]


# --- Files --------------------------------------------------------------------------------------


def test_a_pdf_is_stored_and_its_text_is_searchable(practice, author, media):
    upload = SimpleUploadedFile("scheme.pdf", make_pdf("Ruritanian harvest visas"))
    row = services.add_file(author, practice, upload, language="en")
    assert row.content_type == "application/pdf" and "Ruritanian harvest visas" in row.text
    assert len(stored_files(media)) == 1
    found = search.filter_queryset(Resource.objects.all(), "ruritanian")
    assert list(found) == [practice]
    latest = practice.versions.first()
    assert latest.data["files"][0]["name"] == "scheme.pdf"


def test_a_docx_is_stored_and_its_text_is_searchable(practice, author, media):
    upload = SimpleUploadedFile("guide.docx", make_docx("Borderland reception centres"))
    row = services.add_file(author, practice, upload)
    assert row.content_type.endswith("wordprocessingml.document")
    assert "Borderland reception centres" in row.text
    assert list(search.filter_queryset(Resource.objects.all(), "borderland")) == [practice]


def test_a_file_named_pdf_that_is_not_a_pdf_is_refused_naming_it(practice, author, media):
    upload = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 a program, not a PDF")
    with pytest.raises(ValidationError) as error:
        services.add_file(author, practice, upload)
    assert "plan.pdf is not a real PDF file" in error.value.message_dict["file"][0]
    assert not ResourceFile.objects.exists() and not stored_files(media)
    assert practice.versions.count() == 1


def test_a_word_file_that_unpacks_to_a_bomb_is_refused_before_it_is_read(practice, author, media):
    """A 'zip bomb': a small upload whose document.xml unpacks to 150 MB of blanks."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(make_docx("Reception centres")))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + b" " * (150 * 1024 * 1024))
            archive.writestr(member, data, compress_type=zipfile.ZIP_DEFLATED)
    assert len(bomb.getvalue()) < 1024 * 1024
    upload = SimpleUploadedFile("plan.docx", bomb.getvalue())
    with pytest.raises(ValidationError) as error:
        services.add_file(author, practice, upload)
    assert "plan.docx unpacks to far more" in error.value.message_dict["file"][0]
    assert not ResourceFile.objects.exists() and not stored_files(media)


def test_other_types_are_refused(practice, author, media):
    for name, content in (("photo.png", b"\x89PNG\r\n\x1a\n"), ("table.xlsx", b"PK\x03\x04")):
        with pytest.raises(ValidationError) as error:
            services.add_file(author, practice, SimpleUploadedFile(name, content))
        assert "PDF or a Word" in error.value.message_dict["file"][0]
    assert not ResourceFile.objects.exists() and not stored_files(media)


def test_a_file_over_the_limit_is_refused_naming_the_limit(practice, author, media, settings):
    settings.KNOWLEDGE_FILE_MAX_BYTES = 1 * MB
    upload = SimpleUploadedFile("big.pdf", make_pdf("x") + b"0" * (2 * MB))
    with pytest.raises(ValidationError) as error:
        services.add_file(author, practice, upload)
    message = error.value.message_dict["file"][0]
    assert "big.pdf" in message and "limited to 1 MB" in message
    assert not ResourceFile.objects.exists() and not stored_files(media)


def test_the_default_limit_is_20_mb(settings):
    from migration_hub.knowledge import files

    if hasattr(settings, "KNOWLEDGE_FILE_MAX_BYTES"):
        del settings.KNOWLEDGE_FILE_MAX_BYTES
    assert files.max_bytes() == 20 * MB


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("broken.pdf", b"%PDF-1.7\n garbage without objects", "could not be read"),
        ("cut.pdf", make_pdf("cut short")[:120], "could not be read"),
        ("locked.pdf", make_encrypted_pdf(), "protected by a password"),
        ("broken.docx", b"PK\x03\x04 not really a zip archive", "could not be read"),
    ],
)
def test_corrupt_or_locked_files_get_a_clear_error_and_nothing_is_stored(
    practice, author, media, name, content, words
):
    with pytest.raises(ValidationError) as error:
        services.add_file(author, practice, SimpleUploadedFile(name, content))
    message = error.value.message_dict["file"][0]
    assert name in message and words in message
    assert not ResourceFile.objects.exists() and not stored_files(media)


def test_remove_file_drops_it_from_storage_and_search(
    practice, author, media, django_capture_on_commit_callbacks
):
    row = services.add_file(
        author, practice, SimpleUploadedFile("a.pdf", make_pdf("Zanzibarian ferries"))
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_file(author, row)
    assert not ResourceFile.objects.exists() and not stored_files(media)
    assert not search.filter_queryset(Resource.objects.all(), "zanzibarian").exists()
    assert practice.versions.count() == 3


def test_someone_from_another_organization_cannot_add_files(
    practice, media, make_member, other_organization
):
    from migration_hub.core.choices import Role

    outsider = make_member(Role.CONTRIBUTOR, other_organization, username="outsider")
    with pytest.raises(PermissionDenied):
        services.add_file(outsider, practice, SimpleUploadedFile("a.pdf", make_pdf("x")))
    assert not stored_files(media)


def test_translations_are_rows_one_per_language(practice):
    assert ResourceTranslation.objects.filter(resource=practice).count() == 2
