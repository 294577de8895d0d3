"""Shared pieces of the statistics benchmarks: an in-process Django on a throw-away data
directory, the pandas side of "the same import" (each publisher's file read into a long table
indicator, area, origin, year, sex, value) and the checks that both sides agree.

Importing this module first fixes `sys.path`: a script run as `bench/statistics/<name>.py`
starts with its own folder first on the path, where `profile.py` would shadow the standard
library's `profile` (which `cProfile` imports). The folder moves to the end of the path, and
bench/ (harness, hubserver) goes first. There is deliberately no `__init__.py` here: a regular
package `statistics` on bench/'s path would shadow the standard library's `statistics`.
"""

from __future__ import annotations

import math
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BENCH_DIR = HERE.parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
sys.path.insert(0, str(BENCH_DIR))
sys.path.append(str(HERE))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from harness import (  # noqa: E402
    BenchmarkError,
    Metric,
    Report,
    run_process,
    run_side_by_side,
)
from hubserver import SQLITE_FILE_NAME, hub_command, hub_environment  # noqa: E402

__all__ = [
    "SQLITE_FILE_NAME",
    "BenchmarkError",
    "Metric",
    "Report",
    "hub_command",
    "hub_environment",
    "run_process",
    "run_side_by_side",
]

# The project's own settings, plus (for profile.py) a read router and a PostgreSQL alias.
SETTINGS_MODULE = "statbench_settings"
POSTGRES_ALIAS = "postgresql"
POSTGRES_URL_ENV = "BENCH_STATISTICS_POSTGRES_URL"

# Short names for the seven sample files (table columns, metric keys).
SHORT_NAMES = {
    "undesa_pd_2020_ims_stock_by_sex_and_destination.xlsx": "undesa-stock-2020",
    "undesa_pd_2019_migrant_stock_total_dataset.xlsx": "undesa-stock-2019",
    "undesa_2019_migrant_stock_origin_destination_wide.csv": "undesa-od-2019",
    "unhcr_refugees_asylum_seekers_by_origin_destination_1995_2020.csv": "unhcr-1995-2020",
    "wdi_sending-cost-to-country.xls": "wdi-cost-to",
    "wdi_sending-cost-from-country.xls": "wdi-cost-from",
    "wdi_personal-remittances-received.xls": "wdi-remittances",
}
LONG_COLUMNS = ["indicator", "area", "origin", "year", "sex", "value"]
KEY_COLUMNS = ["indicator", "area", "origin", "year", "sex"]


# --- Django in this process ---------------------------------------------------------------


def configure_django(data_dir: Path, *, postgres_url: str | None = None) -> None:
    """Set up Django in this process on SQLite in `data_dir` (the environment every hub process
    of a benchmark gets, DEBUG off), with the project's settings; `postgres_url` adds a second
    database alias that `use_database` can route reads to."""
    import django

    env = hub_environment(data_dir, {"DJANGO_SETTINGS_MODULE": SETTINGS_MODULE})
    os.environ.update(env)
    for name in ("DATABASE_URL", "CACHE_URL", POSTGRES_URL_ENV):
        os.environ.pop(name, None)
    if postgres_url:
        os.environ[POSTGRES_URL_ENV] = postgres_url
    django.setup()


def use_database(alias: str) -> None:
    """Route every ORM query of this process to `alias` (see statbench_settings.Router)."""
    from statbench_settings import Router

    Router.alias = alias


def prepare_database() -> None:
    """Migrate the default database and load the ISO 3166 / M49 countries and regions: the state
    of an installation before its first statistics import."""
    from django.core.management import call_command

    from migration_hub.core import services as core_services

    call_command("migrate", interactive=False, verbosity=0)
    core_services.load_countries()


def database_path() -> Path:
    from django.conf import settings

    return Path(settings.DATABASES["default"]["NAME"])


def snapshot(target: Path) -> None:
    """A consistent single-file copy of the default SQLite database (WAL pages included)."""
    from django.db import connections

    connections.close_all()
    with (
        closing(sqlite3.connect(database_path())) as source,
        closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy)


def restore(template: Path) -> None:
    """Put a copy of `template` in place of the default SQLite database (connections closed
    first, the next query opens the copy)."""
    from django.db import connections

    connections.close_all()
    path = database_path()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, path)


def samples() -> list[tuple[str, Path]]:
    from migration_hub.statistics.services import SAMPLES, SAMPLES_DIR

    return [(str(kind), SAMPLES_DIR / name) for kind, name in SAMPLES]


def import_samples() -> int:
    """Import every sample file with `services.import_file`; returns the figures added."""
    from migration_hub.statistics import services

    return sum(services.import_file(kind, path).added for kind, path in samples())


def postgres_reachable(server_url: str) -> str | None:
    """None when the server answers, else why not."""
    import psycopg

    try:
        psycopg.connect(f"{server_url}/postgres", connect_timeout=3).close()
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]
    return None


def recreate_postgres_database(server_url: str, name: str, *, drop_only: bool = False) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{server_url}/postgres", autocommit=True, connect_timeout=5) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if not drop_only:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def postgres_server_ticks() -> int:
    """CPU ticks (user + system) used so far by the local PostgreSQL server's processes: the
    harness's noise meter counts them as "other processes", though they serve our queries."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, rest = stat.split("(", 1)[1].rsplit(")", 1)
        if name.startswith("postgres"):
            fields = rest.split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks


def cpu_share(ticks: int, seconds: float) -> float:
    """`ticks` as a share of the whole machine's CPU capacity over `seconds`."""
    capacity = seconds * os.sysconf("SC_CLK_TCK") * (os.cpu_count() or 1)
    return ticks / capacity if capacity else 0.0


LOAD_SNIPPET = """
from migration_hub.core import services as core_services
from migration_hub.statistics import services
core_services.load_countries()
for kind, name in services.SAMPLES:
    print(services.import_file(kind, services.SAMPLES_DIR / name))
"""


def prepare_postgres(url: str, data_dir: Path) -> str:
    """Migrate the PostgreSQL database at `url`, load the countries and import every sample,
    in a separate process with DATABASE_URL set (the import writes through the default
    connection); returns that process's output."""
    env = hub_environment(data_dir, {"DJANGO_SETTINGS_MODULE": "migration_hub.config.settings"})
    env["DATABASE_URL"] = url
    run_process(hub_command("manage", "migrate", "--no-input", "--verbosity=0"), env=env)
    _metrics, output = run_process(hub_command("manage", "shell", "-c", LOAD_SNIPPET), env=env)
    return output


# --- Area codes for the pandas side -------------------------------------------------------


class AreaCodes:
    """The lookup pandas uses to turn publishers' names and codes into area codes: the app's
    own `AreaResolver`, built and primed once before timing (its tables loaded, so a lookup no
    longer touches the database), applied once per distinct value, as an analyst maps codes
    through a lookup table. Both sides therefore map every name and code the same way."""

    def __init__(self) -> None:
        from migration_hub.statistics.areas import AreaResolver
        from migration_hub.statistics.models import Area

        self.resolver = AreaResolver()
        self.resolver.by_alpha3  # noqa: B018 (cached tables, loaded now)
        self.resolver.by_name  # noqa: B018
        self.names = dict(Area.objects.values_list("code", "name"))

    def from_name(self, name: str) -> str | None:
        return self.resolver.from_name(name)

    def from_code(self, code: object) -> str | None:
        return self.resolver.from_code(code)


def area_codes() -> AreaCodes:
    """Build the lookup (this creates the core areas in the current database)."""
    return AreaCodes()


# --- The pandas side: each file into the same long table ------------------------------------


def _map_unique(values: pd.Series, lookup: Callable[[Any], str | None]) -> pd.Series:
    """Apply a Python lookup once per distinct value (how one maps codes in pandas)."""
    table = {value: lookup(value) for value in values.unique()}
    return values.map(table)


def _numeric(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers as float; the publishers' missing marks ('..', '-', '') become NaN."""
    return frame.apply(pd.to_numeric, errors="coerce").astype("float64")


def _year_of(cell: Any) -> int | None:
    from migration_hub.statistics.importers import _year

    return _year(cell)


def _stock_sheet(frame: pd.DataFrame, indicator: str, codes: AreaCodes) -> pd.DataFrame:
    """One UN DESA table (one indicator): header row with 'Location code' (2020) or 'Code'
    (2019), the years in that row or the next, the sex of each column from the block titles."""
    from migration_hub.statistics.importers import _sex_of

    top = frame.head(40).to_numpy(dtype=object).tolist()

    def label(cell: Any) -> str:
        return "" if cell is None or (isinstance(cell, float) and math.isnan(cell)) else str(cell)

    header = next(
        i
        for i, row in enumerate(top)
        if {"location code", "code"} & {label(c).strip().casefold() for c in row}
    )
    labels = [label(c).strip().casefold() for c in top[header]]
    code_column = (
        labels.index("location code") if "location code" in labels else labels.index("code")
    )
    year_row = next(i for i in (header, header + 1) if sum(1 for c in top[i] if _year_of(c)) >= 3)
    sexes: list[tuple[int, str]] = sorted(
        (column, sex)
        for row in top[max(0, year_row - 5) : year_row + 1]
        for column, cell in enumerate(row)
        if isinstance(cell, str) and (sex := _sex_of(cell))
    )
    columns = []
    for column, cell in enumerate(top[year_row]):
        if year := _year_of(cell):
            columns.append((column, year, [s for c, s in sexes if c <= column][-1]))
    data = frame.iloc[year_row + 1 :]
    code = pd.to_numeric(data[code_column], errors="coerce")
    data = data[code.notna()]
    raw = code[code.notna()].astype("int64").astype(str).str.zfill(3)
    area = _map_unique(raw, lambda c: codes.from_code(c) or c)
    values = _numeric(data[[column for column, _year, _sex in columns]])
    values.columns = range(len(columns))
    values.insert(0, "area", area.to_numpy())
    values = values.drop_duplicates(subset="area", keep="first")  # regions listed twice
    long = values.melt(id_vars="area", var_name="column", value_name="value")
    long["year"] = long["column"].map({i: year for i, (_c, year, _s) in enumerate(columns)})
    long["sex"] = long["column"].map({i: sex for i, (_c, _y, sex) in enumerate(columns)})
    long["indicator"] = indicator
    long["origin"] = None
    return long[LONG_COLUMNS]


STOCK_SHEETS = {"Table 1": "international-migrant-stock", "Table 2": "total-population"}


def pandas_undesa_stock(path: Path, codes: AreaCodes, engine: str = "calamine") -> pd.DataFrame:
    sheets = pd.read_excel(path, sheet_name=list(STOCK_SHEETS), header=None, engine=engine)
    return pd.concat(
        [_stock_sheet(sheets[name], indicator, codes) for name, indicator in STOCK_SHEETS.items()],
        ignore_index=True,
    )


def pandas_origin_destination(path: Path, codes: AreaCodes, engine: str = "") -> pd.DataFrame:
    """Year, Dest, one column per origin name; zero cells are left out (as the app does)."""
    from migration_hub.statistics.importers import MISSING_MARKS

    frame = pd.read_csv(path, na_values=sorted(MISSING_MARKS))
    long = frame.melt(id_vars=["Year", "Dest"], var_name="origin_name", value_name="value")
    long = long[long["value"] != 0]
    return pd.DataFrame(
        {
            "indicator": "international-migrant-stock",
            "area": _map_unique(long["Dest"], codes.from_name),
            "origin": _map_unique(long["origin_name"], codes.from_name),
            "year": long["Year"].astype("int64"),
            "sex": "total",
            "value": long["value"].astype("float64"),
        }
    )[LONG_COLUMNS].reset_index(drop=True)


def pandas_unhcr(path: Path, codes: AreaCodes, engine: str = "") -> pd.DataFrame:
    """year, orig, dest (ISO alpha-3, empty = unknown), refugees, asylum_seekers."""
    from migration_hub.statistics.areas import UNKNOWN
    from migration_hub.statistics.importers import MISSING_MARKS

    missing = sorted(MISSING_MARKS)
    frame = pd.read_csv(
        path,
        dtype={"orig": str, "dest": str},
        keep_default_na=False,
        na_values={"refugees": missing, "asylum_seekers": missing},
    )
    area = _map_unique(frame["dest"].str.strip().replace("", UNKNOWN), codes.from_code)
    origin = _map_unique(frame["orig"].str.strip().replace("", UNKNOWN), codes.from_code)
    parts = [
        pd.DataFrame(
            {
                "indicator": indicator,
                "area": area,
                "origin": origin,
                "year": frame["year"].astype("int64"),
                "sex": "total",
                "value": frame[column].astype("float64"),
            }
        )
        for indicator, column in (("refugees", "refugees"), ("asylum-seekers", "asylum_seekers"))
    ]
    return pd.concat(parts, ignore_index=True)[LONG_COLUMNS]


def pandas_wdi(path: Path, codes: AreaCodes, engine: str = "calamine") -> pd.DataFrame:
    """The 'Data' sheet: one row per economy, one column per year; World Bank aggregates
    without an M49 code are left out, WLD is the world."""
    from migration_hub.statistics.importers import WDI_INDICATORS

    raw = pd.read_excel(path, sheet_name="Data", header=None, engine=engine)
    header = next(
        i
        for i, row in enumerate(raw.head(20).to_numpy(dtype=object).tolist())
        if "Country Code" in [str(c).strip() for c in row]
    )
    frame = raw.iloc[header + 1 :]
    frame.columns = [str(c).strip() for c in raw.iloc[header]]
    frame = frame[frame["Country Code"].notna()]
    economy = frame["Country Code"].astype(str).str.strip()
    area = _map_unique(economy, codes.from_code)
    years = {label: year for label in frame.columns if (year := _year_of(label))}
    values = _numeric(frame[list(years)])
    values.columns = list(years.values())
    values.insert(0, "area", area.to_numpy())
    values.insert(1, "indicator_code", frame["Indicator Code"].astype(str).str.strip().to_numpy())
    values = values[values["area"].notna()]
    long = values.melt(id_vars=["area", "indicator_code"], var_name="year", value_name="value")
    long["indicator"] = long["indicator_code"].map(
        {code: info.code for code, info in WDI_INDICATORS.items()}
    )
    long["origin"] = None
    long["sex"] = "total"
    long["year"] = long["year"].astype("int64")
    return long[LONG_COLUMNS]


PANDAS_READERS: dict[str, Callable[..., pd.DataFrame]] = {
    "undesa-stock": pandas_undesa_stock,
    "undesa-origin-destination": pandas_origin_destination,
    "unhcr": pandas_unhcr,
    "wdi": pandas_wdi,
}


def pandas_read(kind: str, path: Path, codes: AreaCodes, engine: str = "calamine") -> pd.DataFrame:
    return PANDAS_READERS[kind](path, codes, engine)


# --- Checks ----------------------------------------------------------------------------------


def figures_frame(figures: Iterable[Any]) -> pd.DataFrame:
    """The app's parsed figures as the same long table."""
    return pd.DataFrame(
        [(f.indicator, f.area, f.origin, f.year, str(f.sex), f.value) for f in figures],
        columns=LONG_COLUMNS,
    ).astype({"value": "float64", "year": "int64"})


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    keyed = frame.copy()
    keyed["origin"] = keyed["origin"].astype(object).where(keyed["origin"].notna(), "")
    for column in ("indicator", "area", "sex"):
        keyed[column] = keyed[column].astype(str)
    keyed["year"] = keyed["year"].astype("int64")
    return keyed


def check_same_figures(label: str, ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    """Same keys, same values (missing on both sides counts as equal); else BenchmarkError."""
    a, b = _keyed(ours), _keyed(theirs)
    problems = []
    if len(a) != len(b):
        problems.append(f"{len(a)} figures (ours) against {len(b)} (pandas)")
    for name, frame in (("ours", a), ("pandas", b)):
        repeated = int(frame.duplicated(KEY_COLUMNS).sum())
        if repeated:
            problems.append(f"{name} has {repeated} repeated keys")
    merged = a.merge(b, on=KEY_COLUMNS, how="outer", suffixes=("_ours", "_pandas"), indicator=True)
    only = merged[merged["_merge"] != "both"]
    if len(only):
        problems.append(
            f"{len(only)} keys on one side only, e.g. {only.head(3).to_dict('records')}"
        )
    both = merged[merged["_merge"] == "both"]
    x, y = both["value_ours"].to_numpy(), both["value_pandas"].to_numpy()
    same = (np.isnan(x) & np.isnan(y)) | np.isclose(x, y, rtol=1e-12, atol=0)
    if not same.all():
        problems.append(
            f"{int((~same).sum())} values differ, e.g. {both[~same].head(3).to_dict('records')}"
        )
    if problems:
        raise BenchmarkError(
            f"{label}: ours and pandas do not read the same figures: {'; '.join(problems)}"
        )


def check_close(label: str, ours: float | None, theirs: float | None, rtol: float = 1e-9) -> None:
    if ours is None or theirs is None or not math.isclose(ours, theirs, rel_tol=rtol):
        raise BenchmarkError(f"spot check {label}: ours {ours!r}, pandas {theirs!r}")


def stock_value(frame: pd.DataFrame, area: str, year: int, sex: str = "total") -> float | None:
    """One stock figure from a long table (the spot checks)."""
    rows = frame[
        (frame["indicator"] == "international-migrant-stock")
        & (frame["area"] == area)
        & (frame["year"] == year)
        & (frame["sex"] == sex)
        & frame["origin"].isna()
    ]
    if len(rows) != 1:
        raise BenchmarkError(
            f"{len(rows)} stock figures for {area} {year} {sex} in the pandas table"
        )
    return float(rows["value"].iloc[0])


# --- Timing helpers ---------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Linear-interpolation percentile (numpy's default)."""
    return float(np.percentile(np.asarray(values, dtype="float64"), p))


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def paired_ratio(report: Report, name: str, other: str, key: str) -> float:
    """Median over rounds of name / other within the same round (any two contenders)."""
    return paired_ratio_keys(report, name, key, other, key)


def paired_ratio_keys(report: Report, name: str, key: str, other: str, other_key: str) -> float:
    """Median over rounds of name's `key` / other's `other_key` within the same round."""
    import statistics

    pairs = zip(report.values(name, key), report.values(other, other_key), strict=True)
    return statistics.median(a / b if b else float("nan") for a, b in pairs)


def noise_summary(report: Report) -> str:
    shares = [
        run["other_processes_cpu_share"]
        for run in report.runs
        if run["other_processes_cpu_share"] is not None
    ]
    if not shares:
        return "CPU noise not measured"
    return f"other processes used at most {max(shares):.0%} of the CPU during any run"


def temporary_root(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
