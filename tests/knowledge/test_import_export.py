"""Bulk import of resources (CSV, JSON) with its row-level report, the Hub's exports, and the
`migration-hub knowledge` commands."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType

from migration_hub import cli
from migration_hub.core.choices import AuditAction, Role
from migration_hub.core.models import AuditEvent, SearchDocument
from migration_hub.knowledge import exports, importers
from migration_hub.knowledge.choices import ResourceStatus
from migration_hub.knowledge.models import Resource
from migration_hub.knowledge.services import connection, discussions, experts
from migration_hub.registry.models import Organization as RegistryOrganization

from ..factories import UserFactory

HEADER = [
    "kind",
    "language",
    "status",
    "title_en",
    "summary_en",
    "title_fr",
    "summary_fr",
    "authors",
    "publishers",
    "countries",
    "regions",
    "objectives",
    "principles",
    "themes",
    "year",
    "licence",
    "link",
    "organization",
]


def good_row(**changes: str) -> dict[str, str]:
    row = {
        "kind": "practice",
        "language": "en",
        "status": "",
        "title_en": "Firewall between labour inspection and immigration enforcement",
        "summary_en": "Workers report abuse without fear of deportation.",
        "title_fr": "Pare-feu entre inspection du travail et contrôle de l'immigration",
        "summary_fr": "Les travailleurs signalent les abus sans crainte.",
        "authors": "Ana Pérez; Smith, J.",
        "publishers": "IOM; ILO",
        "countries": "KEN; UG",
        "regions": "2",
        "objectives": "6, 16",
        "principles": "A; C",
        "themes": "MIGOF-TA-05; 7",
        "year": "2023",
        "licence": "CC BY 4.0",
        "link": "https://example.org/practice",
        "organization": "HOME",
    }
    row.update(changes)
    if not row["title_fr"] and "summary_fr" not in changes:
        row["summary_fr"] = ""
    return row


def write_csv(path: Path, rows: list[dict[str, str]], *, header=HEADER, encoding="utf-8-sig"):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


@pytest.fixture
def hub(db, countries, objectives, principles, themes, organization, other_organization):
    for code, name in [("IOM", "International Organization for Migration"), ("ILO", "ILO")]:
        RegistryOrganization.objects.create(
            code=code, acronym=code, name=name, kind="igo", source="https://example.org"
        )
    return organization


def problems_of(result) -> list[tuple[int, str, str]]:
    return [(problem.row, problem.column, problem.reason) for problem in result.problems]


# --- importing ----------------------------------------------------------------------------------


def test_a_good_csv_with_a_bom_imports_drafts_through_the_service(hub, tmp_path):
    path = write_csv(
        tmp_path / "practices.csv", [good_row(), good_row(title_en="Second", title_fr="")]
    )
    result = importers.import_resources(path)
    assert result.ok and not result.rejected, result.lines()
    assert len(result.imported) == 2
    resource = Resource.objects.get(translations__title__startswith="Firewall")
    assert resource.status == ResourceStatus.DRAFT
    assert resource.organization == hub
    assert resource.authors == ["Ana Pérez", "Smith, J."]
    assert sorted(o.code for o in resource.publishers.all()) == ["ILO", "IOM"]
    assert sorted(c.alpha3 for c in resource.countries.all()) == ["KEN", "UGA"]
    assert [r.m49_code for r in resource.regions.all()] == ["002"]
    assert sorted(i.code for i in resource.objectives.all()) == ["GCM-O16", "GCM-O6"]
    assert sorted(i.code for i in resource.principles.all()) == ["GCM-GP-A", "GCM-GP-C"]
    assert sorted(i.code for i in resource.themes.all()) == ["MIGOF-TA-05", "MIGOF-TA-07"]
    assert (resource.year, resource.licence) == (2023, "cc-by-4.0")
    assert sorted(t.language for t in resource.translations.all()) == ["en", "fr"]
    version = resource.versions.get()
    assert version.note == "Imported from practices.csv, row 2."
    assert SearchDocument.objects.filter(
        target_type=ContentType.objects.get_for_model(Resource), target_id=str(resource.pk)
    ).exists()
    assert result.summary() == (
        "2 resources imported from practices.csv (0 published, the others in draft)."
    )


def test_json_with_lists_and_a_published_status_from_the_system(hub, tmp_path):
    path = tmp_path / "resources.json"
    item = {
        "kind": "tool",
        "language": "fr",
        "status": "published",
        "title_fr": "Boîte à outils",
        "authors": ["A. Diallo", "B. Sow"],
        "countries": ["SEN"],
        "objectives": ["general"],
        "year": 2021,
        "organization": "home",
    }
    path.write_text(json.dumps({"resources": [item]}), encoding="utf-8")
    result = importers.import_resources(path, actor=None)
    assert result.ok, result.lines()
    resource = result.imported[0]
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.PUBLISHED
    assert resource.published_at is not None
    assert resource.peer_reviewed is False
    assert resource.is_general and not resource.objectives.exists()
    assert resource.authors == ["A. Diallo", "B. Sow"]
    assert result.published == 1


def test_only_hub_editors_import_published_resources(hub, tmp_path, author, hub_editor):
    path = write_csv(tmp_path / "p.csv", [good_row(status="published")])
    result = importers.import_resources(path, actor=author)
    assert result.rejected
    assert problems_of(result) == [
        (
            2,
            "status",
            "only the Hub's editors may import resources as published; leave it empty or "
            "write draft, and submit the resources for peer review",
        )
    ]
    assert not Resource.objects.exists()
    result = importers.import_resources(path, actor=hub_editor)
    assert result.ok and result.published == 1


def test_every_problem_is_reported_by_row_and_column_and_nothing_is_imported(hub, tmp_path):
    rows = [
        good_row(),
        good_row(
            title_en="Bad one",
            kind="book",
            countries="KEN; XXX",
            objectives="24",
            principles="K",
            themes="MIGOF-TA-99",
            year="20x1",
            licence="free",
            link="javascript:alert(1)",
        ),
        good_row(title_en="", summary_en="A summary without its title", language="en"),
        good_row(title_en="Other org", organization="NOPE", language="de"),
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    result = importers.import_resources(path)
    assert result.rejected and not result.imported
    found = problems_of(result)
    assert (
        3,
        "kind",
        "unknown kind 'book': use one of publication, practice, tool, guidance, "
        "training, dataset, policy, event",
    ) in found
    assert (3, "countries", "unknown code(s): 'XXX'") in found
    assert (
        3,
        "objectives",
        "unknown code(s): '24' (GCM objectives are 1 to 23, or “general”)",
    ) in found
    assert (
        3,
        "principles",
        "unknown code(s): 'K' (guiding principles are the letters A to J)",
    ) in found
    assert any(row == 3 and column == "themes" for row, column, _ in found)
    assert (3, "year", "give a year between 1900 and 2100") in found
    assert any(row == 3 and column == "licence" for row, column, _ in found)
    assert (3, "link", "give a full web address starting with https:// or http://") in found
    assert (4, "summary_en", "a summary needs a title in the same language (title_en)") in found
    assert (4, "title_en", "required: the title in the original language (en)") in found
    assert (
        5,
        "language",
        "the original language must be one of ar, zh-hans, en, fr, ru, es",
    ) in found
    assert (5, "organization", "no organization has the code 'NOPE'") in found
    assert not any(row == 2 for row, _, _ in found)
    assert not Resource.objects.exists()
    assert "bad.csv has 12 problems; nothing was imported" in result.summary()
    assert str(result.problems[0]).startswith("row 3, ")


def test_skip_invalid_imports_the_valid_rows_and_reports_the_rest(hub, tmp_path):
    rows = [good_row(), good_row(title_en="Bad", kind="book"), good_row(title_en="Third")]
    path = write_csv(tmp_path / "mixed.csv", rows)
    result = importers.import_resources(path, skip_invalid=True)
    assert not result.rejected
    assert len(result.imported) == 2
    assert result.skipped_rows == [3]
    assert [p.row for p in result.problems] == [3]
    assert "1 row with problems was skipped: 3." in result.summary()
    assert Resource.objects.count() == 2


def test_a_writer_imports_only_for_their_organization(hub, tmp_path, author):
    path = write_csv(
        tmp_path / "p.csv", [good_row(), good_row(title_en="Theirs", organization="OTHER")]
    )
    result = importers.import_resources(path, actor=author)
    assert problems_of(result) == [
        (3, "organization", "you are not a contributor, editor or administrator of OTHER")
    ]
    assert not Resource.objects.exists()


def test_wrong_encoding_says_which_line_and_how_to_fix_it(hub, tmp_path):
    path = write_csv(
        tmp_path / "latin.csv", [good_row(title_en="Protección de migrantes")], encoding="cp1252"
    )
    result = importers.import_resources(path)
    assert result.rejected
    (problem,) = result.problems
    assert problem.row == 0
    assert "byte 0xf3 on line 2 is not valid utf-8" in problem.reason
    assert "--encoding cp1252" in problem.reason
    result = importers.import_resources(path, encoding="cp1252")
    assert result.ok, result.lines()
    assert result.imported[0].title == "Protección de migrantes"


def test_utf16_from_a_spreadsheet_is_read(hub, tmp_path):
    path = write_csv(tmp_path / "u16.csv", [good_row(title_en="Über Grenzen")], encoding="utf-16")
    result = importers.import_resources(path)
    assert result.ok, result.lines()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty"),
        (b"  \n\n", "the file is empty"),
        (",".join(HEADER).encode() + b"\n", "the file has a header but no resources"),
        (b"\x00\x01\x02binary", "this is a binary file, not CSV or JSON text"),
    ],
)
def test_empty_and_unreadable_files(hub, tmp_path, content, reason):
    path = tmp_path / "file.csv"
    path.write_bytes(content)
    result = importers.import_resources(path)
    assert result.rejected
    assert problems_of(result) == [(0, "", reason)]


def test_missing_and_unknown_columns_are_named(hub, tmp_path):
    header = [column for column in HEADER if column not in ("kind", "organization")] + ["titel_en"]
    path = write_csv(tmp_path / "cols.csv", [good_row()], header=header)
    result = importers.import_resources(path)
    assert problems_of(result) == [
        (1, "kind", "required column missing"),
        (1, "organization", "required column missing"),
        (1, "titel_en", "unknown column (the columns are listed in docs/knowledge.md)"),
    ]
    path.write_text("kind,kind,language\npractice,tool,en\n", encoding="utf-8")
    result = importers.import_resources(path)
    assert problems_of(result) == [(0, "", "the header names a column twice: kind")]


def test_duplicate_rows_and_resources_already_in_the_hub(hub, tmp_path):
    path = write_csv(
        tmp_path / "dups.csv",
        [
            good_row(),
            good_row(title_en="  FIREWALL between labour inspection and immigration enforcement "),
        ],
    )
    result = importers.import_resources(path)
    assert problems_of(result) == [
        (3, "", "the same resource as row 2 (same organization, kind and title)")
    ]
    path = write_csv(tmp_path / "once.csv", [good_row()])
    assert importers.import_resources(path).ok
    again = importers.import_resources(path)
    assert problems_of(again) == [
        (2, "title_en", "HOME already has a resource with this title in the Hub")
    ]
    assert Resource.objects.count() == 1


def test_formula_looking_cells_are_refused_unless_escaped(hub, tmp_path):
    rows = [
        good_row(title_en='=HYPERLINK("http://evil.example","click")'),
        good_row(title_en="@SUM(1,2)"),
        good_row(title_en="'=Not a formula, kept as text"),
        good_row(title_en="+ plus sign title"),
        good_row(title_en="Fine", summary_en="-5 degrees at the border"),
    ]
    path = write_csv(tmp_path / "formulas.csv", rows)
    result = importers.import_resources(path)
    found = problems_of(result)
    assert {(row, column) for row, column, _ in found} == {
        (2, "title_en"),
        (3, "title_en"),
        (5, "title_en"),
        (6, "summary_en"),
    }
    assert "looks like a spreadsheet formula" in found[0][2]
    result = importers.import_resources(path, skip_invalid=True)
    assert [resource.title for resource in result.imported] == ["=Not a formula, kept as text"]


def test_html_in_a_title_is_stored_as_text(hub, tmp_path):
    path = write_csv(tmp_path / "html.csv", [good_row(title_en="<script>alert(1)</script> Guide")])
    result = importers.import_resources(path)
    assert result.ok
    assert result.imported[0].title == "<script>alert(1)</script> Guide"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"kind": "tool"}', 'a JSON file holds a list of resources, or {"resources": [...]}'),
        ("[1, 2", "not valid JSON at line 1, column 6"),
    ],
)
def test_bad_json_files(hub, tmp_path, text, reason):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    result = importers.import_resources(path)
    assert result.rejected
    assert result.problems[0].reason.startswith(reason)


def test_a_json_item_that_is_not_an_object(hub, tmp_path):
    path = tmp_path / "items.json"
    item = {key: value for key, value in good_row().items() if value}
    path.write_text(json.dumps([item, "oops", {**item, "title_en": {"nested": 1}}]), "utf-8")
    result = importers.import_resources(path)
    assert problems_of(result) == [
        (2, "", "each resource is a JSON object with the columns as keys"),
        (3, "title_en", "give a text, a number or a list, not an object"),
    ]


# --- exporting ----------------------------------------------------------------------------------


@pytest.fixture
def published(hub, tmp_path):
    rows = [
        good_row(status="published"),
        good_row(title_fr="", kind="tool", status="published", objectives="3", countries="SEN")
        | {"title_en": '\'=cmd|" /C calc"!A0'},
        good_row(title_en="Still a draft", title_fr=""),
    ]
    result = importers.import_resources(write_csv(tmp_path / "p.csv", rows))
    assert result.ok, result.lines()
    return result.imported


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_resource_csv_has_the_import_columns_and_neutralises_formulas(published):
    buffer = io.BytesIO()
    assert exports.write("resources", "csv", buffer) == 2
    rows = read_csv(buffer.getvalue())
    assert [row["title_en"] for row in rows] == [
        "Firewall between labour inspection and immigration enforcement",
        '\'=cmd|" /C calc"!A0',
    ]
    first = rows[0]
    assert first["authors"] == "Ana Pérez; Smith, J."
    assert first["countries"] == "KEN; UGA"
    assert first["objectives"] == "6; 16"
    assert first["principles"] == "A; C"
    assert first["themes"] == "MIGOF-TA-05; MIGOF-TA-07"
    assert first["title_fr"].startswith("Pare-feu")
    assert first["organization"] == "HOME"
    assert first["url"].endswith(f"/hub/resources/{published[0].pk}/")
    every = io.BytesIO()
    assert exports.write("resources", "csv", every, include_unpublished=True) == 3


def test_an_exported_file_imports_again(published, tmp_path):
    path = tmp_path / "export.json"
    exports.write("resources", "json", path, include_unpublished=True)
    records = json.loads(path.read_text("utf-8"))
    assert records[0]["authors"] == ["Ana Pérez", "Smith, J."]
    titles = sorted(r.title for r in published)
    Resource.objects.all().delete()
    result = importers.import_resources(path)
    assert result.ok, result.lines()
    assert sorted(r.title for r in Resource.objects.all()) == titles
    again = Resource.objects.get(translations__title__startswith="Firewall")
    assert sorted(i.code for i in again.themes.all()) == ["MIGOF-TA-05", "MIGOF-TA-07"]


def test_experts_export_lists_only_opted_in_experts_without_addresses(hub, objectives):
    listed = UserFactory(username="listed-expert", email="listed@example.org")
    experts.save_profile(
        None, user=listed, display_name="Listed Expert", objectives=[objectives[5]], opted_in=True
    )
    experts.save_profile(
        None, user=UserFactory(username="private-expert"), display_name="Private", opted_in=False
    )
    buffer = io.BytesIO()
    assert exports.write("experts", "json", buffer) == 1
    (record,) = json.loads(buffer.getvalue())
    assert record["name"] == "Listed Expert"
    assert record["objectives"] == ["5"]
    text = buffer.getvalue().decode()
    assert "example.org" not in text and "listed-expert" not in text


def test_demands_offers_and_visible_posts_are_exported(hub, make_member, hub_editor):
    writer = make_member(Role.CONTRIBUTOR, hub, username="writer")
    demand = connection.post_demand(
        writer,
        organization=hub,
        title="=1+1 demand",
        need="Training",
        country="KEN",
        objectives=[3],
    )
    connection.post_offer(writer, organization=hub, title="An offer", description="Help")
    buffer = io.BytesIO()
    exports.write("demands", "csv", buffer)
    (row,) = read_csv(buffer.getvalue())
    assert row["title"] == "'=1+1 demand"
    assert (row["country"], row["status"], row["objectives"]) == ("KEN", "open", "3")
    assert row["id"] == str(demand.pk)
    buffer = io.BytesIO()
    exports.write("offers", "json", buffer)
    assert json.loads(buffer.getvalue())[0]["countries"] == []

    space = discussions.create_space(None, title="Data", slug="data")
    thread = discussions.start_thread(writer, space, title="First", body="Visible post")
    hidden = discussions.reply(writer, thread, body="Spam to hide")
    discussions.hide_post(hub_editor, hidden, reason="spam")
    hidden_thread = discussions.start_thread(writer, space, title="Gone", body="In a hidden thread")
    discussions.hide_thread(hub_editor, hidden_thread, reason="off topic")
    buffer = io.BytesIO()
    assert exports.write("spaces", "csv", buffer) == 1
    (post,) = read_csv(buffer.getvalue())
    assert (post["space"], post["thread_title"], post["body"]) == ("data", "First", "Visible post")


def test_the_export_pages_honour_filters_and_are_audited(client, published, hub):
    response = client.get("/hub/export/resources.csv?kind=tool")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="hub-resources.csv"'
    rows = read_csv(b"".join(response.streaming_content))
    assert [row["kind"] for row in rows] == ["tool"]
    response = client.get("/hub/export/resources.json?objective=16&country=KEN")
    assert [r["id"] for r in response.json()] == [published[0].pk]
    response = client.get("/hub/export/resources.json?q=firewall")
    assert [r["id"] for r in response.json()] == [published[0].pk]
    assert client.get("/hub/export/secrets.csv").status_code == 404
    assert client.get("/hub/export/resources.xml").status_code == 404
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).first()
    assert event.metadata["list"] == "knowledge-resources"
    assert event.metadata["filters"] == ["q"]


def test_drafts_are_exported_only_to_those_who_may_read_them(client, published, author):
    anonymous = client.get("/hub/export/resources.json").json()
    assert len(anonymous) == 2
    client.force_login(author)
    own = client.get("/hub/export/resources.json").json()
    assert len(own) == 3


# --- the command line ---------------------------------------------------------------------------


def test_cli_import_reports_problems_and_exit_status(hub, tmp_path, capsys):
    bad = write_csv(tmp_path / "bad.csv", [good_row(), good_row(title_en="x", kind="book")])
    report = tmp_path / "report.csv"
    assert cli.main(["knowledge", "import", str(bad), "--report", str(report)]) == 1
    err = capsys.readouterr().err
    assert "bad.csv has 1 problem; nothing was imported. Fix it and run again" in err
    assert "row 3, kind: unknown kind 'book'" in err
    assert read_csv(report.read_bytes())[0] == {
        "row": "3",
        "column": "kind",
        "problem": "unknown kind 'book': use one of publication, practice, tool, guidance, "
        "training, dataset, policy, event",
    }
    assert not Resource.objects.exists()
    assert cli.main(["knowledge", "import", str(bad), "--skip-invalid"]) == 0
    out = capsys.readouterr().out
    assert "1 resource imported from bad.csv" in out
    assert "not imported: row 3, kind" in out
    assert cli.main(["knowledge", "import", str(tmp_path / "missing.csv")]) == 1
    assert "is not a file" in capsys.readouterr().err


def test_cli_export_alerts_and_digests(published, tmp_path, capsys):
    output = tmp_path / "resources.json"
    argv = ["knowledge", "export", "--what", "resources", "--format", "json", "--output"]
    assert cli.main([*argv, str(output)]) == 0
    assert "Exported resources: 2, written to" in capsys.readouterr().out
    assert len(json.loads(output.read_text("utf-8"))) == 2
    assert cli.main([*argv, str(tmp_path / "no" / "such" / "dir.json")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert cli.main(["knowledge", "alerts", "--frequency", "daily"]) == 0
    assert "daily alert e-mails sent" in capsys.readouterr().out
    assert cli.main(["knowledge", "digests", "--frequency", "weekly"]) == 0
    assert "weekly digest e-mails sent" in capsys.readouterr().out
    for command in ("alerts", "digests"):
        assert cli.main(["knowledge", command, "--frequency", "weekly", "--background"]) == 0
        assert "queued for the task worker" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["knowledge", "export", "--what", "secrets", "--format", "csv"])


def test_resource_exports_read_the_search_address(published, monkeypatch):
    def ids(params) -> list[int]:
        return [resource.pk for resource in exports.resources(params=params)]

    first, tool = published[0].pk, published[1].pk
    assert ids({"theme": "5", "q": "firewall"}) == [first]
    assert ids({"objective": ["3", "16"]}) == [first, tool]
    assert ids({"country": "SEN"}) == [tool]
    assert ids({"kind": "nonsense"}) == [first, tool]  # an unknown value is no filter
    # Without the search module's parse_filters, the plain filters apply.
    from migration_hub.knowledge import search

    monkeypatch.delattr(search, "parse_filters")
    assert ids({"theme": "5", "q": "firewall"}) == [first]
    assert ids({"objective": "general"}) == []
    assert ids({"country": "SN", "year": "2023"}) == [tool]
    assert ids({"reviewed": "true"}) == []
