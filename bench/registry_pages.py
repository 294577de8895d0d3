"""Latency of two registry HTML pages, signed in, with the full reference set, against the bare
JSON view of the foundation.

"directory": GET /registry/, the organization directory (first page of 50 of the 57
organizations, with its filter form); "country": GET /registry/countries/MEX/, a country's gap
analysis (core instruments, memberships, treaty actions); "bare" (the peer):
GET /bench/bare/countries/?limit=50, the plain function view of bench_project. One gunicorn
(2 sync workers) serves all three with the same settings and middleware; wrk loads one URL at a
time, rounds alternating, every request carrying the same session cookie. Few connections
(4 for 2 workers by default), so latency is mostly the page's own time rather than queueing.

    .venv/bin/python bench/registry_pages.py [--duration 8] [--rounds 3] [--threads 2]
        [--connections 4] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

from bench_project import BARE_COUNTRIES_PATH
from harness import BenchmarkError, Metric, Report, run_side_by_side
from hubserver import (
    BENCH_USERNAME,
    GunicornServer,
    HubEnvironment,
    create_session,
    http_request,
    prepared_hub,
)
from loadgen import run_wrk

BENCHMARK = "registry_pages"
DIRECTORY_PATH = "/registry/"
COUNTRY = "MEX"
COUNTRY_PATH = f"/registry/countries/{COUNTRY}/"
LIMIT = 50
BARE_PATH = f"{BARE_COUNTRIES_PATH}?limit={LIMIT}"
EXPECTED_COUNTRIES = 249
DIRECTORY_ROWS = 50  # the first page of the 57 organizations of the reference set
LOGIN_PATH = "/accounts/login/"
# Goal from the issue, for each page.
MAX_P95_MS = 100.0
PERCENTILES = (50, 95, 99)
WARM_UP_S = 2

METRICS = [
    Metric("requests_per_s", "requests/s"),
    Metric("p50_ms", "p50 (ms)", higher_is_better=False),
    Metric("p95_ms", "p95 (ms)", higher_is_better=False),
    Metric("p99_ms", "p99 (ms)", higher_is_better=False),
]


def _require(condition: bool, message: str, body: bytes) -> None:
    if not condition:
        raise BenchmarkError(f"{message}:\n{body[:3000].decode(errors='replace')}")


def check_signed_in_page(body: bytes) -> None:
    signed_in = f"My account ({BENCH_USERNAME})".encode()
    _require(signed_in in body, "the page is not shown to the signed-in bench user", body)
    _require(b'name="password"' not in body, "the page is a sign-in form", body)


def check_directory(body: bytes) -> None:
    check_signed_in_page(body)
    _require(b"<h1>Directory of migration governance</h1>" in body, "not the directory", body)
    rows = body.count(b'<td><a href="/registry/organizations/')
    _require(rows == DIRECTORY_ROWS, f"{rows} organizations listed, not {DIRECTORY_ROWS}", body)


def check_country(body: bytes) -> None:
    check_signed_in_page(body)
    _require(b"<h1>Mexico</h1>" in body, f"not the page of {COUNTRY}", body)
    table = body.split(b'<table class="gap-table">', 1)[-1].split(b"</table>", 1)[0]
    rows = table.count(b'<span class="status status-')
    _require(rows > 0, "the gap analysis lists no core instrument", body)
    _require(b"status-party" in table, f"{COUNTRY} is a party to nothing: data not loaded?", body)


def check_bare(body: bytes) -> None:
    page = json.loads(body)
    _require(
        page["count"] == EXPECTED_COUNTRIES and len(page["results"]) == LIMIT,
        f"expected {EXPECTED_COUNTRIES} countries and a page of {LIMIT}",
        body,
    )


def check_sign_in_required(server: GunicornServer) -> None:
    """Without the cookie the pages redirect to sign-in: the cookie is what makes them 200."""
    for path in (DIRECTORY_PATH, COUNTRY_PATH):
        status, headers, _body = http_request(server.port, path)
        location = headers.get("location", "")
        if status != 302 or not location.startswith(LOGIN_PATH):
            raise BenchmarkError(
                f"{path} without a session answered {status} (location {location!r}), "
                f"not a redirect to {LOGIN_PATH}"
            )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per run (8)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (3)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.connections < args.threads:
        print("error: wrk needs at least one connection per thread", file=sys.stderr)
        return 2
    try:
        with prepared_hub() as hub:
            return _benchmark(hub, args)
    except BenchmarkError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def _benchmark(hub: HubEnvironment, args: argparse.Namespace) -> int:
    cookie_name, session_key = create_session(hub)
    headers = {"Cookie": f"{cookie_name}={session_key}"}
    pages: list[tuple[str, str, Callable[[bytes], None]]] = [
        ("directory", DIRECTORY_PATH, check_directory),
        ("country", COUNTRY_PATH, check_country),
        ("bare", BARE_PATH, check_bare),
    ]
    with GunicornServer(hub, "registry", workers=args.workers) as server:
        sizes: dict[str, int] = {}
        for name, path, check in pages:
            body = server.wait_ready(path, headers)
            check(body)
            sizes[name] = len(body)
        check_sign_in_required(server)
        print(
            "Checked, signed in: "
            + ", ".join(f"{server.origin}{path} ({sizes[name]} bytes)" for name, path, _ in pages)
        )

        def load(name: str, path: str, duration: int) -> Callable[[], dict[str, float]]:
            def run() -> dict[str, float]:
                return run_wrk(
                    server.origin + path,
                    duration_s=duration,
                    threads=args.threads,
                    connections=args.connections,
                    headers=headers,
                    percentiles=PERCENTILES,
                    # Every response must be at least the page's body: a redirect to sign-in
                    # (which wrk counts as a success) would pull the mean down.
                    min_mean_response_bytes=sizes[name],
                ).metrics()

            return run

        for name, path, _check in pages:  # warm every worker outside the measured rounds
            load(name, path, WARM_UP_S)()
        report = run_side_by_side(
            BENCHMARK,
            [(name, load(name, path, args.duration)) for name, path, _check in pages],
            rounds=args.rounds,
            metrics=METRICS,
            parameters={
                **{name: path for name, path, _check in pages},
                "signed_in": "every request sends the bench user's session cookie",
                "reference_data": "full (migration-hub load-reference)",
                "duration_s": args.duration,
                "threads": args.threads,
                "connections": args.connections,
                "gunicorn_workers": args.workers,
                "gunicorn_worker_class": "sync",
                "database": "sqlite",
                "warm_up_s": WARM_UP_S,
                "response_bytes": sizes,
            },
        )
    _goals(report, ("directory", "country"))
    return 0


def _goals(report: Report, names: Sequence[str]) -> None:
    goals: dict[str, tuple[bool, str]] = {}
    for name in names:
        median = report.medians[name]["p95_ms"]
        worst = max(report.values(name, "p95_ms"))
        goals[f"{name} p95 <= {MAX_P95_MS:.0f} ms (median of rounds)"] = (
            median <= MAX_P95_MS,
            f"{median:.1f} ms; slowest round {worst:.1f} ms",
        )
    ratios = report.ratios_by_name
    report.add(
        goals={goal: {"met": met, "measured": value} for goal, (met, value) in goals.items()}
    )
    for goal, (met, value) in goals.items():
        print(f"Goal: {goal}: {'met' if met else 'NOT met'} ({value}).")
    for name in names:
        print(
            f"{name}: {ratios[name]['requests_per_s']:.2f} x the bare view's requests/s, "
            f"p95 {ratios[name]['p95_ms']:.1f} x the bare view's."
        )


if __name__ == "__main__":
    sys.exit(main())
