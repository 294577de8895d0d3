"""The Hub's one search box (`knowledge.search.hub_search`), on whichever database the suite
runs: what each person finds, facets and their counts, snippets, the reader's language,
sorting, suggestions for typos, and hostile input that must never raise."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict
from django.utils import timezone

from migration_hub.core import search as core_search
from migration_hub.knowledge import search
from migration_hub.knowledge.choices import ResourceStatus
from migration_hub.knowledge.models import ExpertProfile, Post, Resource, Space, Thread
from migration_hub.knowledge.services import resources as resource_services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ANONYMOUS = AnonymousUser()

HOSTILE_QUERIES = [
    '"',
    '"unbalanced',
    "*",
    "migra*",
    "NEAR",
    "NEAR(migration labour, 2)",
    "AND",
    "OR",
    "NOT",
    "labour AND",
    "OR labour",
    "NOT labour",
    "(",
    ")",
    "((labour)",
    "labour)",
    "-",
    "-labour",
    ":",
    "title:labour",
    "^",
    "^labour",
    "{title}: x",
    "a & | ! b",
    "labour:*",
    "'; DROP TABLE core_searchdocument; --",
    "x" * 5000,
    "labour " * 1000,
    "\x00",
    "lab\x00our",
    "!?.,;:()[]{}<>",
    "🙂",
    "🙂 migration 🌍",
    "status=published",
    "kind=practice",
    "%",
    "_",
    "\\",
]


def publish(resource: Resource, *, reviewed: bool = False, days_ago: int = 0) -> Resource:
    """What the end of peer review leaves (as `peer_review.decide` does), then re-indexed."""
    Resource.objects.filter(pk=resource.pk).update(
        status=ResourceStatus.PUBLISHED,
        peer_reviewed=reviewed,
        published_at=timezone.now() - timedelta(days=days_ago),
    )
    resource.refresh_from_db()
    core_search.index_object(resource)
    return resource


def make(organization, title: str, summary: str = "", *, language: str = "en", **fields):
    translations = fields.pop("translations", None) or {
        language: {"title": title, "summary": summary}
    }
    return resource_services.create_resource(
        None,
        organization=organization,
        kind=fields.pop("kind", "practice"),
        language=language,
        translations=translations,
        **fields,
    )


def titles(found) -> list[str]:
    return [result.title for result in found.results]


def facet(found, name: str) -> dict[str, int]:
    return {value: count for value, _label, count in found.facets.get(name, [])}


@pytest.fixture
def library(organization, objectives, principles, themes, countries):
    """Six published resources and one draft, tagged so that facets differ."""
    rows = {
        "kenya": make(
            organization,
            "Labour migration in Kenya",
            "Bilateral labour agreements and fair recruitment in East Africa.",
            kind="practice",
            objectives=[objectives[5], objectives[6]],
            principles=["A"],
            themes=[themes[3]],
            countries=[countries["KEN"]],
            year=2021,
        ),
        "mexico": make(
            organization,
            "Labour mobility schemes in Mexico",
            "Seasonal labour schemes and the rights of workers.",
            kind="practice",
            objectives=[objectives[5]],
            countries=[countries["MEX"]],
            year=2022,
        ),
        "guide": make(
            organization,
            "A guide to labour migration statistics",
            "How to count migrant workers.",
            kind="guidance",
            objectives=[objectives[1]],
            year=2021,
        ),
        "general": make(
            organization,
            "The compact as a whole: a labour perspective",
            "",
            kind="publication",
            is_general=True,
            year=2019,
        ),
        "french": make(
            organization,
            "Migration de travail au Sénégal",
            "Recrutement équitable et accords bilatéraux.",
            language="fr",
            kind="practice",
            objectives=[objectives[5]],
            countries=[countries["SEN"]],
            year=2023,
        ),
        "health": make(
            organization,
            "Health services for migrants",
            "Access to health care at the border.",
            kind="tool",
            objectives=[objectives[15]],
            year=2020,
        ),
    }
    publish(rows["kenya"], reviewed=True, days_ago=30)
    publish(rows["mexico"], days_ago=20)
    publish(rows["guide"], reviewed=True, days_ago=10)
    publish(rows["general"], days_ago=40)
    publish(rows["french"], days_ago=5)
    publish(rows["health"], days_ago=1)
    rows["draft"] = make(
        organization, "Draft on labour recruitment", "Not yet reviewed.", objectives=[objectives[5]]
    )
    return rows


# --- Who finds what ---------------------------------------------------------------------------


def test_anyone_finds_published_resources_by_a_word_prefix_and_never_drafts(library) -> None:
    found = search.hub_search(ANONYMOUS, "labo", filters={})
    assert set(titles(found)) == {
        "Labour migration in Kenya",
        "Labour mobility schemes in Mexico",
        "A guide to labour migration statistics",
        "The compact as a whole: a labour perspective",
    }
    assert found.total == 4
    assert "Draft on labour recruitment" not in titles(
        search.hub_search(ANONYMOUS, "draft", filters={})
    )


def test_members_of_the_submitting_organization_also_find_its_draft(library, author) -> None:
    found = search.hub_search(author, "recruitment", filters={})
    assert "Draft on labour recruitment" in titles(found)
    assert "Draft on labour recruitment" not in titles(
        search.hub_search(ANONYMOUS, "recruitment", filters={})
    )
    # Counts include what the person may see, and only that.
    assert facet(search.hub_search(author, "labour", filters={}), "kind")["practice"] == 3
    assert facet(search.hub_search(ANONYMOUS, "labour", filters={}), "kind")["practice"] == 2


def test_accents_and_capitals_do_not_matter(library) -> None:
    assert titles(search.hub_search(ANONYMOUS, "SENEGAL", filters={})) == [
        "Migration de travail au Sénégal"
    ]
    assert titles(search.hub_search(ANONYMOUS, "équitable", filters={})) == [
        "Migration de travail au Sénégal"
    ]


def test_every_word_must_match(library) -> None:
    assert titles(search.hub_search(ANONYMOUS, "labour kenya", filters={})) == [
        "Labour migration in Kenya"
    ]


def test_an_empty_query_lists_the_published_resources(library) -> None:
    found = search.hub_search(ANONYMOUS, "", filters={})
    assert found.total == 6
    assert found.kinds == ["resource"]


def test_a_withdrawn_resource_disappears_though_the_index_is_stale(library) -> None:
    # The index still says "published", but the row is not: the page never shows it.
    Resource.objects.filter(pk=library["kenya"].pk).update(status=ResourceStatus.DRAFT)
    assert "Labour migration in Kenya" not in titles(
        search.hub_search(ANONYMOUS, "kenya", filters={})
    )


# --- Facets -----------------------------------------------------------------------------------


def test_facets_count_the_matching_resources(library) -> None:
    found = search.hub_search(ANONYMOUS, "labour", filters={})
    assert facet(found, "kind") == {"practice": 2, "guidance": 1, "publication": 1}
    assert facet(found, "objective") == {"GCM-O5": 2, "GCM-O6": 1, "GCM-O1": 1, "general": 1}
    assert facet(found, "principle") == {"GCM-GP-A": 1}
    assert facet(found, "theme") == {"MIGOF-TA-03": 1}
    assert facet(found, "country") == {"KEN": 1, "MEX": 1}
    assert facet(found, "year") == {"2022": 1, "2021": 2, "2019": 1}
    assert facet(found, "reviewed") == {"yes": 2, "no": 2}
    assert facet(found, "language") == {"en": 4}
    # A country also counts in its M49 regions (Kenya: Africa, Sub-Saharan, Eastern Africa).
    regions = facet(found, "region")
    assert regions["002"] == 1  # Africa
    assert regions["014"] == 1  # Eastern Africa
    assert regions["019"] == 1  # Americas
    # Labels people read; objectives in their order, general first, years newest first.
    labels = {name: [label for _v, label, _c in rows] for name, rows in found.facets.items()}
    assert labels["objective"][0].startswith("General")
    assert labels["objective"][1] == "Objective 1: Objective 1"
    assert labels["country"] == ["Kenya", "Mexico"] or labels["country"] == ["Mexico", "Kenya"]
    assert labels["reviewed"] == ["Peer reviewed", "Not peer reviewed"]
    assert [value for value, _l, _c in found.facets["year"]] == ["2022", "2021", "2019"]


def test_facet_filters_combine_and_each_facet_counts_without_its_own_filter(library) -> None:
    found = search.hub_search(
        ANONYMOUS, "labour", filters={"kind": ["practice"], "objective": ["GCM-O5"]}
    )
    assert set(titles(found)) == {"Labour migration in Kenya", "Labour mobility schemes in Mexico"}
    # Kinds are counted as if no kind were ticked (but objective 5 still is) ...
    assert facet(found, "kind") == {"practice": 2}
    # ... objectives as if no objective were ticked (but "practice" still is) ...
    assert facet(found, "objective") == {"GCM-O5": 2, "GCM-O6": 1}
    # ... and the others within the results.
    assert facet(found, "country") == {"KEN": 1, "MEX": 1}
    # Two values of one facet are alternatives.
    either = search.hub_search(ANONYMOUS, "", filters={"kind": ["guidance", "tool"]})
    assert set(titles(either)) == {
        "A guide to labour migration statistics",
        "Health services for migrants",
    }
    assert facet(either, "kind") == {
        "practice": 3,
        "guidance": 1,
        "publication": 1,
        "tool": 1,
    }


def test_general_language_year_region_and_review_filters(library) -> None:
    def found(**filters):
        return set(titles(search.hub_search(ANONYMOUS, "", filters=filters)))

    assert found(objective=["general"]) == {"The compact as a whole: a labour perspective"}
    assert found(language=["fr"]) == {"Migration de travail au Sénégal"}
    assert found(year=["2021"]) == {
        "Labour migration in Kenya",
        "A guide to labour migration statistics",
    }
    assert found(region=["002"]) == {"Labour migration in Kenya", "Migration de travail au Sénégal"}
    assert found(reviewed=["yes"]) == {
        "Labour migration in Kenya",
        "A guide to labour migration statistics",
    }
    assert found(country=["MEX"], reviewed=["no"]) == {"Labour mobility schemes in Mexico"}


def test_a_ticked_value_stays_listed_with_zero_to_be_unticked(library) -> None:
    found = search.hub_search(ANONYMOUS, "health", filters={"country": ["KEN"]})
    assert found.total == 0
    assert ("KEN", "Kenya", 0) in found.facets["country"]


def test_languages_a_resource_is_available_in(organization, objectives) -> None:
    both = make(
        organization,
        "",
        translations={
            "en": {"title": "Return and reintegration", "summary": ""},
            "es": {"title": "Retorno y reintegración", "summary": ""},
        },
    )
    publish(both)
    found = search.hub_search(ANONYMOUS, "", filters={})
    assert facet(found, "language") == {"en": 1, "es": 1}
    assert search.hub_search(ANONYMOUS, "", filters={"language": ["es"]}).total == 1


def test_facet_filters_leave_out_the_other_kinds(library, organization, make_member) -> None:
    user = make_member("viewer", organization, username="reader")
    assert search.hub_search(user, "migration", filters={}).kind_counts["registry"] >= 1
    found = search.hub_search(user, "migration", filters={"kind": ["practice"]})
    assert found.kind_counts["registry"] == 0
    assert {result.kind for result in found.results} == {"resource"}


def test_the_index_rebuilt_from_scratch_gives_the_same_facets(library) -> None:
    before = search.hub_search(ANONYMOUS, "labour", filters={}).facets
    assert core_search.rebuild(Resource) == 7
    assert search.hub_search(ANONYMOUS, "labour", filters={}).facets == before


# --- Snippets, language, sorting, pages -------------------------------------------------------


def test_snippets_highlight_the_words_and_escape_everything_else(organization) -> None:
    publish(
        make(
            organization,
            "Safe <script>alert(1)</script> migration",
            "Migratory workers & their <b>families</b>: a migration guide for migrating people.",
        )
    )
    result = search.hub_search(ANONYMOUS, "migrat", filters={}).results[0]
    assert str(result.title_html) == (
        "Safe &lt;script&gt;alert(1)&lt;/script&gt; <mark>migration</mark>"
    )
    assert str(result.snippet) == (
        "<mark>Migratory</mark> workers &amp; their &lt;b&gt;families&lt;/b&gt;: a <mark>migration</mark> "
        "guide for <mark>migrating</mark> people."
    )


def test_a_long_summary_is_cut_around_the_first_match(organization) -> None:
    summary = "Background. " * 60 + "The remittance corridor matters. " + "More. " * 60
    publish(make(organization, "Corridors", summary))
    snippet = str(search.hub_search(ANONYMOUS, "remittance", filters={}).results[0].snippet)
    assert "<mark>remittance</mark>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) < 320


def test_snippets_come_from_the_readers_language(organization) -> None:
    publish(
        make(
            organization,
            "",
            language="en",
            translations={
                "en": {"title": "Fair recruitment", "summary": "Recruitment without fees."},
                "fr": {"title": "Recrutement équitable", "summary": "Recrutement sans frais."},
            },
        )
    )
    english = search.hub_search(ANONYMOUS, "recru", filters={}, language="en").results[0]
    french = search.hub_search(ANONYMOUS, "recru", filters={}, language="fr").results[0]
    assert english.title == "Fair recruitment" and english.language == "en"
    assert str(french.title_html) == "<mark>Recrutement</mark> équitable"
    assert str(french.snippet) == "<mark>Recrutement</mark> sans frais."
    # A resource not translated into the reader's language shows its original, and says so.
    spanish = search.hub_search(ANONYMOUS, "recru", filters={}, language="es").results[0]
    assert spanish.title == "Fair recruitment"
    assert "In English" in spanish.details


def test_resources_in_the_readers_language_come_first_at_equal_relevance(organization) -> None:
    spanish = make(
        organization,
        "",
        translations={
            "en": {"title": "Diaspora bonds", "summary": "Investment by the diaspora."},
            "es": {"title": "Bonos diáspora", "summary": "Inversión de la diáspora."},
        },
    )
    french = make(
        organization,
        "",
        translations={
            "en": {"title": "Diaspora bonds", "summary": "Investment by the diaspora."},
            "fr": {"title": "Obligations diaspora", "summary": "Investissement de la diaspora."},
        },
    )
    publish(spanish, days_ago=2)
    publish(french, days_ago=1)
    in_french = search.hub_search(ANONYMOUS, "diaspora", filters={}, language="fr")
    in_spanish = search.hub_search(ANONYMOUS, "diaspora", filters={}, language="es")
    assert [result.obj.pk for result in in_french.results] == [french.pk, spanish.pk]
    assert [result.obj.pk for result in in_spanish.results] == [spanish.pk, french.pk]
    # Newest first also puts the reader's language first on equal dates only.
    by_date = search.hub_search(ANONYMOUS, "diaspora", filters={}, sort="date", language="es")
    assert [result.obj.pk for result in by_date.results] == [french.pk, spanish.pk]


def test_a_clearly_more_relevant_resource_beats_the_readers_language(organization) -> None:
    strong = make(
        organization,
        "Remittances, remittances and remittances",
        "Remittance costs and remittance corridors.",
    )
    weak = make(
        organization,
        "",
        translations={
            "en": {"title": "Financial inclusion", "summary": "A note on remittances."},
            "fr": {"title": "Inclusion financière", "summary": "Une note sur les transferts."},
        },
    )
    publish(strong)
    publish(weak)
    found = search.hub_search(ANONYMOUS, "remittance", filters={}, language="fr")
    assert [result.obj.pk for result in found.results] == [strong.pk, weak.pk]


def test_sort_by_date_puts_the_newest_first(library) -> None:
    found = search.hub_search(ANONYMOUS, "", filters={}, sort="date")
    assert titles(found)[:2] == ["Health services for migrants", "Migration de travail au Sénégal"]
    assert found.results[0].date > found.results[1].date


def test_pages(organization) -> None:
    for number in range(25):
        publish(make(organization, f"Mobility note {number}"), days_ago=number)
    first = search.hub_search(ANONYMOUS, "mobility", filters={}, sort="date", page_size=10)
    third = search.hub_search(ANONYMOUS, "mobility", filters={}, sort="date", page=3, page_size=10)
    assert first.total == 25 and first.num_pages == 3 and first.has_next
    assert titles(first)[0] == "Mobility note 0"
    assert titles(third) == [f"Mobility note {number}" for number in range(20, 25)]
    assert not third.has_next and third.has_previous
    # A page past the end shows the last one; nonsense sizes are bounded.
    assert search.hub_search(ANONYMOUS, "mobility", filters={}, page=99, page_size=10).page == 3
    assert len(search.hub_search(ANONYMOUS, "mobility", filters={}, page_size=-5).results) == 1


# --- Experts, discussions, registry -----------------------------------------------------------


def expert(username: str, *, opted_in: bool, headline: str) -> ExpertProfile:
    return ExpertProfile.objects.create(
        user=UserFactory(username=username),
        display_name=username.replace("-", " ").title(),
        headline=headline,
        opted_in=opted_in,
    )


def test_only_experts_who_opted_in_are_found(db) -> None:
    listed = expert("ana-listed", opted_in=True, headline="Remittance corridors")
    hidden = expert("omar-hidden", opted_in=False, headline="Remittance pricing")
    # Even if an opted-out profile slipped into the index, search never shows it.
    core_search.index_object(listed)
    core_search.index_object(hidden)
    found = search.hub_search(ANONYMOUS, "remittance", filters={})
    assert titles(found) == ["Ana Listed"]
    assert found.kind_counts["expert"] == 1
    assert search.hub_search(ANONYMOUS, "omar", filters={}).total == 0
    assert search.hub_search(ANONYMOUS, "pricing", filters={}, kinds=["expert"]).total == 0
    # Opting out later hides the profile at once.
    ExpertProfile.objects.filter(pk=listed.pk).update(opted_in=False)
    assert search.hub_search(ANONYMOUS, "remittance", filters={}).total == 0


def test_discussions_are_found_unless_hidden(db) -> None:
    space = Space.objects.create(title="Labour migration", slug="labour")
    shown = Thread.objects.create(space=space, title="Recruitment fees")
    Post.objects.create(thread=shown, body="Who pays the *recruitment* fees?", body_html="")
    hidden = Thread.objects.create(space=space, title="Recruitment spam", hidden=True)
    core_search.index_object(shown)
    core_search.index_object(hidden)
    found = search.hub_search(ANONYMOUS, "recruitment", filters={}, kinds=["discussion"])
    assert titles(found) == ["Recruitment fees"]
    assert str(found.results[0].snippet) == "Who pays the *<mark>recruitment</mark>* fees?"
    assert found.results[0].url == f"/hub/threads/{shown.pk}/"


def test_registry_records_are_found_by_those_who_may_view_them(organization, viewer) -> None:
    found = search.hub_search(viewer, "ministry", filters={}, kinds=["registry"])
    assert "Home Ministry of Migration" in titles(found)
    assert search.hub_search(ANONYMOUS, "ministry", filters={}, kinds=["registry"]).total == 0


def test_one_box_mixes_the_kinds(library, viewer) -> None:
    expert("kenya-expert", opted_in=True, headline="Kenya labour markets")
    core_search.index_object(ExpertProfile.objects.get(user__username="kenya-expert"))
    found = search.hub_search(viewer, "kenya", filters={})
    assert found.kind_counts["resource"] == 1
    assert found.kind_counts["expert"] == 1
    assert found.kind_counts["registry"] >= 1  # the country
    assert {result.kind for result in found.results} == {"resource", "expert", "registry"}
    only = search.hub_search(viewer, "kenya", filters={}, kinds=["expert"])
    assert titles(only) == ["Kenya Expert"] and only.total == 1


# --- Suggestions ------------------------------------------------------------------------------


def test_a_typo_gets_a_suggestion_that_finds_results(library) -> None:
    found = search.hub_search(ANONYMOUS, "helth", filters={})
    assert found.total == 0
    assert found.suggestion == "health"
    assert search.hub_search(ANONYMOUS, found.suggestion, filters={}).total == 1


def test_suggestions_fix_each_mistyped_word_and_keep_the_others(library) -> None:
    assert search.hub_search(ANONYMOUS, "labour migartion", filters={}).suggestion == (
        "labour migration"
    )
    assert search.hub_search(ANONYMOUS, "Recrutment", filters={}).suggestion == "recruitment"


def test_no_suggestion_when_the_query_finds_enough_or_nothing_is_close(library) -> None:
    assert search.hub_search(ANONYMOUS, "labour", filters={}).suggestion is None
    assert search.hub_search(ANONYMOUS, "zzzzzzzz", filters={}).suggestion is None


def test_a_suggestion_respects_the_filters_and_what_the_person_may_see(library) -> None:
    # "Draft" exists only in a draft: an anonymous reader gets no suggestion towards it.
    assert search.hub_search(ANONYMOUS, "drafd", filters={}).suggestion is None
    found = search.hub_search(ANONYMOUS, "labuor", filters={"kind": ["practice"]})
    assert found.suggestion == "labour"
    assert search.hub_search(ANONYMOUS, "labour", filters={"kind": ["practice"]}).total == 2


# --- Hostile input ----------------------------------------------------------------------------


def test_hostile_queries_never_raise(library, viewer) -> None:
    # One library for every query (building it is the slow part of these tests).
    for query in HOSTILE_QUERIES:
        for user in (ANONYMOUS, viewer):
            found = search.hub_search(user, query, filters={"kind": ["practice"]})
            assert found.total >= 0, query
            found = search.hub_search(user, query, filters={}, sort="date", kinds=["registry"])
            assert found.total >= 0, query
        suggestion = core_search.suggest(query)
        assert suggestion is None or isinstance(suggestion, str), query
        assert core_search.highlight(query, query) is not None
    # The queries made of words still find what those words find.
    assert search.hub_search(ANONYMOUS, "labour)", filters={}).total == 4
    assert search.hub_search(ANONYMOUS, "^labour", filters={}).total == 4
    assert search.hub_search(ANONYMOUS, "title:labour", filters={}).total == 0  # "title" too
    assert search.hub_search(ANONYMOUS, "🙂 labour 🌍", filters={}).total == 4
    assert search.hub_search(ANONYMOUS, "lab\x00our", filters={}).total == 4
    assert search.hub_search(ANONYMOUS, "labour " * 1000, filters={}).total == 4


def test_operators_are_words_not_syntax(library) -> None:
    # "labour OR health" asks for both words, not either.
    assert search.hub_search(ANONYMOUS, "labour OR health", filters={}).total == 0
    assert search.hub_search(ANONYMOUS, "labour*", filters={}).total == 4
    assert search.hub_search(ANONYMOUS, '"labour"', filters={}).total == 4
    assert search.hub_search(ANONYMOUS, "-labour", filters={}).total == 4
    # Index tokens of the facets are not searchable text.
    assert search.hub_search(ANONYMOUS, "status published", filters={}).total == 0


@pytest.mark.parametrize(
    "filters",
    [
        {"kind": ['"', "*", "NEAR"]},
        {"objective": ["x" * 5000, "\x00", "🙂"]},
        {"country": ["K E N", "KEN\x00"], "year": ["20 21", "-1"]},
        {"region": ["' OR 1=1 --"], "language": ["xx"], "reviewed": ["maybe"]},
        {"unknown": ["value"], "status": ["draft"]},
        {"kind": "practice", "reviewed": True},
    ],
)
def test_hostile_filters_are_dropped_not_raised(library, filters) -> None:
    found = search.hub_search(ANONYMOUS, "labour", filters=filters)
    assert found.total >= 0
    # Asking for drafts through a filter shows no draft.
    assert "Draft on labour recruitment" not in titles(found)


# --- The address of a search ------------------------------------------------------------------


def test_filters_round_trip_through_the_address() -> None:
    querydict = QueryDict(
        "q=labour&type=resource&kind=practice&kind=tool&objective=5&objective=GCM-O6"
        "&objective=general&principle=a&theme=3&region=2&country=ken&language=zh"
        "&year=2021&reviewed=1&page=2&sort=date&unknown=x&kind=nonsense"
    )
    filters = search.parse_filters(querydict)
    assert filters == {
        "kind": ["practice", "tool"],
        "objective": ["GCM-O5", "GCM-O6", "general"],
        "principle": ["GCM-GP-A"],
        "theme": ["MIGOF-TA-03"],
        "region": ["002"],
        "country": ["KEN"],
        "language": ["zh-hans"],
        "year": ["2021"],
        "reviewed": ["yes"],
    }
    text = search.filters_to_querystring(filters)
    assert text.startswith("kind=practice&kind=tool&objective=GCM-O5")
    assert search.parse_filters(QueryDict(text)) == filters


def test_the_saved_searches_stored_form_is_understood() -> None:
    stored = {"kinds": ["practice"], "objectives": ["GCM-O3"], "years": [2024], "reviewed": True}
    assert search.filters_to_querystring(stored) == (
        "kind=practice&objective=GCM-O3&year=2024&reviewed=yes"
    )
    assert search.parse_filters({"country": "MAR", "resource_kind": ["tool"]}) == {
        "kind": ["tool"],
        "country": ["MAR"],
    }


# --- The index behind the facets -------------------------------------------------------------


def test_bulk_index_entries_equal_the_incremental_ones(library) -> None:
    from django.contrib.contenttypes.models import ContentType

    from migration_hub.core.models import SearchDocument
    from migration_hub.knowledge.models import ResourceFile

    ResourceFile.objects.create(
        resource=library["kenya"],
        file="knowledge/agreement.pdf",
        name="agreement.pdf",
        size=10,
        content_type="application/pdf",
        language="fr",
        text="Accord bilatéral sur le recrutement",
    )
    content_type = ContentType.objects.get_for_model(Resource)

    def entries() -> dict:
        return {
            row[0]: row[1:]
            for row in SearchDocument.objects.filter(target_type=content_type).values_list(
                "target_id", "title", "body", "facets", "dated"
            )
        }

    for resource in Resource.objects.all():
        core_search.index_object(resource)
    one_by_one = entries()
    assert core_search.rebuild(Resource) == 7
    assert entries() == one_by_one
    assert "language=fr" in one_by_one[str(library["kenya"].pk)][2]
    assert "accord" in one_by_one[str(library["kenya"].pk)][1]


def test_counts_follow_every_change_at_once(library, objectives) -> None:
    assert facet(search.hub_search(ANONYMOUS, "", filters={}), "objective")["GCM-O5"] == 3
    kenya = library["kenya"]
    kenya.objectives.remove(objectives[5])
    core_search.index_object(kenya)
    assert facet(search.hub_search(ANONYMOUS, "", filters={}), "objective")["GCM-O5"] == 2
    core_search.remove_object(library["mexico"])
    found = search.hub_search(ANONYMOUS, "", filters={})
    assert facet(found, "objective")["GCM-O5"] == 1
    assert found.total == 5


def test_changes_written_by_another_process_are_seen(library, monkeypatch) -> None:
    from django.contrib.contenttypes.models import ContentType

    from migration_hub.core.models import SearchDocument

    assert facet(search.hub_search(ANONYMOUS, "", filters={}), "kind")["tool"] == 1
    documents = SearchDocument.objects.filter(
        target_type=ContentType.objects.get_for_model(Resource)
    )
    # Another process re-indexed the health tool as a practice: a newer `updated_at`.
    health = documents.get(target_id=str(library["health"].pk))
    health.facets = health.facets.replace("kind=tool", "kind=practice")
    health.save()
    assert "tool" not in facet(search.hub_search(ANONYMOUS, "", filters={}), "kind")
    # ... and removed the guide: noticed at the next row-count check.
    monkeypatch.setattr(core_search, "FACET_CACHE_CHECK_SECONDS", 0.0)
    documents.filter(target_id=str(library["guide"].pk)).delete()
    assert "guidance" not in facet(search.hub_search(ANONYMOUS, "", filters={}), "kind")


def test_faceted_search_with_a_scope_and_extra_objects(library) -> None:
    found = core_search.faceted_search(
        Resource,
        "labour",
        filters={"kind": ["practice"]},
        count=["kind", "reviewed"],
        scope={"status": ["published"]},
        also=[str(library["draft"].pk)],
        mark=("country", "KEN"),
    )
    assert {match.target_id for match in found.matches} == {
        str(library["kenya"].pk),
        str(library["mexico"].pk),
        str(library["draft"].pk),
    }
    assert found.counts["kind"] == {"practice": 3, "guidance": 1, "publication": 1}
    assert found.counts["reviewed"] == {"yes": 1, "no": 2}
    marked = {match.target_id for match in found.matches if match.marked}
    assert marked == {str(library["kenya"].pk)}
    assert all(match.score > 0 for match in found.matches)


# --- The process's word index (matching and bm25 without the database's full-text index) ------


def resource_ids(found) -> set[str]:
    return {match.target_id for match in found.matches}


def test_word_matches_agree_with_the_databases_full_text_index(library) -> None:
    """Every prefix of every indexed word finds, through the process's word index, exactly
    what the database's own full-text index (FTS5 or tsvector) finds."""
    from migration_hub.core.models import SearchDocument

    words = {
        word
        for document in SearchDocument.objects.all()
        for word in f"{document.title} {document.body}".split()
    }
    prefixes = {word[:length] for word in words for length in range(1, len(word) + 1)}
    prefixes |= {"labour migr", "migr kenya", "zzz", "labour zzz"}
    for prefix in sorted(prefixes):
        found = core_search.faceted_search(Resource, prefix, rank=False)
        expected = core_search.filter_queryset(Resource.objects.all(), prefix)
        assert resource_ids(found) == {str(pk) for pk in expected.values_list("pk", flat=True)}, (
            prefix
        )


def test_relevance_prefers_the_title_more_occurrences_and_rarer_words(organization) -> None:
    in_title = publish(make(organization, "Remittance corridors", "A note on costs."))
    in_body = publish(make(organization, "Financial inclusion", "Remittance corridors."))
    twice = publish(make(organization, "Remittance costs", "Remittance corridors."))

    def ranked(query: str) -> list[int]:
        found = core_search.faceted_search(Resource, query)
        order = sorted(found.matches, key=lambda match: -match.score)
        return [int(match.target_id) for match in order]

    assert ranked("remittance") == [twice.pk, in_title.pk, in_body.pk]
    # "costs" is in two of three; "note" in one: the rare word decides between equals.
    assert ranked("note")[0] == in_title.pk
    assert all(match.score > 0 for match in core_search.faceted_search(Resource, "corr").matches)
    unranked = core_search.faceted_search(Resource, "remittance", rank=False)
    assert {match.score for match in unranked.matches} == {0.0}


def test_words_changed_after_the_index_was_read_are_found_and_ranked(library) -> None:
    assert search.hub_search(ANONYMOUS, "labour", filters={}).total == 4
    # Read once: the process now holds every document's words.
    kenya = library["kenya"]
    kenya.translations.filter(language="en").update(
        title="Remittances and labour remittances in Kenya"
    )
    core_search.index_object(kenya)
    found = search.hub_search(ANONYMOUS, "remittances", filters={})
    assert [result.obj.pk for result in found.results] == [kenya.pk]
    assert search.hub_search(ANONYMOUS, "bilateral", filters={}).total == 1
    # Changed again: the newer words replace the older ones, nothing is counted twice.
    kenya.translations.filter(language="en").update(title="Seasonal work in Kenya", summary="")
    core_search.index_object(kenya)
    assert search.hub_search(ANONYMOUS, "remittances", filters={}).total == 0
    assert search.hub_search(ANONYMOUS, "bilateral", filters={}).total == 0
    assert search.hub_search(ANONYMOUS, "labour", filters={}).total == 3
    seasonal = search.hub_search(ANONYMOUS, "seasonal", filters={})
    assert {result.obj.pk for result in seasonal.results} == {kenya.pk, library["mexico"].pk}


def test_words_written_or_deleted_by_another_process_are_seen(library, monkeypatch) -> None:
    from django.contrib.contenttypes.models import ContentType

    from migration_hub.core.models import SearchDocument

    assert search.hub_search(ANONYMOUS, "health", filters={}).total == 1
    documents = SearchDocument.objects.filter(
        target_type=ContentType.objects.get_for_model(Resource)
    )
    health = documents.get(target_id=str(library["health"].pk))
    health.title = "vaccination at the border"
    health.body = ""
    health.save()  # a newer updated_at, as another process's write leaves
    assert search.hub_search(ANONYMOUS, "vaccin", filters={}).total == 1
    assert search.hub_search(ANONYMOUS, "health", filters={}).total == 0
    monkeypatch.setattr(core_search, "FACET_CACHE_CHECK_SECONDS", 0.0)
    documents.filter(target_id=str(library["guide"].pk)).delete()
    assert search.hub_search(ANONYMOUS, "statistics", filters={}).total == 0
    assert search.hub_search(ANONYMOUS, "labour", filters={}).total == 3
