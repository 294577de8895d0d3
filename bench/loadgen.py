"""HTTP load from `wrk`, on loopback only, parsed into requests/s and latency percentiles."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Mapping
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


@dataclass(frozen=True)
class WrkResult:
    requests_per_s: float
    latency_ms: dict[int, float]
    requests: int
    duration_s: float
    non_2xx_3xx: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)

    @property
    def p99_ms(self) -> float:
        return self.latency_ms[99]

    def metrics(self) -> dict[str, float]:
        return {
            "requests_per_s": self.requests_per_s,
            "p50_ms": self.latency_ms[50],
            "p99_ms": self.p99_ms,
            "requests": float(self.requests),
            "duration_s": self.duration_s,
        }


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
    )


def run_wrk(
    url: str,
    *,
    duration_s: int,
    threads: int,
    connections: int,
    headers: Mapping[str, str] | None = None,
    timeout_s: int = 5,
) -> WrkResult:
    """Load `url` (on 127.0.0.1 only) and fail on any error response or socket error.

    wrk counts 3xx as success; callers check once beforehand that the URL answers 200.
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
    return result
