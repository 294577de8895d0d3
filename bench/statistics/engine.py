"""The "heavy" statistics aggregations through the ORM on SQLite against DuckDB, side by side in
one run: is DuckDB worth adding at this data size?

Two aggregations, on a SQLite database holding all seven sample files:

1. region aggregates: `selectors.region_aggregates(<latest stock data set>,
   "international-migrant-stock")`, the sum and count of the country-level figures for every
   M49 region (and the world), every year and sex, beside the publisher's own figure.
2. refugees hosted per region per year: refugees and asylum seekers (UNHCR) summed over the
   members of every M49 region, for every year.

Contenders (each run repeats the aggregation `--repeat` times and reports the median):

- "ORM": the app's code. For 1, `region_aggregates` itself (one query, a Python roll-up over
  the M49 hierarchy); for 2, what a region profile runs for each region (`area_members` and the
  two `_summed` queries of `selectors._refugees`).
- "ORM, one query" (2 only): one grouped query (indicator, area, year) and the Python roll-up.
- "DuckDB on a pre-built copy": the same SQL over Parquet files written once before timing
  (all observations, areas, the hierarchy's ancestor pairs): what it would cost if the app
  kept a DuckDB/Parquet copy up to date at import time. The copy's cost is not counted.
- "DuckDB, fetch + SQL" (the peer): the rows fetched from SQLite through the ORM
  (`values_list`, as `region_aggregates` fetches them), put in a DataFrame, then one DuckDB
  query; the fetch and the DataFrame count in its time, since that is what it would cost the
  app. No DuckDB extension is loaded or downloaded (autoload/autoinstall off; its sqlite
  extension would be a download).

Before timing, every contender's results must equal the ORM's (else the run fails).

    .venv/bin/python bench/statistics/engine.py [--rounds 5] [--repeat 5]
"""

from __future__ import annotations

import argparse
import math
import shutil
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import statbench as sb

STOCK = "international-migrant-stock"
REFUGEE_INDICATORS = ("refugees", "asylum-seekers")
WALL = sb.Metric("seconds", "median time (ms)", higher_is_better=False, digits=1)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (5)")
    parser.add_argument(
        "--repeat", type=int, default=5, help="aggregations per run; the run reports the median (5)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    root = sb.temporary_root("bench-statistics-engine-")
    try:
        return _benchmark(root, args)
    except sb.BenchmarkError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(root, ignore_errors=True)


def duckdb_connection() -> Any:
    import duckdb

    return duckdb.connect(
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )


class Engines:
    def __init__(self, root: Path):
        from migration_hub.statistics import selectors
        from migration_hub.statistics.choices import AreaKind
        from migration_hub.statistics.models import Area

        self.root = root
        self.stock = selectors.latest_dataset(STOCK, flows=False)
        self.refugees = selectors.latest_dataset("refugees", flows=True)
        if self.stock is None or self.refugees is None:
            raise sb.BenchmarkError("the samples did not import a stock or a UNHCR data set")
        # Every M49 region, sub-region and intermediate region, and the world.
        self.regions = sorted(
            Area.objects.filter(
                kind__in=[
                    AreaKind.WORLD,
                    AreaKind.REGION,
                    AreaKind.SUB_REGION,
                    AreaKind.INTERMEDIATE_REGION,
                ]
            ).values_list("code", flat=True)
        )
        self.db = duckdb_connection()

    # --- the pre-built copy ----------------------------------------------------------------

    def build_copy(self) -> dict[str, int]:
        """Parquet files of every observation, the areas and the hierarchy's ancestor pairs."""
        import pandas as pd

        from migration_hub.statistics import selectors
        from migration_hub.statistics.models import Area, Observation

        observations = pd.DataFrame.from_records(
            list(
                Observation.objects.values_list(
                    "dataset_id", "indicator__code", "area_id", "origin_id", "year", "sex", "value"
                )
            ),
            columns=["dataset_id", "indicator", "area", "origin", "year", "sex", "value"],
        )
        areas = pd.DataFrame.from_records(
            list(Area.objects.values_list("code", "kind", "name")), columns=["code", "kind", "name"]
        )
        tree = selectors.hierarchy()
        ancestors = pd.DataFrame(
            [
                (code, region)
                for code, above in tree.ancestors.items()
                for region in above
                if region != code
            ],
            columns=["code", "region"],
        )
        sizes = {}
        for name, frame in (
            ("observations", observations),
            ("areas", areas),
            ("ancestors", ancestors),
        ):
            path = self.root / f"{name}.parquet"
            self.db.register("frame", frame)
            self.db.execute(f"COPY frame TO '{path}' (FORMAT parquet)")
            self.db.unregister("frame")
            # Names and paths are this script's own, never input.
            view = f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path}')"  # noqa: S608
            self.db.execute(view)
            sizes[name] = len(frame)
        return sizes

    # --- 1. region aggregates ----------------------------------------------------------------

    def regions_orm(self) -> list[tuple]:
        from migration_hub.statistics import selectors

        return [
            (c.region, c.name, c.year, str(c.sex), c.computed, c.published, c.countries)
            for c in selectors.region_aggregates(self.stock, STOCK)
        ]

    REGIONS_SQL = """
        WITH agg AS (
            SELECT p.region, o.year, o.sex, SUM(o.value) AS computed, COUNT(*) AS countries
            FROM figures o JOIN pairs p ON p.code = o.area
            GROUP BY ALL
        )
        SELECT agg.region, agg.year, agg.sex, agg.computed, f.value AS published, agg.countries
        FROM agg LEFT JOIN figures f
            ON f.area = agg.region AND f.year = agg.year AND f.sex = agg.sex
        ORDER BY agg.region, agg.year, agg.sex
    """

    def regions_duckdb_fetch(self) -> list[tuple]:
        import pandas as pd

        from migration_hub.statistics import selectors
        from migration_hub.statistics.areas import WORLD
        from migration_hub.statistics.models import Area, Observation

        tree = selectors.hierarchy()
        leaves = selectors.leaf_areas(self.stock, STOCK)
        figures = pd.DataFrame.from_records(
            list(
                Observation.objects.filter(
                    dataset=self.stock,
                    indicator__code=STOCK,
                    origin__isnull=True,
                    value__isnull=False,
                ).values_list("area", "year", "sex", "value")
            ),
            columns=["area", "year", "sex", "value"],
        )
        pairs = pd.DataFrame(
            [
                (leaf, region)
                for leaf in leaves
                for region in tree.ancestors.get(leaf, {WORLD})
                if region != leaf
            ],
            columns=["code", "region"],
        )
        self.db.register("figures", figures)
        self.db.register("pairs", pairs)
        try:
            rows = self.db.execute(self.REGIONS_SQL).fetchall()
        finally:
            self.db.unregister("figures")
            self.db.unregister("pairs")
        names = dict(
            Area.objects.filter(code__in={row[0] for row in rows}).values_list("code", "name")
        )
        return [(r, names.get(r, r), y, s, c, p, n) for r, y, s, c, p, n in rows]

    REGIONS_COPY_SQL = """
        WITH figures AS (
            SELECT area, year, sex, value FROM observations
            WHERE dataset_id = $dataset AND indicator = $indicator AND origin IS NULL
        ),
        codes AS (SELECT DISTINCT area FROM figures),
        leaves AS (
            SELECT c.area AS code FROM codes c JOIN areas k ON k.code = c.area
            WHERE k.kind = 'country'
               OR (k.kind IN ('intermediate_region', 'sub_region') AND NOT EXISTS (
                    SELECT 1 FROM ancestors a JOIN codes below ON below.area = a.code
                    WHERE a.region = c.area AND a.code <> c.area))
        ),
        pairs AS (
            SELECT l.code, COALESCE(a.region, '900') AS region
            FROM leaves l LEFT JOIN ancestors a ON a.code = l.code
        ),
        valued AS (SELECT * FROM figures WHERE value IS NOT NULL),
        agg AS (
            SELECT p.region, o.year, o.sex, SUM(o.value) AS computed, COUNT(*) AS countries
            FROM valued o JOIN pairs p ON p.code = o.area AND p.region <> o.area
            GROUP BY ALL
        )
        SELECT agg.region, COALESCE(n.name, agg.region), agg.year, agg.sex, agg.computed,
               f.value AS published, agg.countries
        FROM agg
        LEFT JOIN valued f ON f.area = agg.region AND f.year = agg.year AND f.sex = agg.sex
        LEFT JOIN areas n ON n.code = agg.region
        ORDER BY agg.region, agg.year, agg.sex
    """

    def regions_duckdb_copy(self) -> list[tuple]:
        return self.db.execute(
            self.REGIONS_COPY_SQL, {"dataset": self.stock.pk, "indicator": STOCK}
        ).fetchall()

    # --- 2. refugees hosted per region per year ------------------------------------------------

    def refugees_orm(self) -> dict[tuple, float]:
        """What a region profile runs for its 'refugees hosted', for every M49 region."""
        from migration_hub.statistics import selectors

        totals = {}
        for region in self.regions:
            members = selectors.area_members(region)
            for row in selectors._refugees(members, self.refugees, "area"):
                totals[(region, row["indicator"], row["year"])] = row["value"]
        return totals

    def refugees_orm_one_query(self) -> dict[tuple, float]:
        from django.db.models import Sum

        from migration_hub.statistics import selectors
        from migration_hub.statistics.models import Observation

        tree = selectors.hierarchy()
        wanted = set(self.regions)
        totals: dict[tuple, float] = defaultdict(float)
        rows = (
            Observation.objects.filter(
                dataset=self.refugees,
                indicator__code__in=REFUGEE_INDICATORS,
                value__isnull=False,
            )
            .values_list("indicator__code", "area", "year")
            .annotate(total=Sum("value"))
            .order_by()
        )
        for indicator, area, year, value in rows:
            for region in tree.ancestors.get(area, ()):
                if region != area and region in wanted:
                    totals[(region, indicator, year)] += value
        return dict(totals)

    REFUGEES_SQL = """
        SELECT p.region, o.indicator, o.year, SUM(o.value)
        FROM figures o JOIN pairs p ON p.code = o.area AND p.region <> o.area
        WHERE o.value IS NOT NULL
        GROUP BY ALL
    """

    def refugees_duckdb_fetch(self) -> dict[tuple, float]:
        import pandas as pd

        from migration_hub.statistics import selectors
        from migration_hub.statistics.models import Observation

        tree = selectors.hierarchy()
        wanted = set(self.regions)
        figures = pd.DataFrame.from_records(
            list(
                Observation.objects.filter(
                    dataset=self.refugees,
                    indicator__code__in=REFUGEE_INDICATORS,
                    value__isnull=False,
                ).values_list("indicator__code", "area", "year", "value")
            ),
            columns=["indicator", "area", "year", "value"],
        )
        pairs = pd.DataFrame(
            [
                (code, region)
                for code, above in tree.ancestors.items()
                for region in above
                if region in wanted
            ],
            columns=["code", "region"],
        )
        self.db.register("figures", figures)
        self.db.register("pairs", pairs)
        try:
            rows = self.db.execute(self.REFUGEES_SQL).fetchall()
        finally:
            self.db.unregister("figures")
            self.db.unregister("pairs")
        return {(r, i, y): v for r, i, y, v in rows}

    REFUGEES_COPY_SQL = """
        SELECT a.region, o.indicator, o.year, SUM(o.value)
        FROM observations o JOIN ancestors a ON a.code = o.area
        WHERE o.dataset_id = $dataset AND o.indicator IN ('refugees', 'asylum-seekers')
          AND o.value IS NOT NULL AND a.region IN (SELECT UNNEST($regions))
        GROUP BY ALL
    """

    def refugees_duckdb_copy(self) -> dict[tuple, float]:
        rows = self.db.execute(
            self.REFUGEES_COPY_SQL, {"dataset": self.refugees.pk, "regions": self.regions}
        ).fetchall()
        return {(r, i, y): v for r, i, y, v in rows}


# --- checks and runners ----------------------------------------------------------------------


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is None and b is None
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
    return a == b


def check_rows(label: str, ours: list[tuple], theirs: list[tuple]) -> None:
    if len(ours) != len(theirs):
        raise sb.BenchmarkError(f"{label}: {len(theirs)} rows against the ORM's {len(ours)}")
    for a, b in zip(ours, theirs, strict=True):
        if len(a) != len(b) or not all(_same(x, y) for x, y in zip(a, b, strict=True)):
            raise sb.BenchmarkError(f"{label}: {b} against the ORM's {a}")


def check_totals(label: str, ours: dict[tuple, float], theirs: dict[tuple, float]) -> None:
    if ours.keys() != theirs.keys():
        missing, extra = ours.keys() - theirs.keys(), theirs.keys() - ours.keys()
        raise sb.BenchmarkError(
            f"{label}: {len(missing)} totals missing (e.g. {sorted(missing)[:3]}), "
            f"{len(extra)} extra (e.g. {sorted(extra)[:3]})"
        )
    for key, value in ours.items():
        if not _same(float(value), float(theirs[key])):
            raise sb.BenchmarkError(f"{label}: {key} = {theirs[key]} against the ORM's {value}")


def runner(function: Callable[[], Any], repeat: int) -> Callable[[], dict[str, float]]:
    def run() -> dict[str, float]:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
        return {"seconds": statistics.median(times) * 1000, "min_ms": min(times) * 1000}

    return run


def _benchmark(root: Path, args: argparse.Namespace) -> int:
    data_dir = root / "data"
    data_dir.mkdir()
    sb.configure_django(data_dir)
    started = time.perf_counter()
    sb.prepare_database()
    figures = sb.import_samples()
    print(f"SQLite: {figures:,} figures imported in {time.perf_counter() - started:.1f} s.")
    engines = Engines(root)
    sizes = engines.build_copy()
    print(
        "Pre-built copy (Parquet): " + ", ".join(f"{k} {v:,} rows" for k, v in sizes.items()) + "."
    )

    regions_orm = engines.regions_orm()
    check_rows("DuckDB, fetch + SQL", regions_orm, engines.regions_duckdb_fetch())
    check_rows("DuckDB on a pre-built copy", regions_orm, engines.regions_duckdb_copy())
    world = {(r[0], r[2], r[3]): r for r in regions_orm}[("900", 2020, "total")]
    refugees_orm = engines.refugees_orm()
    check_totals("ORM, one query", refugees_orm, engines.refugees_orm_one_query())
    check_totals("DuckDB, fetch + SQL", refugees_orm, engines.refugees_duckdb_fetch())
    check_totals("DuckDB on a pre-built copy", refugees_orm, engines.refugees_duckdb_copy())
    print(
        f"Checked: every contender gives the ORM's {len(regions_orm):,} region aggregates "
        f"(world 2020 both sexes: {world[4]:,.0f} summed over {world[6]} countries, published "
        f"{world[5]:,.0f}) and its {len(refugees_orm):,} refugee totals."
    )

    reports = {}
    for benchmark, contenders, what in (
        (
            "statistics_engine_regions",
            [
                ("ORM", runner(engines.regions_orm, args.repeat)),
                ("DuckDB on a pre-built copy", runner(engines.regions_duckdb_copy, args.repeat)),
                ("DuckDB, fetch + SQL", runner(engines.regions_duckdb_fetch, args.repeat)),
            ],
            f"region_aggregates(stock {engines.stock.revision}): {len(regions_orm)} rows",
        ),
        (
            "statistics_engine_refugees",
            [
                ("ORM", runner(engines.refugees_orm, args.repeat)),
                ("ORM, one query", runner(engines.refugees_orm_one_query, args.repeat)),
                ("DuckDB on a pre-built copy", runner(engines.refugees_duckdb_copy, args.repeat)),
                ("DuckDB, fetch + SQL", runner(engines.refugees_duckdb_fetch, args.repeat)),
            ],
            f"refugees + asylum seekers hosted per region per year: {len(refugees_orm)} totals "
            f"over {len(engines.regions)} M49 regions",
        ),
    ):
        reports[benchmark] = sb.run_side_by_side(
            benchmark,
            contenders,
            rounds=args.rounds,
            metrics=[WALL],
            parameters={
                "aggregation": what,
                "repeat": args.repeat,
                "note": "seconds holds the median of the repeats, in milliseconds",
                "copy_rows": sizes,
            },
        )
    lines = []
    for benchmark, report in reports.items():
        orm = report.medians["ORM"]["seconds"]
        for name in report.names:
            lines.append(
                [
                    benchmark.removeprefix("statistics_engine_"),
                    name,
                    f"{report.medians[name]['seconds']:.1f}",
                    "1.00"
                    if name == "ORM"
                    else f"{sb.paired_ratio(report, 'ORM', name, 'seconds'):.2f}",
                ]
            )
        best = min(report.names, key=lambda n: report.medians[n]["seconds"])
        report.add(
            orm_ms=orm,
            ratios_orm_over={
                name: sb.paired_ratio(report, "ORM", name, "seconds")
                for name in report.names
                if name != "ORM"
            },
            fastest=best,
        )
    print(
        sb.markdown_table(
            ["aggregation", "contender", "median (ms)", "ORM / contender (>1: contender faster)"],
            lines,
        )
    )
    fetch_wins = []
    for benchmark, report in reports.items():
        medians = {name: report.medians[name]["seconds"] for name in report.names}
        best_orm = min((n for n in report.names if n.startswith("ORM")), key=medians.__getitem__)
        orm, fetch = medians[best_orm], medians["DuckDB, fetch + SQL"]
        copy = medians["DuckDB on a pre-built copy"]
        fetch_wins.append(fetch < orm)
        verdict = {
            "best_orm": best_orm,
            "best_orm_ms": orm,
            "duckdb_fetch_ms": fetch,
            "duckdb_copy_ms": copy,
        }
        report.add(verdict=verdict)
        print(
            f"{benchmark.removeprefix('statistics_engine_')}: best ORM ({best_orm}) {orm:.1f} ms; "
            f"DuckDB fed from SQLite {fetch:.1f} ms ({orm / fetch:.2f}x the ORM's speed); "
            f"DuckDB on a pre-built copy {copy:.1f} ms ({orm / copy:.1f}x, "
            f"{orm - copy:.1f} ms saved). {sb.noise_summary(report)}."
        )
    if not any(fetch_wins):
        print(
            "Conclusion: fed from SQLite, DuckDB is slower than the best ORM query for every "
            "aggregation measured: not worth it at this data size; only a copy kept up to date "
            "beside the database would be faster, by the milliseconds shown."
        )
    else:
        print(
            "Conclusion: DuckDB fed from SQLite beats the best ORM query for "
            f"{sum(fetch_wins)} of {len(fetch_wins)} aggregations (see the ratios)."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
