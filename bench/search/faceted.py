"""Hub search: a faceted query (one word and three facets, with facet counts) on 100,000
resources, Migration Hub on SQLite and on PostgreSQL against tantivy, side by side.

- Builds the same deterministic corpus (`corpus.py`) into a throw-away SQLite database and a
  throw-away PostgreSQL database (`bench_search`, created and dropped here), with
  `bulk_create`, then times the search index build: `core.search.rebuild(Resource)` (reading
  the resources through the ORM, normalising, computing facets, writing the index) and, apart,
  the index write alone (the same documents bulk-inserted again), each followed by
  `core.search.optimise`.
- tantivy indexes the very documents our index holds (text and facet tokens, read back from
  SQLite), one writer thread.
- The queries: `--queries` (200) drawn with a fixed seed from published resources: a word of
  the resource's title (a 4-5 letter prefix one time in five) and three of its facet values.
  Ours is `knowledge.search.hub_search(anonymous, word, filters=..., kinds=["resource"])`, the
  whole page's work: the multi-select facet counts, the 20 rows with their snippets and the
  facet labels. tantivy answers the same query (the word as a prefix in title or body, the
  three filters, "published" only), its top 20 and the same facet counts with terms
  aggregations (one per facet in use, plus one).
- Before timing, every query's total and every facet count must agree on all three.
- Rounds alternate the order of the three contenders; each run reports the p50 and p95 of its
  queries. Index size on disk: the index tables (SQLite `dbstat`, PostgreSQL
  `pg_total_relation_size`) and tantivy's directory.

    .venv/bin/python bench/search/faceted.py            # 100,000 resources, ~5 minutes
    .venv/bin/python bench/search/faceted.py --n 10000  # a quick run
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BENCH_DIR = HERE.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.append(str(HERE))

from corpus import Corpus  # noqa: E402
from harness import BenchmarkError, Metric, run_side_by_side  # noqa: E402
from hubserver import hub_environment  # noqa: E402

POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
POSTGRES_DATABASE = "bench_search"
POSTGRES_ALIAS = "postgresql"
FACET_NAMES = [
    "kind",
    "objective",
    "principle",
    "theme",
    "region",
    "country",
    "language",
    "year",
    "reviewed",
]
# How often a query uses each facet (values come from the resource the query is drawn from).
QUERY_FACET_WEIGHTS = {
    "kind": 5,
    "objective": 5,
    "country": 4,
    "language": 4,
    "year": 3,
    "theme": 3,
    "region": 2,
    "principle": 2,
    "reviewed": 2,
}
P50 = Metric("p50_ms", "p50 (ms)", higher_is_better=False, digits=2)
P95 = Metric("p95_ms", "p95 (ms)", higher_is_better=False, digits=2)
MEAN = Metric("mean_ms", "mean (ms)", higher_is_better=False, digits=2)
GOAL_ABSOLUTE_MS = 50.0
GOAL_RATIO = 2.0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="resources (100000)")
    parser.add_argument("--queries", type=int, default=200, help="queries per run (200)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (3)")
    parser.add_argument("--seed", type=int, default=20261124, help="corpus and query seed")
    parser.add_argument(
        "--postgres-server",
        default=POSTGRES_SERVER,
        help=f"PostgreSQL server URL without a database ({POSTGRES_SERVER})",
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite and tantivy only")
    return parser.parse_args(argv)


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def timings(values: Sequence[float]) -> dict[str, float]:
    return {
        P50.key: percentile(values, 0.50) * 1000,
        P95.key: percentile(values, 0.95) * 1000,
        MEAN.key: sum(values) / len(values) * 1000,
    }


# --- Django in this process ---------------------------------------------------------------


def configure_django(data_dir: Path, postgres_url: str | None) -> None:
    import django

    env = hub_environment(data_dir, {"DJANGO_SETTINGS_MODULE": "searchbench_settings"})
    os.environ.update(env)
    os.environ.pop("BENCH_SEARCH_POSTGRES_URL", None)
    if postgres_url:
        os.environ["BENCH_SEARCH_POSTGRES_URL"] = postgres_url
    django.setup()


def use(alias: str) -> None:
    from searchbench_settings import Router

    Router.alias = alias


def recreate_postgres_database(server_url: str, *, drop_only: bool = False) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{server_url}/postgres", autocommit=True, connect_timeout=5) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(POSTGRES_DATABASE)
            )
        )
        if not drop_only:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(POSTGRES_DATABASE)))


def postgres_reachable(server_url: str) -> str | None:
    import psycopg

    try:
        psycopg.connect(f"{server_url}/postgres", connect_timeout=3).close()
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]
    return None


def prepare(alias: str) -> None:
    """Migrate, load countries and the registry's frameworks (GCM objectives and guiding
    principles, MIGOF thematic areas): an installation before its first resource."""
    from django.core.management import call_command

    from migration_hub.core import services as core_services
    from migration_hub.registry.loader import load_reference

    use(alias)
    call_command("migrate", database=alias, interactive=False, verbosity=0)
    core_services.load_countries()
    load_reference()


def codes() -> dict[str, list[str]]:
    from migration_hub.core.models import Country, Region
    from migration_hub.registry.models import FrameworkItem

    def items(kind: str, prefix: str) -> list[str]:
        rows = FrameworkItem.objects.filter(kind=kind, code__startswith=prefix)
        return list(rows.order_by("position").values_list("code", flat=True))

    return {
        "objectives": items("objective", "GCM-O"),
        "principles": items("guiding-principle", "GCM-GP-"),
        "themes": items("thematic-area", "MIGOF-TA-"),
        "countries": list(Country.objects.order_by("alpha3").values_list("alpha3", flat=True)),
        "regions": list(Region.objects.order_by("m49_code").values_list("m49_code", flat=True)),
    }


def populate(alias: str, generated: list[Any], *, chunk: int = 5000) -> float:
    """The generated resources as rows (resources, translations, every many-to-many link) with
    `bulk_create`; returns the seconds it took."""
    from django.db import transaction

    from migration_hub.accounts.models import Organization
    from migration_hub.core.models import Country, Region
    from migration_hub.knowledge.models import Resource, ResourceTranslation
    from migration_hub.registry.models import FrameworkItem

    use(alias)
    started = time.perf_counter()
    organization = Organization.objects.create(
        code="BENCH", name="Bench Ministry of Migration", kind="ministry"
    )
    items = dict(FrameworkItem.objects.values_list("code", "pk"))
    countries = dict(Country.objects.values_list("alpha3", "pk"))
    regions = dict(Region.objects.values_list("m49_code", "pk"))
    through = {
        "objectives": Resource.objectives.through,
        "principles": Resource.principles.through,
        "themes": Resource.themes.through,
        "countries": Resource.countries.through,
        "regions": Resource.regions.through,
    }
    with transaction.atomic(using=alias):
        for start in range(0, len(generated), chunk):
            batch = generated[start : start + chunk]
            rows = []
            for g in batch:
                day = dt.datetime(g.year, 1, 1, 9, tzinfo=dt.UTC) + dt.timedelta(
                    days=g.day_of_year - 1
                )
                published = g.status == "published"
                rows.append(
                    Resource(
                        kind=g.kind,
                        status=g.status,
                        language=g.language,
                        organization=organization,
                        authors=g.authors,
                        is_general=g.is_general,
                        year=g.year,
                        peer_reviewed=published and g.peer_reviewed,
                        published_at=day if published else None,
                        created_at=day - dt.timedelta(days=30),
                    )
                )
            Resource.objects.bulk_create(rows)
            translations = []
            links: dict[str, list[Any]] = {name: [] for name in through}
            for resource, g in zip(rows, batch, strict=True):
                for code, (title, summary) in g.translations.items():
                    translations.append(
                        ResourceTranslation(
                            resource_id=resource.pk, language=code, title=title, summary=summary
                        )
                    )
                for name in ("objectives", "principles", "themes"):
                    links[name] += [
                        through[name](resource_id=resource.pk, frameworkitem_id=items[code])
                        for code in getattr(g, name)
                    ]
                links["countries"] += [
                    through["countries"](resource_id=resource.pk, country_id=countries[code])
                    for code in g.countries
                ]
                links["regions"] += [
                    through["regions"](resource_id=resource.pk, region_id=regions[code])
                    for code in g.regions
                ]
            ResourceTranslation.objects.bulk_create(translations)
            for name, link_rows in links.items():
                through[name].objects.bulk_create(link_rows)
    return time.perf_counter() - started


def build_index(alias: str) -> dict[str, float]:
    """Time `rebuild` (ORM to index) and the index write alone; both end with `optimise`."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections, transaction

    from migration_hub.core import search as core_search
    from migration_hub.core.models import SearchDocument
    from migration_hub.knowledge.models import Resource

    use(alias)
    started = time.perf_counter()
    with transaction.atomic(using=alias):
        count = core_search.rebuild(Resource, batch_size=2000)
    core_search.optimise(alias)
    rebuild_s = time.perf_counter() - started

    content_type = ContentType.objects.db_manager(alias).get_for_model(Resource)
    documents = [
        SearchDocument(
            target_type_id=content_type.pk,
            target_id=target_id,
            title=title,
            body=body,
            facets=facets,
            dated=dated,
        )
        for target_id, title, body, facets, dated in SearchDocument.objects.using(alias)
        .filter(target_type=content_type)
        .values_list("target_id", "title", "body", "facets", "dated")
        .iterator(chunk_size=5000)
    ]
    with transaction.atomic(using=alias):
        SearchDocument.objects.using(alias).filter(target_type=content_type).delete()
    started = time.perf_counter()
    with transaction.atomic(using=alias):
        SearchDocument.objects.using(alias).bulk_create(documents, batch_size=2000)
    core_search.optimise(alias)
    write_s = time.perf_counter() - started
    connections[alias].close()
    return {"documents": count, "rebuild_s": rebuild_s, "write_s": write_s}


def index_size(alias: str) -> tuple[int, int]:
    """(everything the search index takes, the full-text index alone) in bytes: on SQLite the
    document table with its indexes and the FTS5 tables, of which the FTS5 tables; on
    PostgreSQL the table with its indexes and TOAST, of which the two GIN indexes."""
    from django.db import connections

    connection = connections[alias]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, SUM(pgsize) FROM dbstat WHERE name LIKE 'core_searchdocument%' "
                "OR name IN (SELECT name FROM sqlite_master WHERE tbl_name = "
                "'core_searchdocument') GROUP BY name"
            )
            sizes = dict(cursor.fetchall())
            text_index = sum(
                size for name, size in sizes.items() if name.startswith("core_searchdocument_fts")
            )
            return int(sum(sizes.values())), int(text_index)
        cursor.execute(
            "SELECT pg_total_relation_size('core_searchdocument'), "
            "pg_relation_size('core_searchdocument_fts') "
            "+ pg_relation_size('core_searchdocument_facets')"
        )
        total, text_index = cursor.fetchone()
        return int(total), int(text_index)


def exported_documents() -> list[tuple[int, str, str, list[tuple[str, str]]]]:
    """(id, title, body, [(facet, value)]) of every resource in our index (SQLite)."""
    from django.contrib.contenttypes.models import ContentType

    from migration_hub.core import search as core_search
    from migration_hub.core.models import SearchDocument
    from migration_hub.knowledge.models import Resource

    use("default")
    content_type = ContentType.objects.get_for_model(Resource)
    return [
        (
            int(target_id),
            title,
            body,
            [core_search.split_facet_token(token) for token in facets.split()],
        )
        for target_id, title, body, facets in SearchDocument.objects.filter(
            target_type=content_type
        )
        .order_by("id")
        .values_list("target_id", "title", "body", "facets")
        .iterator(chunk_size=5000)
    ]


# --- Queries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    term: str
    filters: dict[str, list[str]]


def draw_queries(documents: list[Any], count: int, seed: int) -> list[Query]:
    import random

    rnd = random.Random(seed)
    published = [doc for doc in documents if ("status", "published") in doc[3]]
    names = list(QUERY_FACET_WEIGHTS)
    weights = [QUERY_FACET_WEIGHTS[name] for name in names]
    queries: list[Query] = []
    while len(queries) < count:
        _id, title, _body, facets = rnd.choice(published)
        words = [word for word in title.split() if len(word) >= 3 and not word.isdigit()]
        if not words:
            continue
        term = rnd.choice(words)
        if len(term) >= 6 and rnd.random() < 0.2:
            term = term[: rnd.choice([4, 5])]
        values: dict[str, list[str]] = {}
        for name, value in facets:
            values.setdefault(name, []).append(value)
        chosen: list[str] = []
        while len(chosen) < 3:
            name = rnd.choices(names, weights)[0]
            if name in values and name not in chosen:
                chosen.append(name)
            if len([n for n in names if n in values]) < 3:
                break
        if len(chosen) < 3:
            continue
        queries.append(Query(term, {name: [rnd.choice(values[name])] for name in chosen}))
    return queries


def ours(alias: str) -> Callable[[Query], tuple[int, dict[str, dict[str, int]]]]:
    from django.contrib.auth.models import AnonymousUser

    from migration_hub.knowledge.search import hub_search

    anonymous = AnonymousUser()

    def answer(query: Query) -> tuple[int, dict[str, dict[str, int]]]:
        use(alias)
        found = hub_search(
            anonymous, query.term, filters=query.filters, kinds=["resource"], language="en"
        )
        facets = {
            name: {value.lower(): count for value, _label, count in rows if count}
            for name, rows in found.facets.items()
        }
        return found.total, {name: rows for name, rows in facets.items() if rows}

    return answer


def cold_start(answer: Callable[[Query], Any], query: Query) -> tuple[float, float]:
    """Seconds the first query of a process takes (it reads the model's documents into the
    process's word and facet index) and the memory that index holds afterwards (MB)."""
    import gc
    import tracemalloc

    from migration_hub.core import search

    search._facet_caches.clear()
    gc.collect()
    start = time.perf_counter()
    answer(query)
    seconds = time.perf_counter() - start
    search._facet_caches.clear()
    gc.collect()
    tracemalloc.start()  # again, apart: tracing slows every allocation down
    answer(query)
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return seconds, held / 1e6


class Tantivy:
    """The same documents in tantivy: text fields for the words, one raw fast field per
    facet (and the status), so that terms aggregations count facet values."""

    def __init__(self, directory: Path) -> None:
        import tantivy

        self.tantivy = tantivy
        builder = tantivy.SchemaBuilder()
        builder.add_integer_field("id", stored=True, indexed=True, fast=True)
        builder.add_text_field("title", tokenizer_name="default", index_option="freq")
        builder.add_text_field("body", tokenizer_name="default", index_option="freq")
        for name in [*FACET_NAMES, "status"]:
            builder.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
        self.schema = builder.build()
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(directory))

    def build(self, documents: list[Any]) -> float:
        started = time.perf_counter()
        writer = self.index.writer(heap_size=256_000_000, num_threads=1)
        for doc_id, title, body, facets in documents:
            fields: dict[str, Any] = {"id": doc_id, "title": title, "body": body}
            for name, value in facets:
                fields.setdefault(name, []).append(value)
            writer.add_document(self.tantivy.Document(**fields))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()
        return time.perf_counter() - started

    def size(self) -> int:
        return sum(path.stat().st_size for path in self.directory.rglob("*") if path.is_file())

    def _query(self, term: str, filters: dict[str, list[str]]) -> Any:
        t = self.tantivy
        words = t.Query.boolean_query(
            [
                (t.Occur.Should, t.Query.regex_query(self.schema, "title", f"{term}.*")),
                (t.Occur.Should, t.Query.regex_query(self.schema, "body", f"{term}.*")),
            ]
        )
        clauses = [
            (t.Occur.Must, words),
            (t.Occur.Must, t.Query.term_query(self.schema, "status", "published")),
        ]
        for name, values in filters.items():
            clauses.append((t.Occur.Must, t.Query.term_set_query(self.schema, name, values)))
        return t.Query.boolean_query(clauses)

    @staticmethod
    def _terms(names: Sequence[str]) -> dict[str, Any]:
        return {name: {"terms": {"field": name, "size": 1000}} for name in names}

    def answer(self, query: Query) -> tuple[int, dict[str, dict[str, int]]]:
        filters = {
            name: [value.lower() for value in values] for name, values in query.filters.items()
        }
        full = self._query(query.term, filters)
        result = self.searcher.search(full, 20, count=True)
        for _score, address in result.hits:
            self.searcher.doc(address)
        aggregations = self.searcher.aggregate(
            full, self._terms([name for name in FACET_NAMES if name not in filters])
        )
        for name in filters:
            others = {key: values for key, values in filters.items() if key != name}
            aggregations.update(
                self.searcher.aggregate(self._query(query.term, others), self._terms([name]))
            )
        facets = {
            name: {bucket["key"]: bucket["doc_count"] for bucket in body["buckets"]}
            for name, body in aggregations.items()
        }
        return result.count, {name: rows for name, rows in facets.items() if rows}


def check_agreement(queries: list[Query], answerers: dict[str, Callable[[Query], Any]]) -> int:
    """Every contender gives the same total and facet counts for every query; returns how many
    queries had at least one result."""
    non_empty = 0
    names = list(answerers)
    for query in queries:
        answers = {name: answerers[name](query) for name in names}
        reference = answers[names[-1]]
        for name in names[:-1]:
            if answers[name] != reference:
                raise BenchmarkError(
                    f"{name} and {names[-1]} disagree on {query}:\n"
                    f"{name}: {answers[name]}\n{names[-1]}: {reference}"
                )
        non_empty += reference[0] > 0
    return non_empty


def runner(answer: Callable[[Query], Any], queries: list[Query]) -> Callable[[], dict[str, float]]:
    def run() -> dict[str, float]:
        latencies = []
        for query in queries:
            started = time.perf_counter()
            answer(query)
            latencies.append(time.perf_counter() - started)
        return timings(latencies)

    return run


# --- Main -----------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="bench-search-"))
    postgres = None
    if not args.no_postgres:
        why = postgres_reachable(args.postgres_server)
        if why:
            print(f"PostgreSQL at {args.postgres_server} is unreachable ({why}): SQLite only.")
        else:
            recreate_postgres_database(args.postgres_server)
            postgres = f"{args.postgres_server}/{POSTGRES_DATABASE}"
    try:
        return benchmark(root, args, postgres)
    except BenchmarkError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        if postgres:
            from django.db import connections

            connections.close_all()
            recreate_postgres_database(args.postgres_server, drop_only=True)
        shutil.rmtree(root, ignore_errors=True)


def benchmark(root: Path, args: argparse.Namespace, postgres: str | None) -> int:
    data_dir = root / "hub"
    data_dir.mkdir()
    configure_django(data_dir, postgres)
    aliases = ["default", *([POSTGRES_ALIAS] if postgres else [])]
    label = {"default": "ours (SQLite)", POSTGRES_ALIAS: "ours (PostgreSQL)"}

    for alias in aliases:
        print(f"Preparing {label[alias]} ...", flush=True)
        prepare(alias)
    use("default")
    corpus = Corpus(args.seed).resources(args.n, **codes())
    build: dict[str, dict[str, float]] = {}
    for alias in aliases:
        seconds = populate(alias, corpus)
        print(f"{label[alias]}: {args.n:,} resources as rows in {seconds:.1f} s", flush=True)
        build[alias] = build_index(alias)
        build[alias]["size_bytes"], build[alias]["index_bytes"] = index_size(alias)
        print(f"{label[alias]}: index {build[alias]}", flush=True)
    del corpus

    documents = exported_documents()
    peer = Tantivy(root / "tantivy")
    tantivy_build_s = peer.build(documents)
    tantivy_size = peer.size()
    print(f"tantivy: {len(documents):,} documents indexed in {tantivy_build_s:.1f} s", flush=True)
    queries = draw_queries(documents, args.queries, args.seed)
    del documents

    answerers = {label[alias]: ours(alias) for alias in aliases}
    answerers["tantivy"] = peer.answer
    cold = {label[alias]: cold_start(answerers[label[alias]], queries[0]) for alias in aliases}
    for name, (seconds, megabytes) in cold.items():
        print(
            f"{name}: first query of a process (reading the word and facet index) "
            f"{seconds:.2f} s, {megabytes:.0f} MB held",
            flush=True,
        )
    non_empty = check_agreement(queries, answerers)
    print(
        f"Checked: all {len(queries)} queries give the same totals and facet counts "
        f"({non_empty} with results).",
        flush=True,
    )
    report = run_side_by_side(
        "search_faceted",
        [(name, runner(answer, queries)) for name, answer in answerers.items()],
        rounds=args.rounds,
        metrics=[P50, P95, MEAN],
        parameters={"n": args.n, "queries": args.queries, "seed": args.seed},
    )
    sizes = {label[alias]: build[alias]["size_bytes"] for alias in aliases}
    sizes["tantivy"] = tantivy_size
    index_only = {label[alias]: build[alias]["index_bytes"] for alias in aliases}
    index_only["tantivy"] = tantivy_size
    builds = {
        label[alias]: {
            "rebuild_s": build[alias]["rebuild_s"],
            "write_s": build[alias]["write_s"],
        }
        for alias in aliases
    }
    builds["tantivy"] = {"rebuild_s": None, "write_s": tantivy_build_s}
    sqlite_p95 = report.medians[label["default"]][P95.key]
    ratio = report.ratios_by_name[label["default"]][P95.key]
    goals = {
        "sqlite_p95_ms": sqlite_p95,
        "sqlite_p95_le_50ms": sqlite_p95 <= GOAL_ABSOLUTE_MS,
        "sqlite_p95_ratio_to_tantivy": ratio,
        "sqlite_p95_le_2x_tantivy": ratio <= GOAL_RATIO,
    }
    if postgres:
        goals["postgresql_p95_ratio_to_tantivy"] = report.ratios_by_name[label[POSTGRES_ALIAS]][
            P95.key
        ]
    report.add(
        index_bytes=sizes,
        text_index_bytes=index_only,
        index_build=builds,
        goals=goals,
        cold_start={name: {"s": s, "mb": mb} for name, (s, mb) in cold.items()},
    )
    print(
        "| | index build: rebuild from rows (s) | index write alone (s) | "
        "on disk, all (MB) | of which the index (MB) |"
    )
    print("|---|---|---|---|---|")
    for name, values in builds.items():
        rebuild = f"{values['rebuild_s']:.1f}" if values["rebuild_s"] is not None else "-"
        print(
            f"| {name} | {rebuild} | {values['write_s']:.1f} | {sizes[name] / 1e6:.1f} "
            f"| {index_only[name] / 1e6:.1f} |"
        )
    print()
    print(
        f"Goals: SQLite p95 {sqlite_p95:.2f} ms <= {GOAL_ABSOLUTE_MS:.0f} ms: "
        f"{'met' if goals['sqlite_p95_le_50ms'] else 'NOT met'}; "
        f"SQLite p95 / tantivy p95 = {ratio:.2f} <= {GOAL_RATIO:.0f}: "
        f"{'met' if goals['sqlite_p95_le_2x_tantivy'] else 'NOT met'}."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
