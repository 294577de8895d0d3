"""The one search interface, on whichever database the suite runs (SQLite FTS5 or PostgreSQL)."""

import pytest
from django.db import connection

from migration_hub.accounts.models import Organization
from migration_hub.core import search
from migration_hub.core.models import Country, SearchDocument
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def names(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


def test_search_ignores_case_and_accents_and_matches_word_prefixes(countries: dict) -> None:
    assert "Côte d'Ivoire" in names(search.filter_queryset(Country.objects.all(), "COTE"))
    assert "Germany" in names(search.filter_queryset(Country.objects.all(), "germ"))
    # ISO codes are indexed too.
    assert names(search.filter_queryset(Country.objects.all(), "KEN")) == {"Kenya"}


def test_every_word_must_match(countries: dict) -> None:
    found = names(search.filter_queryset(Country.objects.all(), "united kingdom"))
    assert any(name.startswith("United Kingdom") for name in found)
    assert "United States of America" not in found


def test_query_syntax_from_users_is_treated_as_words(countries: dict) -> None:
    # FTS5 and tsquery operators, quotes and stars must not raise or widen the match.
    for hostile in [
        '"',
        "kenya OR *",
        "NEAR(a b)",
        "ken'; DROP TABLE core_country; --",
        "a & | !b",
    ]:
        search.filter_queryset(Country.objects.all(), hostile).count()
    assert names(search.filter_queryset(Country.objects.all(), "kenya OR *")) == set()
    assert Country.objects.count() == 249


def test_a_query_without_words_leaves_the_list_unchanged(countries: dict) -> None:
    assert search.filter_queryset(Country.objects.all(), " ?! ").count() == 249


def test_index_follows_updates_and_deletes() -> None:
    organization = OrganizationFactory(name="Bureau of Labour Mobility")
    search.index_object(organization)
    assert names(search.filter_queryset(Organization.objects.all(), "mobility")) == {
        "Bureau of Labour Mobility"
    }
    organization.name = "Bureau of Diaspora Affairs"
    organization.save()
    search.index_object(organization)
    assert not search.filter_queryset(Organization.objects.all(), "mobility").exists()
    assert search.filter_queryset(Organization.objects.all(), "diaspora").exists()
    search.remove_object(organization)
    assert not search.filter_queryset(Organization.objects.all(), "diaspora").exists()


def test_search_is_scoped_to_the_model_searched(countries: dict) -> None:
    search.index_object(OrganizationFactory(name="Kenya Migration Office"))
    assert names(search.filter_queryset(Organization.objects.all(), "kenya")) == {
        "Kenya Migration Office"
    }
    assert names(search.filter_queryset(Country.objects.all(), "kenya")) == {"Kenya"}


def test_unregistered_model_is_refused() -> None:
    with pytest.raises(TypeError):
        search.filter_queryset(SearchDocument.objects.all(), "x")


def test_backend_index_exists_on_this_database() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'core_searchdocument_fts'")
        else:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE indexname = 'core_searchdocument_fts'"
            )
        assert cursor.fetchone() is not None


def test_lists_without_an_index_fall_back_to_their_search_fields(countries: dict) -> None:
    from migration_hub.core.models import Region

    found = search.search_queryset(Region.objects.all(), "africa", fallback_fields=["name"])
    assert "Sub-Saharan Africa" in names(found)
    assert search.search_queryset(Region.objects.all(), "africa").count() == Region.objects.count()


def test_nul_characters_in_a_query_are_ignored(countries: dict) -> None:
    from migration_hub.core.models import Region

    assert names(
        search.search_queryset(Region.objects.all(), "afr\x00ica", fallback_fields=["name"])
    )
    assert search.search_queryset(Country.objects.all(), "\x00").count() == 249
