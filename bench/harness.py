"""Run a benchmark and its peer side by side, interleaved, and report medians and ratios.

A contender is a (name, runner) pair. A runner is either a callable returning a mapping of
metric name to number for one run, or a command (list of arguments) whose wall time is measured.
Rounds alternate the order (A B, B A, A B, ...) so drift on a noisy machine hits both sides.
The last contender is the peer; every other one is "ours": a ratio is the median over rounds of
ours / peer within one round (each pair runs in the same round, so slow drift cancels). With
more than two contenders (A B C, C B A, ...) each of the others gets its own ratio to the peer.

    report = run_side_by_side("my_bench", [("ours", run_ours), ("peer", ["cmd", "arg"])])
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"

Runner = Callable[[], Mapping[str, float]] | Sequence[str]


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    higher_is_better: bool = True
    digits: int = 1


WALL_TIME = Metric("seconds", "wall time (s)", higher_is_better=False, digits=3)
CPU_TIME = Metric("cpu_seconds", "CPU time (s)", higher_is_better=False, digits=3)


class BenchmarkError(Exception):
    """A run failed or gave results that cannot be trusted; the message says why."""


@dataclass
class Report:
    benchmark: str
    names: list[str]
    metrics: list[Metric]
    runs: list[dict[str, Any]] = field(default_factory=list)
    medians: dict[str, dict[str, float]] = field(default_factory=dict)
    ratios: dict[str, float] = field(default_factory=dict)  # first contender / peer
    ratios_by_name: dict[str, dict[str, float]] = field(default_factory=dict)  # each / peer
    document: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def add(self, **fields: Any) -> None:
        """Add fields (e.g. goals met) to the JSON results, rewriting the file if written."""
        self.document.update(fields)
        if self.path is not None:
            self.path.write_text(json.dumps(self.document, indent=2) + "\n")

    @property
    def peer(self) -> str | None:
        """The last contender, the one every other is compared with (None if alone)."""
        return self.names[-1] if len(self.names) >= 2 else None

    def values(self, name: str, key: str) -> list[float]:
        return [run["metrics"][key] for run in self.runs if run["name"] == name]

    def markdown(self) -> str:
        header = ["", *(metric.label for metric in self.metrics)]
        lines = [_row(header), _row(["---"] * len(header))]
        for name in self.names:
            cells = [name]
            for metric in self.metrics:
                values = self.values(name, metric.key)
                cells.append(
                    f"{self.medians[name][metric.key]:.{metric.digits}f} "
                    f"({min(values):.{metric.digits}f}-{max(values):.{metric.digits}f})"
                )
            lines.append(_row(cells))
        for name, ratios in self.ratios_by_name.items():
            ratio_cells = [f"ratio {name} / {self.peer}"]
            ratio_cells += [f"{ratios[metric.key]:.2f}" for metric in self.metrics]
            lines.append(_row(ratio_cells))
        return "\n".join(lines)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_process(
    command: Sequence[str], *, env: Mapping[str, str] | None = None, timeout_s: float = 600
) -> tuple[dict[str, float], str]:
    """Run a whole process once; return its wall time and CPU time (user + system, its reaped
    children included), and its standard output. Raises BenchmarkError if it fails."""
    cpu_before = _children_cpu_s()
    started = time.perf_counter()
    completed = subprocess.run(
        list(command),
        capture_output=True,
        text=True,
        check=False,
        env=dict(env) if env is not None else None,
        timeout=timeout_s,
    )
    elapsed = time.perf_counter() - started
    cpu = _children_cpu_s() - cpu_before
    if completed.returncode != 0:
        raise BenchmarkError(
            f"{' '.join(command)} exited with {completed.returncode}: "
            f"{completed.stdout[-2000:]}{completed.stderr[-2000:]}"
        )
    return {WALL_TIME.key: elapsed, CPU_TIME.key: cpu}, completed.stdout


def _run_command(command: Sequence[str]) -> dict[str, float]:
    return run_process(command)[0]


_PROC = Path("/proc")
NOISY_SHARE = 0.10


def _busy_ticks() -> int | None:
    """Busy CPU ticks of the whole machine since boot (Linux), or None."""
    try:
        fields = (_PROC / "stat").read_text().split("\n", 1)[0].split()[1:9]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields)
    return user + nice + system + irq + softirq + steal


def _own_ticks() -> int:
    """CPU ticks of this process, its reaped children and its live descendants (Linux)."""
    clock = os.sysconf("SC_CLK_TCK")
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    ticks = sum(round((u.ru_utime + u.ru_stime) * clock) for u in usage)
    parents: dict[int, int] = {}
    cpu: dict[int, int] = {}
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        parents[int(entry.name)] = int(fields[1])
        cpu[int(entry.name)] = int(fields[11]) + int(fields[12])  # utime + stime
    me = os.getpid()
    for pid in cpu:
        ancestor = parents.get(pid)
        while ancestor and ancestor != me:
            ancestor = parents.get(ancestor)
        if ancestor == me:
            ticks += cpu[pid]
    return ticks


class CpuNoise:
    """Share of the machine's CPU used by processes outside this benchmark during a run.

    On a shared machine this tells a clean run from one that competed with something else.
    """

    def __enter__(self) -> CpuNoise:
        self.share: float | None = None
        self._busy, self._own = _busy_ticks(), _own_ticks()
        self._started = time.monotonic()
        return self

    def __exit__(self, *exc_info: object) -> None:
        busy = _busy_ticks()
        if busy is None or self._busy is None:
            return
        elapsed_ticks = (time.monotonic() - self._started) * os.sysconf("SC_CLK_TCK")
        capacity = elapsed_ticks * (os.cpu_count() or 1)
        foreign = (busy - self._busy) - (_own_ticks() - self._own)
        self.share = max(0.0, foreign / capacity) if capacity else None


def _run_once(runner: Runner) -> dict[str, float]:
    if callable(runner):
        return dict(runner())
    return _run_command(runner)


def _paired_ratio(report: Report, name: str, key: str) -> float:
    """Median of the per-round ratios name / peer: both ran in the same round, so slow drift
    cancels."""
    assert report.peer is not None
    ours, peer = report.values(name, key), report.values(report.peer, key)
    return statistics.median(a / b if b else float("nan") for a, b in zip(ours, peer, strict=True))


def revision() -> str | None:
    """The checked-out commit (read-only; a dirty tree is not detected)."""
    try:
        completed = subprocess.run(
            ["git", "-C", str(BENCH_DIR), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return completed.stdout.strip() or None


def machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def run_side_by_side(
    benchmark: str,
    contenders: Sequence[tuple[str, Runner]],
    *,
    rounds: int = 3,
    metrics: Sequence[Metric] = (WALL_TIME,),
    parameters: Mapping[str, Any] | None = None,
    results_dir: Path = RESULTS_DIR,
    write: bool = True,
) -> Report:
    """Run every contender once per round, alternating the order; write and print the report.

    Raises BenchmarkError (from a runner) on the first failed run; nothing is written then.
    """
    names = [name for name, _runner in contenders]
    if len(set(names)) != len(names) or not names:
        raise ValueError(f"contender names must be unique and non-empty: {names}")
    if rounds < 1:
        raise ValueError("rounds must be at least 1")
    report = Report(benchmark=benchmark, names=names, metrics=list(metrics))
    started_at = datetime.now(UTC)
    for round_number in range(1, rounds + 1):
        order = list(contenders) if round_number % 2 else list(reversed(contenders))
        for name, runner in order:
            print(f"[{benchmark}] round {round_number}/{rounds}: {name} ...", flush=True)
            run_started = datetime.now(UTC)
            with CpuNoise() as noise:
                values = _run_once(runner)
            missing = [metric.key for metric in metrics if metric.key not in values]
            if missing:
                raise BenchmarkError(f"{name} did not report {', '.join(missing)}")
            report.runs.append(
                {
                    "round": round_number,
                    "name": name,
                    "started_at": run_started.isoformat(timespec="seconds"),
                    "other_processes_cpu_share": noise.share,
                    "metrics": values,
                }
            )
            summary = ", ".join(f"{m.label} {values[m.key]:.{m.digits}f}" for m in metrics)
            if noise.share is not None:
                summary += f"; other processes used {noise.share:.0%} of the CPU"
                if noise.share > NOISY_SHARE:
                    summary += " (NOISY: rerun on a quiet machine)"
            print(f"[{benchmark}]   {summary}", flush=True)
    for name in names:
        report.medians[name] = {
            metric.key: statistics.median(report.values(name, metric.key)) for metric in metrics
        }
    if report.peer is not None:
        report.ratios_by_name = {
            name: {metric.key: _paired_ratio(report, name, metric.key) for metric in metrics}
            for name in names[:-1]
        }
        report.ratios = report.ratios_by_name[names[0]]
    noisy = [
        run
        for run in report.runs
        if run["other_processes_cpu_share"] is not None
        and run["other_processes_cpu_share"] > NOISY_SHARE
    ]
    report.document = {
        "benchmark": benchmark,
        "started_at": started_at.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "revision": revision(),
        "parameters": dict(parameters or {}),
        "rounds": rounds,
        "contenders": names,
        "metrics": [metric.__dict__ for metric in metrics],
        "runs": report.runs,
        "medians": report.medians,
        "peer": report.peer,
        "ratios": {
            f"{key} {name}/{report.peer}": value
            for name, ratios in report.ratios_by_name.items()
            for key, value in ratios.items()
        },
        "ratio_note": "median over rounds of contender/peer (the last) within the same round",
        "noisy_runs": len(noisy),
    }
    if write:
        results_dir.mkdir(parents=True, exist_ok=True)
        report.path = results_dir / f"{benchmark}.json"
        report.add()
    print()
    print(report.markdown())
    print()
    if report.path:
        ratio_note = (
            f"; a ratio is the median of the per-round ratios to {report.peer}"
            if report.peer
            else ""
        )
        print(
            f"Medians over {rounds} rounds (min-max in brackets){ratio_note}. "
            f"Written to {report.path}."
        )
    if noisy:
        print(
            f"WARNING: {len(noisy)} of {len(report.runs)} runs competed with other processes "
            f"for over {NOISY_SHARE:.0%} of the CPU: rerun on a quiet machine before trusting this."
        )
    return report
