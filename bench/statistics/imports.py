"""Import each sample statistics file (wall time, figures/s) against pandas reading the same
file into the same long table, side by side in one run.

"ours": `services.import_file(KIND, FILE)` (what `migration-hub import KIND FILE` runs) in this
process, timed around the call, on a fresh copy of a migrated SQLite database with the countries
loaded and no statistics: every run is a first import. In-process so that neither side pays
interpreter and Django start-up (pandas does not); the parse/write split comes from timing
`services.store` inside the call.
"pandas" (the peer): `read_excel(engine="calamine")` (the reader the app uses) or `read_csv`,
then melt/reshape to the same rows (indicator, area, origin, year, sex, value), with the same
area codes: the same import minus the database write. For the two .xlsx files pandas' default
engine (openpyxl) is timed too, right after, as a second reference.

    .venv/bin/python bench/statistics/imports.py [--rounds 5] [--no-cli]
"""

from __future__ import annotations

import argparse
import gc
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import statbench as sb

BENCHMARK = "statistics_imports"
MAX_RATIO = 2.0  # goal from the issue: import within 2x of pandas' read time


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (5)")
    parser.add_argument(
        "--no-cli",
        action="store_true",
        help="skip the one-off `migration-hub import` process per file (start-up included)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    root = sb.temporary_root("bench-statistics-imports-")
    try:
        return _benchmark(root, args)
    except sb.BenchmarkError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(root, ignore_errors=True)


class Files:
    """The seven sample files, their expected figure counts and the runners of both sides."""

    def __init__(self, root: Path, codes: sb.AreaCodes, template: Path):
        self.root = root
        self.codes = codes
        self.template = template
        self.samples = sb.samples()
        self.figures: dict[str, int] = {}

    @staticmethod
    def short(path: Path) -> str:
        return sb.SHORT_NAMES.get(path.name, path.stem)

    def check(self) -> dict[str, Any]:
        """Before timing: for every file both sides must read the same figures (keys and values),
        and after our import the database must hold the figures pandas read (spot checks)."""
        from migration_hub.statistics import services
        from migration_hub.statistics.models import Observation

        spot: dict[str, Any] = {}
        for kind, path in self.samples:
            sb.restore(self.template)
            parsed = services.PARSERS[kind](path)
            frame = sb.pandas_read(kind, path, self.codes)
            sb.check_same_figures(path.name, sb.figures_frame(parsed.figures), frame)
            self.figures[self.short(path)] = len(parsed.figures)
            if self.short(path) != "undesa-stock-2020":
                continue
            services.store(parsed, file_name=path.name)
            for label, area in (("Kenya", "404"), ("World", "900")):
                ours = Observation.objects.get(
                    dataset__key="undesa-international-migrant-stock",
                    indicator__code="international-migrant-stock",
                    area=area,
                    year=2020,
                    sex="total",
                    origin__isnull=True,
                ).value
                theirs = sb.stock_value(frame, area, 2020)
                sb.check_close(f"{label} 2020 migrant stock", ours, theirs)
                spot[f"{label} 2020 migrant stock"] = {"ours": ours, "pandas": theirs}
        return spot

    def ours(self) -> dict[str, float]:
        from migration_hub.statistics import services

        metrics: dict[str, float] = {}
        original_store = services.store
        stored: list[float] = []

        def timed_store(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original_store(*args, **kwargs)
            finally:
                stored.append(time.perf_counter() - started)

        services.store = timed_store
        try:
            for kind, path in self.samples:
                name = self.short(path)
                sb.restore(self.template)  # not timed
                gc.collect()  # the previous file's garbage is not this file's cost
                stored.clear()
                seconds, report = sb.timed(lambda k=kind, p=path: services.import_file(k, p))
                if report.added != self.figures[name]:
                    raise sb.BenchmarkError(
                        f"{path.name}: {report.added} figures added, expected {self.figures[name]}"
                    )
                metrics[f"seconds {name}"] = seconds
                metrics[f"write {name}"] = stored[0]
                metrics[f"parse {name}"] = seconds - stored[0]
        finally:
            services.store = original_store
        metrics["seconds total"] = sum(
            metrics[f"seconds {self.short(p)}"] for _k, p in self.samples
        )
        return metrics

    def pandas(self) -> dict[str, float]:
        metrics: dict[str, float] = {}
        for kind, path in self.samples:
            name = self.short(path)
            gc.collect()
            seconds, frame = sb.timed(lambda k=kind, p=path: sb.pandas_read(k, p, self.codes))
            if len(frame) != self.figures[name]:
                raise sb.BenchmarkError(f"{path.name}: pandas read {len(frame)} figures")
            metrics[f"seconds {name}"] = seconds
            if path.suffix == ".xlsx":
                seconds, _frame = sb.timed(
                    lambda k=kind, p=path: sb.pandas_read(k, p, self.codes, engine="openpyxl")
                )
                metrics[f"openpyxl {name}"] = seconds
        metrics["seconds total"] = sum(
            metrics[f"seconds {self.short(p)}"] for _k, p in self.samples
        )
        return metrics

    def cli(self) -> dict[str, float]:
        """`migration-hub import KIND FILE` once per file as a whole process (start-up, progress
        bar and all), on a fresh data directory with the same template database."""
        seconds: dict[str, float] = {}
        for kind, path in self.samples:
            data_dir = self.root / f"cli-{self.short(path)}"
            data_dir.mkdir()
            shutil.copyfile(self.template, data_dir / sb.SQLITE_FILE_NAME)
            env = sb.hub_environment(
                data_dir, {"DJANGO_SETTINGS_MODULE": "migration_hub.config.settings"}
            )
            metrics, output = sb.run_process(sb.hub_command("import", kind, str(path)), env=env)
            if f"{self.figures[self.short(path)]} added" not in output:
                raise sb.BenchmarkError(f"unexpected output of migration-hub import:\n{output}")
            seconds[self.short(path)] = metrics["seconds"]
            shutil.rmtree(data_dir, ignore_errors=True)
        return seconds


def _benchmark(root: Path, args: argparse.Namespace) -> int:
    data_dir = root / "data"
    data_dir.mkdir()
    template = root / "template.sqlite3"
    sb.configure_django(data_dir)
    sb.prepare_database()
    sb.snapshot(template)
    codes = sb.area_codes()
    files = Files(root, codes, template)
    spot = files.check()
    print(
        "Checked: ours and pandas read the same figures from every file; "
        + ", ".join(f"{label} {v['ours']:,.0f}" for label, v in spot.items())
        + " in both."
    )
    names = [files.short(path) for _kind, path in files.samples]
    metrics = [
        sb.Metric(f"seconds {name}", f"{name} (s)", higher_is_better=False, digits=3)
        for name in [*names, "total"]
    ]
    report = sb.run_side_by_side(
        BENCHMARK,
        [("ours", files.ours), ("pandas", files.pandas)],
        rounds=args.rounds,
        metrics=metrics,
        parameters={
            "ours": "services.import_file(kind, file) in-process on a fresh copy of a migrated "
            "SQLite database with the countries loaded (first import); parse = import - store",
            "pandas": "read_excel(engine='calamine') or read_csv, melt to indicator, area, "
            "origin, year, sex, value with the same area codes; no database write",
            "openpyxl": "pandas read_excel with its default engine (openpyxl), .xlsx only, "
            "timed inside the pandas run",
            "figures": files.figures,
            "database": "sqlite (WAL, synchronous=NORMAL)",
        },
    )
    cli = {} if args.no_cli else files.cli()
    table, rows = _summary(report, files, names, cli)
    goals = {
        f"{name}: import <= {MAX_RATIO:g}x pandas": {
            "met": row["ratio"] <= MAX_RATIO,
            "measured": f"{row['ratio']:.1f}x",
        }
        for name, row in rows.items()
    }
    report.add(summary=rows, cli_seconds=cli, spot_checks=spot, goals=goals)
    print(table)
    print()
    print(
        f"Medians over {args.rounds} rounds; ratios are medians of per-round ratios; "
        f"{sb.noise_summary(report)}."
    )
    met = [name for name, goal in goals.items() if goal["met"]]
    print(
        f"Goal (import within {MAX_RATIO:g}x of pandas' read time): "
        f"met for {len(met)} of {len(goals)} rows."
    )
    for name, goal in goals.items():
        print(f"  {name}: {'met' if goal['met'] else 'NOT met'} ({goal['measured']})")
    return 0


def _median(report: sb.Report, name: str, key: str) -> float:
    return statistics.median(report.values(name, key))


def _summary(
    report: sb.Report, files: Files, names: list[str], cli: dict[str, float]
) -> tuple[str, dict[str, dict[str, float]]]:
    rows: dict[str, dict[str, float]] = {}
    lines = []
    fmt: Callable[[float], str] = lambda s: f"{s * 1000:,.0f} ms" if s < 10 else f"{s:,.2f} s"  # noqa: E731
    for name in [*names, "total"]:
        figures = sum(files.figures.values()) if name == "total" else files.figures[name]
        ours = report.medians["ours"][f"seconds {name}"]
        pandas = report.medians["pandas"][f"seconds {name}"]
        row = {
            "figures": figures,
            "ours_s": ours,
            "ours_figures_per_s": figures / ours,
            "pandas_s": pandas,
            "pandas_figures_per_s": figures / pandas,
            "ratio": report.ratios_by_name["ours"][f"seconds {name}"],
        }
        if name != "total":
            row["parse_s"] = _median(report, "ours", f"parse {name}")
            row["write_s"] = _median(report, "ours", f"write {name}")
            row["parse_ratio"] = sb.paired_ratio_keys(
                report, "ours", f"parse {name}", "pandas", f"seconds {name}"
            )
        else:
            row["parse_s"] = sum(rows[n]["parse_s"] for n in names)
            row["write_s"] = sum(rows[n]["write_s"] for n in names)
            row["parse_ratio"] = row["parse_s"] / pandas
        if any(f"openpyxl {name}" in run["metrics"] for run in report.runs):
            row["openpyxl_s"] = _median(report, "pandas", f"openpyxl {name}")
            row["ratio_to_openpyxl"] = sb.paired_ratio_keys(
                report, "ours", f"seconds {name}", "pandas", f"openpyxl {name}"
            )
        if name in cli:
            row["cli_s"] = cli[name]
        rows[name] = row
        lines.append(
            [
                f"{name}" if name != "total" else "**all seven**",
                f"{figures:,}",
                fmt(ours),
                f"{figures / ours:,.0f}",
                f"{fmt(row['parse_s'])} / {fmt(row['write_s'])}",
                fmt(pandas),
                f"{figures / pandas:,.0f}",
                f"**{row['ratio']:.1f}x**",
                f"{row['parse_ratio']:.1f}x",
                f"{fmt(row['openpyxl_s'])} (ours {row['ratio_to_openpyxl']:.1f}x)"
                if "openpyxl_s" in row
                else "-",
                fmt(row["cli_s"]) if "cli_s" in row else "-",
            ]
        )
    header = [
        "file",
        "figures",
        "ours",
        "ours figures/s",
        "ours parse / write",
        "pandas (calamine)",
        "pandas figures/s",
        "ours / pandas",
        "parse / pandas",
        "pandas (openpyxl)",
        "CLI process (1 run)",
    ]
    return sb.markdown_table(header, lines), rows


if __name__ == "__main__":
    sys.exit(main())
