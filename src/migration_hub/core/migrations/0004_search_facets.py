"""Facets and a date in the search index.

SQLite: the FTS5 table gets a third column, `facets`, whose `name=value` tokens stay whole
(`tokenchars '=-.'`; title and body are stored normalised to letters, digits and spaces, so the
extra token characters never occur there), prefix indexes for 3, 4 and 5 characters (every
query word is a prefix: without them a short one merges the lists of every word it starts),
and an `fts5vocab` table lists the indexed words for "did you mean" suggestions. The table is
rebuilt from its content.

PostgreSQL: a stored generated `tsvector` column (title weighted A, body B) replaces the
expression index, so ranking reads the stored vector instead of parsing the text again, and a
GIN index over the facet tokens serves the filters.
"""

from django.db import migrations, models

SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS core_searchdocument_au",
    "DROP TRIGGER IF EXISTS core_searchdocument_ad",
    "DROP TRIGGER IF EXISTS core_searchdocument_ai",
    "DROP TABLE IF EXISTS core_searchdocument_fts",
    """CREATE VIRTUAL TABLE core_searchdocument_fts USING fts5(
        title, body, facets, content='core_searchdocument', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2 tokenchars '=-.'", prefix='3 4 5')""",
    """CREATE TRIGGER core_searchdocument_ai AFTER INSERT ON core_searchdocument BEGIN
        INSERT INTO core_searchdocument_fts(rowid, title, body, facets)
        VALUES (new.id, new.title, new.body, new.facets);
    END""",
    """CREATE TRIGGER core_searchdocument_ad AFTER DELETE ON core_searchdocument BEGIN
        INSERT INTO core_searchdocument_fts(core_searchdocument_fts, rowid, title, body, facets)
        VALUES ('delete', old.id, old.title, old.body, old.facets);
    END""",
    """CREATE TRIGGER core_searchdocument_au AFTER UPDATE ON core_searchdocument BEGIN
        INSERT INTO core_searchdocument_fts(core_searchdocument_fts, rowid, title, body, facets)
        VALUES ('delete', old.id, old.title, old.body, old.facets);
        INSERT INTO core_searchdocument_fts(rowid, title, body, facets)
        VALUES (new.id, new.title, new.body, new.facets);
    END""",
    "CREATE VIRTUAL TABLE core_searchdocument_vocab "
    "USING fts5vocab(core_searchdocument_fts, 'row')",
    "INSERT INTO core_searchdocument_fts(core_searchdocument_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TABLE IF EXISTS core_searchdocument_vocab",
    "DROP TRIGGER IF EXISTS core_searchdocument_au",
    "DROP TRIGGER IF EXISTS core_searchdocument_ad",
    "DROP TRIGGER IF EXISTS core_searchdocument_ai",
    "DROP TABLE IF EXISTS core_searchdocument_fts",
]
# The index of 0002, made again once the new columns are gone (removing a column remakes the
# table on SQLite, which drops its triggers).
SQLITE_RESTORE = [
    """CREATE VIRTUAL TABLE core_searchdocument_fts USING fts5(
        title, body, content='core_searchdocument', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER core_searchdocument_ai AFTER INSERT ON core_searchdocument BEGIN
        INSERT INTO core_searchdocument_fts(rowid, title, body)
        VALUES (new.id, new.title, new.body);
    END""",
    """CREATE TRIGGER core_searchdocument_ad AFTER DELETE ON core_searchdocument BEGIN
        INSERT INTO core_searchdocument_fts(core_searchdocument_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
    END""",
    """CREATE TRIGGER core_searchdocument_au AFTER UPDATE ON core_searchdocument BEGIN
        INSERT INTO core_searchdocument_fts(core_searchdocument_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO core_searchdocument_fts(rowid, title, body)
        VALUES (new.id, new.title, new.body);
    END""",
    "INSERT INTO core_searchdocument_fts(core_searchdocument_fts) VALUES ('rebuild')",
]
POSTGRESQL_FORWARD = [
    "DROP INDEX IF EXISTS core_searchdocument_fts",
    """ALTER TABLE core_searchdocument ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (
            setweight(to_tsvector('simple', title), 'A')
            || setweight(to_tsvector('simple', body), 'B')
        ) STORED""",
    "CREATE INDEX core_searchdocument_fts ON core_searchdocument USING GIN (search_vector)",
    "CREATE INDEX core_searchdocument_facets ON core_searchdocument "
    "USING GIN ((string_to_array(facets, ' ')))",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS core_searchdocument_facets",
    "DROP INDEX IF EXISTS core_searchdocument_fts",
    "ALTER TABLE core_searchdocument DROP COLUMN IF EXISTS search_vector",
]
POSTGRESQL_RESTORE = [
    "CREATE INDEX core_searchdocument_fts ON core_searchdocument "
    "USING GIN (to_tsvector('simple', title || ' ' || body))",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_action_data_loaded")]

    operations = [
        # Forward: nothing. Backward (run last): the 0002 index, on the table without facets.
        migrations.RunPython(
            migrations.RunPython.noop,
            _run({"sqlite": SQLITE_RESTORE, "postgresql": POSTGRESQL_RESTORE}),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="dated",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="facets",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AddIndex(
            model_name="searchdocument",
            index=models.Index(fields=["target_type", "updated_at"], name="core_search_changes"),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        ),
    ]
