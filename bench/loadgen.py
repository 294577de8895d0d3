"""HTTP load from `wrk`, on loopback only, parsed into requests/s and latency percentiles.

`wrk --latency` prints only p50/p75/p90/p99, rounded. For other percentiles (p95) run_wrk adds
a small Lua script whose `done()` prints `latency:percentile(p)` in microseconds, with the
exact byte and request counts (used to check that every response was the full page).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from harness import BenchmarkError

LOOPBACK = "127.0.0.1"
TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
SIZE_UNITS = {"": 1, "k": 1e3, "m": 1e6, "g": 1e9}

_REQUESTS_PER_S = re.compile(r"^Requests/sec:\s+([\d.]+)\s*$", re.MULTILINE)
_PERCENTILE = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_TOTAL = re.compile(r"^\s+(\d+) requests in ([\d.]+)(us|ms|s|m|h),", re.MULTILINE)
_NON_2XX = re.compile(r"^\s+Non-2xx or 3xx responses:\s+(\d+)\s*$", re.MULTILINE)
_SOCKET_ERRORS = re.compile(
    r"^\s+Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)\s*$", re.MULTILINE
)
_SCRIPT_PERCENTILE = re.compile(r"^wrk-percentile ([\d.]+) (\d+)\s*$", re.MULTILINE)
_SCRIPT_SUMMARY = re.compile(
    r"^wrk-summary requests=(\d+) bytes=(\d+) status_errors=(\d+)\s*$", re.MULTILINE
)

# Lua for `wrk --script`: after the run, print the exact percentiles asked for (microseconds,
# from wrk's full latency histogram) and the exact request and byte counts.
_DONE_SCRIPT = """
local wanted = {{{percentiles}}}
done = function(summary, latency, requests)
  io.write(string.format("wrk-summary requests=%d bytes=%d status_errors=%d\\n",
    summary.requests, summary.bytes, summary.errors.status))
  for _, p in ipairs(wanted) do
    io.write(string.format("wrk-percentile %g %d\\n", p, latency:percentile(p)))
  end
end
"""


@dataclass(frozen=True)
class WrkResult:
    requests_per_s: float
    latency_ms: dict[float, float]  # percentile -> milliseconds
    requests: int
    duration_s: float
    non_2xx_3xx: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)
    bytes_read: int | None = None  # exact, from the Lua script when one ran

    @property
    def p99_ms(self) -> float:
        return self.latency_ms[99]

    @property
    def mean_response_bytes(self) -> float | None:
        if self.bytes_read is None or not self.requests:
            return None
        return self.bytes_read / self.requests

    def metrics(self) -> dict[str, float]:
        result = {
            "requests_per_s": self.requests_per_s,
            "p50_ms": self.latency_ms[50],
            "p99_ms": self.p99_ms,
            "requests": float(self.requests),
            "duration_s": self.duration_s,
        }
        for percentile, value in sorted(self.latency_ms.items()):
            if percentile not in (50, 75, 90, 99):
                result[f"p{percentile:g}_ms"] = value
        if self.mean_response_bytes is not None:
            result["mean_response_bytes"] = self.mean_response_bytes
        return result


def percentile_key(percentile: float) -> float:
    """95.0 -> 95, 99.9 -> 99.9: the key of `WrkResult.latency_ms`."""
    return int(percentile) if float(percentile).is_integer() else float(percentile)


def to_ms(value: str, unit: str) -> float:
    return float(value) * TIME_UNITS_MS[unit]


def parse_wrk(output: str) -> WrkResult:
    """Parse `wrk --latency` output; raises BenchmarkError if a needed line is missing."""
    rate = _REQUESTS_PER_S.search(output)
    total = _TOTAL.search(output)
    percentiles = {int(p): to_ms(value, unit) for p, value, unit in _PERCENTILE.findall(output)}
    if rate is None or total is None or 99 not in percentiles or 50 not in percentiles:
        raise BenchmarkError(f"cannot parse wrk output (was --latency given?):\n{output}")
    non_2xx = _NON_2XX.search(output)
    sockets = _SOCKET_ERRORS.search(output)
    # The script's figures are exact (microseconds); they replace wrk's rounded ones.
    for percentile, microseconds in _SCRIPT_PERCENTILE.findall(output):
        percentiles[percentile_key(float(percentile))] = int(microseconds) / 1000
    summary = _SCRIPT_SUMMARY.search(output)
    return WrkResult(
        requests_per_s=float(rate.group(1)),
        latency_ms=percentiles,
        requests=int(total.group(1)),
        duration_s=to_ms(total.group(2), total.group(3)) / 1000,
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=(
            dict(
                zip(
                    ("connect", "read", "write", "timeout"), map(int, sockets.groups()), strict=True
                )
            )
            if sockets
            else {}
        ),
        bytes_read=int(summary.group(2)) if summary else None,
    )


def run_wrk(
    url: str,
    *,
    duration_s: int,
    threads: int,
    connections: int,
    headers: Mapping[str, str] | None = None,
    timeout_s: int = 5,
    percentiles: Sequence[float] = (),
    min_mean_response_bytes: int | None = None,
) -> WrkResult:
    """Load `url` (on 127.0.0.1 only) and fail on any error response or socket error.

    wrk counts 3xx as success; callers check once beforehand that the URL answers 200. With
    `percentiles` (e.g. (95, 99)) a Lua script reports those exactly; with
    `min_mean_response_bytes` (needs the script, added if so) the run fails if responses were
    on average smaller than that, e.g. if some were redirects instead of the page.
    """
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname != LOOPBACK:
        raise BenchmarkError(f"refusing to load {url}: only http://{LOOPBACK} is a target")
    wrk = shutil.which("wrk")
    if wrk is None:
        raise BenchmarkError("wrk is not installed: apt-get install -y wrk")
    command = [
        wrk,
        "--latency",
        f"--duration={duration_s}s",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--timeout={timeout_s}s",
    ]
    for name, value in (headers or {}).items():
        command += ["--header", f"{name}: {value}"]
    wanted = list(percentiles) or ([99] if min_mean_response_bytes is not None else [])
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="wrk-done-") as script:
        if wanted:
            script.write(_DONE_SCRIPT.format(percentiles=", ".join(f"{p:g}" for p in wanted)))
            script.flush()
            command += ["--script", script.name]
        command.append(url)
        completed = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=duration_s + 60
        )
    if completed.returncode != 0:
        raise BenchmarkError(f"wrk exited with {completed.returncode}: {completed.stderr}")
    result = parse_wrk(completed.stdout)
    if result.non_2xx_3xx:
        raise BenchmarkError(
            f"{result.non_2xx_3xx} of {result.requests} responses from {url} were not 2xx:\n"
            f"{completed.stdout}"
        )
    if any(result.socket_errors.values()):
        raise BenchmarkError(
            f"socket errors loading {url}: {result.socket_errors}\n{completed.stdout}"
        )
    if result.requests == 0:
        raise BenchmarkError(f"wrk completed no request against {url}:\n{completed.stdout}")
    missing = [p for p in wanted if percentile_key(p) not in result.latency_ms]
    if missing or (wanted and result.bytes_read is None):
        raise BenchmarkError(
            f"the wrk script reported no percentile {missing}:\n{completed.stdout}"
        )
    mean_bytes = result.mean_response_bytes
    if min_mean_response_bytes is not None and (
        mean_bytes is None or mean_bytes < min_mean_response_bytes
    ):
        raise BenchmarkError(
            f"responses from {url} averaged {mean_bytes} bytes, under the "
            f"{min_mean_response_bytes} of the checked page: some were not the page (redirects?)"
            f"\n{completed.stdout}"
        )
    return result
