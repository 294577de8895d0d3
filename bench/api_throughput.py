"""JSON throughput of a paginated API list against a bare Django view returning the same JSON.

"ours": GET /api/core/countries/?limit=50 with a DRF token (the whole DRF stack: token
authentication, rules permission, throttling, filter backends, pagination, serializer).
"bare": GET /bench/bare/countries/?limit=50, built with `.values()` and `JsonResponse`.
Both run under gunicorn (2 sync workers each, two ports on 127.0.0.1) with the same settings
and middleware; wrk loads one at a time, rounds alternating.

    .venv/bin/python bench/api_throughput.py [--duration 10] [--rounds 3] [--threads 2]
        [--connections 32] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from bench_project import BARE_COUNTRIES_PATH
from harness import BenchmarkError, Metric, run_side_by_side
from hubserver import GunicornServer, HubEnvironment, prepared_hub
from loadgen import run_wrk

BENCHMARK = "api_throughput"
LIMIT = 50
API_PATH = f"/api/core/countries/?limit={LIMIT}"
BARE_PATH = f"{BARE_COUNTRIES_PATH}?limit={LIMIT}"
EXPECTED_COUNT = 249
# Goals from the issue.
MIN_THROUGHPUT_RATIO = 0.5
MAX_P99_MS = 100.0
WARM_UP_S = 2

METRICS = [
    Metric("requests_per_s", "requests/s"),
    Metric("p99_ms", "p99 latency (ms)", higher_is_better=False),
]


def _normalized(body: bytes, origin_and_path: str) -> bytes:
    # The `next` link names the server's port and path; everything else must match byte for byte.
    return body.replace(origin_and_path.encode(), b"<endpoint>")


def check_same_json(ours: tuple[GunicornServer, bytes], bare: tuple[GunicornServer, bytes]) -> None:
    (ours_server, ours_body), (bare_server, bare_body) = ours, bare
    ours_norm = _normalized(ours_body, ours_server.origin + API_PATH.split("?")[0])
    bare_norm = _normalized(bare_body, bare_server.origin + BARE_COUNTRIES_PATH)
    if ours_norm != bare_norm:
        raise BenchmarkError(
            "the API and the bare view answer different JSON; fix the bare view first.\n"
            f"ours: {ours_norm[:600]!r}\nbare: {bare_norm[:600]!r}"
        )
    page = json.loads(ours_body)
    if page["count"] != EXPECTED_COUNT or len(page["results"]) != LIMIT:
        raise BenchmarkError(
            f"expected {EXPECTED_COUNT} countries and a page of {LIMIT}, got count "
            f"{page['count']} and {len(page['results'])} results"
        )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per run (10)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (3)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server (2)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        with prepared_hub() as hub:
            return _benchmark(hub, args)
    except BenchmarkError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def _benchmark(hub: HubEnvironment, args: argparse.Namespace) -> int:
    headers = {"Authorization": f"Token {hub.token}", "Accept": "application/json"}
    with (
        GunicornServer(hub, "ours", workers=args.workers) as ours,
        GunicornServer(hub, "bare", workers=args.workers) as bare,
    ):
        check_same_json(
            (ours, ours.wait_ready(API_PATH, headers)), (bare, bare.wait_ready(BARE_PATH, headers))
        )
        print(f"Both answer the same JSON ({ours.origin}{API_PATH}, {bare.origin}{BARE_PATH}).")

        def load(url: str, duration: int) -> Callable[[], dict[str, float]]:
            def run() -> dict[str, float]:
                return run_wrk(
                    url,
                    duration_s=duration,
                    threads=args.threads,
                    connections=args.connections,
                    headers=headers,
                ).metrics()

            return run

        # Warm every worker (imports, URL resolver, connections) outside the measured rounds.
        for url in (ours.origin + API_PATH, bare.origin + BARE_PATH):
            load(url, WARM_UP_S)()
        report = run_side_by_side(
            BENCHMARK,
            [
                ("ours", load(ours.origin + API_PATH, args.duration)),
                ("bare", load(bare.origin + BARE_PATH, args.duration)),
            ],
            rounds=args.rounds,
            metrics=METRICS,
            parameters={
                "ours": API_PATH,
                "bare": BARE_PATH,
                "duration_s": args.duration,
                "threads": args.threads,
                "connections": args.connections,
                "gunicorn_workers": args.workers,
                "gunicorn_worker_class": "sync",
                "database": "sqlite",
                "warm_up_s": WARM_UP_S,
            },
        )
    ratio = report.ratios["requests_per_s"]
    p99 = report.medians["ours"]["p99_ms"]
    goals = {
        f"ours >= {MIN_THROUGHPUT_RATIO:.0%} of bare throughput": (
            ratio >= MIN_THROUGHPUT_RATIO,
            f"{ratio:.0%}",
        ),
        f"ours p99 <= {MAX_P99_MS:.0f} ms (median of rounds)": (p99 <= MAX_P99_MS, f"{p99:.1f} ms"),
    }
    report.add(
        goals={goal: {"met": met, "measured": value} for goal, (met, value) in goals.items()}
    )
    for goal, (met, value) in goals.items():
        print(f"Goal: {goal}: {'met' if met else 'NOT met'} ({value}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
