"""GCM report compilation: the global report on 193 reviews x 23 objectives to DOCX and to
PDF with all four charts, against the HTML page alone (the baseline), in one run.

Each contender is one fresh process compiling `documents.compile_document(2026, "global",
FORMAT)` on the same SQLite database: "seconds" is the first compilation in that process
(cold: it pays WeasyPrint's and vl-convert's imports, as the CLI and a fresh worker do),
"warm seconds" a second one in the same process (a worker that has compiled before), "peak
MB" the process's peak resident memory (ru_maxrss, Django and the imports included) and
"process seconds" the whole process, Python start-up and Django set-up included. Goal (from
the issue): DOCX and PDF <= 10 s each on a 2-core machine.

    .venv/bin/python bench/reports/compile.py [--rounds 3] [--reviews 193]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH_DIR = HERE.parent
for _entry in (str(HERE), str(BENCH_DIR)):
    if _entry not in sys.path:
        sys.path.insert(0, _entry)

import harness  # noqa: E402
from harness import BenchmarkError, Metric, run_side_by_side  # noqa: E402

GOAL_SECONDS = 10.0
FORMATS = ("docx", "pdf", "html")  # html last: the peer every ratio is taken against
METRICS = [
    Metric("seconds", "compile, cold (s)", higher_is_better=False, digits=2),
    Metric("warm_seconds", "compile, warm (s)", higher_is_better=False, digits=2),
    Metric("peak_mb", "peak memory (MB)", higher_is_better=False, digits=0),
    Metric("process_seconds", "whole process (s)", higher_is_better=False, digits=2),
]


def environment(data_dir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "MIGRATION_HUB_DATA_DIR": str(data_dir),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "LOG_LEVEL": "WARNING",
    }
    env.setdefault("DJANGO_SETTINGS_MODULE", "migration_hub.config.settings")
    env.pop("DATABASE_URL", None)  # always the SQLite file in the temporary data directory
    return env


def _setup(data_dir: Path) -> None:
    os.environ.update(environment(data_dir))
    import django

    django.setup()


def prepare(data_dir: Path, reviews: int) -> dict:
    """Migrate a fresh SQLite database in `data_dir` and write the reviews."""
    _setup(data_dir)
    import report_data
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    written = report_data.generate(reviews=reviews)
    written["prepare_seconds"] = round(time.perf_counter() - started, 1)
    return written


def child(data_dir: Path, fmt: str) -> None:
    """One contender's process: compile twice, print the figures as JSON."""
    _setup(data_dir)
    from migration_hub.reviews import documents

    figures = {}
    for key in ("seconds", "warm_seconds"):
        started = time.perf_counter()
        content, report = documents.compile_document(2026, "global", fmt)
        figures[key] = time.perf_counter() - started
    (data_dir / f"global-2026.{fmt}").write_bytes(content)
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures["bytes"] = len(content)
    figures["reviews"] = report.total
    print(json.dumps(figures))


def runner(data_dir: Path, fmt: str, expected_reviews: int):
    command = [sys.executable, str(Path(__file__).resolve()), "--child", fmt, str(data_dir)]

    def run() -> dict[str, float]:
        started = time.perf_counter()
        completed = subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
            env=environment(data_dir),
        )
        elapsed = time.perf_counter() - started
        if completed.returncode != 0:
            raise BenchmarkError(f"{fmt} failed: {completed.stderr[-3000:]}")
        figures = json.loads(completed.stdout.strip().splitlines()[-1])
        if figures["reviews"] != expected_reviews:
            raise BenchmarkError(f"{fmt} compiled {figures['reviews']} reviews")
        figures["process_seconds"] = elapsed
        return figures

    return run


def check_outputs(data_dir: Path) -> dict[str, int]:
    """The documents open: python-docx reads the DOCX, pdftoppm draws every PDF page."""
    from docx import Document

    document = Document(str(data_dir / "global-2026.docx"))
    pages = data_dir / "pages"
    pages.mkdir(exist_ok=True)
    subprocess.run(
        [
            shutil.which("pdftoppm") or "/usr/bin/pdftoppm",
            *("-png", "-r", "20"),
            str(data_dir / "global-2026.pdf"),
            str(pages / "page"),
        ],
        check=True,
        timeout=120,
    )
    return {
        "docx_tables": len(document.tables),
        "docx_charts": len(document.inline_shapes),
        "pdf_pages": len(list(pages.glob("page*.png"))),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (3)")
    parser.add_argument("--reviews", type=int, default=193, help="reviews in 2026 (193)")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    parser.add_argument(
        "--no-revision",
        action="store_true",
        help="do not ask git for the commit (a checkout without git)",
    )
    parser.add_argument("--prepare", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs=2, metavar=("FORMAT", "DATA_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(Path(args.child[1]), args.child[0])
        return 0
    if args.prepare:
        print(json.dumps(prepare(Path(args.prepare[1]), int(args.prepare[0]))))
        return 0
    if args.no_revision:
        harness.revision = lambda: None
    data_dir = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    try:
        print(f"Preparing {args.reviews} reviews x 23 objectives in {data_dir} ...", flush=True)
        written = subprocess.run(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--prepare",
                str(args.reviews),
                str(data_dir),
            ],
            capture_output=True,
            text=True,
            check=False,
            env=environment(data_dir),
        )
        if written.returncode != 0:
            raise BenchmarkError(f"preparing the data failed: {written.stderr[-3000:]}")
        data = json.loads(written.stdout.strip().splitlines()[-1])
        print(f"Data: {data}", flush=True)
        report = run_side_by_side(
            "reports",
            [(fmt, runner(data_dir, fmt, args.reviews)) for fmt in FORMATS],
            rounds=args.rounds,
            metrics=METRICS,
            parameters={"reviews": args.reviews, "objectives": 23, "scope": "global", **data},
        )
        outputs = check_outputs(data_dir)
        goals = {fmt: report.medians[fmt]["seconds"] <= GOAL_SECONDS for fmt in ("docx", "pdf")}
        report.add(goal_seconds=GOAL_SECONDS, goals_met=goals, outputs=outputs)
        print(f"Outputs: {outputs}")
        for fmt, met in goals.items():
            verdict = "met" if met else "NOT MET"
            print(
                f"{fmt.upper()}: median cold compile {report.medians[fmt]['seconds']:.2f} s "
                f"(goal <= {GOAL_SECONDS:.0f} s: {verdict})"
            )
        return 0 if all(goals.values()) else 1
    finally:
        if args.keep:
            print(f"Kept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
