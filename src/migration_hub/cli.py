"""The `migration-hub` command: demo, serve, manage, load-reference, import, funds, report,
reviews, knowledge, health, keys, audit.

Every failure ends with one line saying what to fix, and a non-zero exit status.
"""

from __future__ import annotations

import argparse
import io
import os
import socket
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

SETTINGS_MODULE = "migration_hub.config.settings"
EXIT_CONFIGURATION = 2
EXIT_RUNTIME = 1


class CommandError(Exception):
    """A failure the user can fix; the message says how."""


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    import django

    django.setup()


def _progress() -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        transient=False,
    )


class _MigrateOutput(io.StringIO):
    """Turns migrate's 'Applying ...' lines into progress-bar steps."""

    def __init__(self, advance: Callable[[], None]):
        super().__init__()
        self.advance = advance

    def write(self, text: str) -> int:
        if "Applying " in text:
            self.advance()
        return super().write(text)


def migrate_with_progress() -> int:
    """Apply pending migrations with a progress bar; returns how many were applied."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        call_command("migrate", interactive=False, verbosity=0)
        return 0
    with _progress() as progress:
        task = progress.add_task("Preparing the database", total=len(plan))
        output = _MigrateOutput(lambda: progress.advance(task))
        call_command("migrate", interactive=False, verbosity=1, stdout=output)
        progress.update(task, completed=len(plan))
    return len(plan)


def load_reference(directory: str | None = None) -> list[tuple[str, str]]:
    """Load every reference data set that exists; returns (name, report) pairs."""
    from django.db import transaction

    from migration_hub.core import services as core_services
    from migration_hub.registry import loader, schema

    reports = []
    # One transaction: a problem in the registry files leaves the countries unchanged too.
    with _progress() as progress, transaction.atomic():
        rows = core_services.read_m49_rows()
        task = progress.add_task("Countries and M49 regions", total=len(rows))
        report = core_services.load_countries(progress=lambda n: progress.advance(task, n))
        reports.append(("Countries and M49 regions", str(report)))
        task = progress.add_task("Governance registry", total=len(schema.FILES))
        result = loader.load_reference(
            Path(directory) if directory else loader.REFERENCE_DIR,
            progress=lambda _name: progress.advance(task),
        )
        reports += [(f"Registry {label}", str(counts)) for label, counts in result.reports.items()]
        from migration_hub.health.cli import load_health_reference
        from migration_hub.health.services import PROTOCOL_DIR

        task = progress.add_task("Health protocols", total=len(list(PROTOCOL_DIR.rglob("*.yaml"))))
        reports += load_health_reference(progress=lambda _name: progress.advance(task))
    return reports


def _check_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise CommandError(
                f"Port {port} on {host} is not free ({error.strerror}): "
                "stop what uses it or pass --port N."
            ) from error


def _exec_gunicorn(host: str, port: int, workers: int) -> None:
    _check_port_free(host, port)
    arguments = [
        sys.executable,
        "-m",
        "gunicorn",
        "migration_hub.config.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
    ]
    sys.stdout.flush()
    os.execv(sys.executable, arguments)  # noqa: S606  (replaces this process by gunicorn)


def command_demo(args: argparse.Namespace) -> int:
    os.environ.setdefault("DEBUG", "true")
    _setup_django()
    from django.conf import settings

    from migration_hub.accounts.demo import ensure_demo_accounts

    print(f"Data directory: {settings.DATA_DIR}")
    applied = migrate_with_progress()
    print(f"Database ready ({applied} migrations applied).")
    for name, report in load_reference():
        print(f"{name}: {report}.")
    for report in import_sample_statistics():
        print(f"Statistics: {report}.")
    accounts = ensure_demo_accounts(settings.DATA_DIR)
    from migration_hub.health.demo import load_demo as load_health_demo

    if (health_report := load_health_demo()) is not None:
        print(f"Health: {health_report}.")
    from migration_hub.funds.demo import ensure_demo_fund

    if ensure_demo_fund() is not None:
        print("Funds: a demo Migration MPTF with contributions and programmes at every step.")
    from migration_hub.reviews.demo import ensure_demo_reviews

    if (reviews_report := ensure_demo_reviews()) is not None:
        print(f"Reviews: {reviews_report}.")
    from migration_hub.knowledge.demo import load_demo

    if (hub_report := load_demo(settings.DATA_DIR)) is not None:
        print(f"Hub: {hub_report}.")
        accounts += hub_report.accounts
    print("\nDemo accounts (one per role):")
    width = max(len(account.username) for account in accounts)
    for account in accounts:
        print(
            f"  {account.username:<{width}}  {account.password}  "
            f"({account.role} in {account.organization})"
        )
    if args.no_serve:
        return 0
    print(
        f"\nOpen http://127.0.0.1:{args.port}/ and sign in with an account above. "
        "Press Ctrl+C to stop."
    )
    _exec_gunicorn("127.0.0.1", args.port, workers=2)
    return 0  # pragma: no cover - exec does not return


def command_serve(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        raise CommandError(
            f"The database has {len(pending)} unapplied migrations: "
            "run `migration-hub manage migrate` first."
        )
    call_command("collectstatic", interactive=False, verbosity=0)
    _exec_gunicorn(args.host, args.port, workers=args.workers)
    return 0  # pragma: no cover


def command_manage(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["migration-hub manage", *args.arguments])
    return 0


def command_load_reference(args: argparse.Namespace) -> int:
    _setup_django()
    for name, report in load_reference(args.directory):
        print(f"{name}: {report}.")
    return 0


def import_statistics(kind: str, path: Path, **options: Any) -> Any:
    """Import one publisher's file with a progress bar; returns the import report."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from migration_hub.statistics import services

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<40}"),
        BarColumn(),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
        transient=False,
    ) as progress:
        task = progress.add_task(f"Reading {path.name[:31]}", total=None)
        report = services.import_file(
            kind, path, progress=lambda n: progress.advance(task, n), **options
        )
        progress.update(
            task, total=progress.tasks[0].completed or 1, completed=progress.tasks[0].completed or 1
        )
    return report


def write_problem_report(path: Path, problems: Sequence[Any]) -> None:
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["where", "problem"])
        writer.writerows((problem.where, problem.message) for problem in problems)


def import_sample_statistics() -> list[Any]:
    from migration_hub.statistics.services import SAMPLES, SAMPLES_DIR

    return [import_statistics(kind, SAMPLES_DIR / name) for kind, name in SAMPLES]


def command_import(args: argparse.Namespace) -> int:
    _setup_django()
    if args.kind == "who-tb-burden":
        from migration_hub.health.cli import command_import_who_tb_burden

        return command_import_who_tb_burden(args)
    from migration_hub.statistics.errors import ImportRejected

    options = {"revision": args.revision}
    if args.encoding:
        options["encoding"] = args.encoding
    for option in ("mapping", "indicator", "dataset_key", "publisher", "title", "unit", "owner"):
        if getattr(args, option, None):
            options[option] = getattr(args, option)
    try:
        report = import_statistics(args.kind, Path(args.file), **options)
    except ImportRejected as error:
        if args.report:
            write_problem_report(Path(args.report), error.problems)
        lines = "\n".join(f"  {line}" for line in error.lines())
        more = f"\n  full report: {args.report}" if args.report else ""
        raise CommandError(f"{error.summary()}. Fix these and run again:\n{lines}{more}") from None
    print(f"{report}.")
    for note in report.notes:
        print(f"note: {note}")
    return 0


def command_funds_rates(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.exceptions import ValidationError

    from migration_hub.accounts.models import Organization
    from migration_hub.funds.services import import_exchange_rates

    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"{path} is not a file: give the path of a CSV of exchange rates.")
    organization = Organization.objects.filter(code=args.organization).first()
    if organization is None:
        codes = ", ".join(Organization.objects.order_by("code").values_list("code", flat=True))
        raise CommandError(
            f"There is no organization with the code {args.organization!r} "
            f"(known codes: {codes or 'none yet'})."
        )
    try:
        count = import_exchange_rates(
            actor=None, organization=organization, path=path, source=args.source or ""
        )
    except ValidationError as error:
        raise CommandError(
            "; ".join(error.messages) + ". Nothing was imported: fix the file and run again."
        ) from None
    print(f"{count} exchange rates imported or updated for {organization}.")
    return 0


def command_funds_check(args: argparse.Namespace) -> int:
    _setup_django()
    from migration_hub.funds import ledger
    from migration_hub.funds.models import Fund

    funds = Fund.objects.order_by("code")
    if args.fund:
        funds = funds.filter(code=args.fund)
        if not funds.exists():
            raise CommandError(f"There is no fund with the code {args.fund!r}.")
    problems = 0
    for fund in funds:
        figures = ledger.balances(fund)
        broken = ledger.unbalanced_transactions(fund)
        status = "balanced" if not broken and figures.trial_balance == 0 else "UNBALANCED"
        print(
            f"{fund.code}: {status}; deposited {ledger.money(figures.deposited, fund.currency)}, "
            f"cash {ledger.money(figures.cash, fund.currency)}, "
            f"available {ledger.money(figures.available, fund.currency)}"
        )
        if broken:
            print(f"  transactions that do not sum to zero: {', '.join(map(str, broken))}")
            problems += 1
    if problems:
        raise CommandError(f"{problems} fund ledgers do not balance: see the lines above.")
    return 0


def command_reviews_import(args: argparse.Namespace) -> int:
    _setup_django()
    from migration_hub.accounts.models import Organization
    from migration_hub.reviews.importers import ReviewImportRejected, import_reviews

    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"{path} is not a file: give the path of a JSON file of reviews.")
    organization = Organization.objects.filter(code=args.organization).first()
    if organization is None:
        codes = ", ".join(Organization.objects.order_by("code").values_list("code", flat=True))
        raise CommandError(
            f"There is no organization with the code {args.organization!r} "
            f"(known codes: {codes or 'none yet'})."
        )
    try:
        with _progress() as progress:
            task = progress.add_task(f"Importing {path.name[:18]}", total=None)
            report = import_reviews(
                path,
                organization=organization,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
    except ReviewImportRejected as error:
        lines = "\n".join(f"  {line}" for line in error.lines())
        raise CommandError(f"{error.summary()}. Fix these and run again:\n{lines}") from None
    print(f"{report} for {organization}.")
    return 0


def command_reviews_cycles(args: argparse.Namespace) -> int:
    _setup_django()
    from migration_hub.reviews.models import Cycle
    from migration_hub.reviews.services import ensure_cycles

    if args.until is not None and not 2020 <= args.until <= 2100:
        raise CommandError(f"--until {args.until}: give a year between 2020 and 2100.")
    created = ensure_cycles(until_year=args.until)
    cycles = Cycle.objects.order_by("due_on", "kind", "commission")
    if args.until:
        cycles = cycles.filter(year__lte=args.until)
    print(f"{created} review cycles created; the GCM's schedule:")
    for cycle in cycles:
        confirmed = "confirmed" if cycle.dates_confirmed else "expected"
        print(f"  {cycle.title:<36} due {cycle.due_on}  ({confirmed})")
    return 0


def command_knowledge_import(args: argparse.Namespace) -> int:
    """Import Hub resources from CSV or JSON as the system; a file with any problem imports
    nothing unless --skip-invalid."""
    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"{path} is not a file: give the path of a CSV or JSON of resources.")
    report = Path(args.report) if args.report else None
    if report is not None and not report.parent.is_dir():
        raise CommandError(f"The folder {report.parent} does not exist: choose another --report.")
    _setup_django()
    from migration_hub.knowledge.importers import import_resources, write_report

    with _progress() as progress:
        task = progress.add_task(f"Importing {path.name[:18]}", total=None)
        result = import_resources(
            path,
            skip_invalid=args.skip_invalid,
            encoding=args.encoding or "utf-8",
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    if report is not None:
        write_report(report, result.problems)
    more = f"\n  full report: {report}" if report is not None and result.problems else ""
    if result.rejected:
        lines = "\n".join(f"  {line}" for line in result.lines())
        raise CommandError(f"{result.summary()}\n{lines}{more}")
    print(result.summary())
    for line in result.lines():
        print(f"  not imported: {line}")
    if more:
        print(more.strip())
    return 0


KNOWLEDGE_EXPORTS = ("resources", "experts", "demands", "offers", "spaces")


def command_knowledge_export(args: argparse.Namespace) -> int:
    output = Path(args.output) if args.output else None
    if output is not None and not output.parent.is_dir():
        raise CommandError(
            f"The folder {output.parent} does not exist: create it or choose another --output."
        )
    _setup_django()
    from migration_hub.knowledge import exports

    try:
        count = exports.write(
            args.what,
            args.format,
            output if output is not None else sys.stdout.buffer,
            include_unpublished=args.all_statuses,
        )
    except OSError as error:
        raise CommandError(
            f"Cannot write {output} ({error.strerror}): choose another --output."
        ) from None
    if output is not None:
        print(f"Exported {args.what}: {count}, written to {output} ({args.format.upper()}).")
    else:
        sys.stdout.flush()
        print(f"Exported {args.what}: {count}.", file=sys.stderr)
    return 0


def command_knowledge_alerts(args: argparse.Namespace) -> int:
    _setup_django()
    if args.background:
        from migration_hub.knowledge.tasks_alerts import send_alerts_task

        send_alerts_task.enqueue(args.frequency)
        print(f"The {args.frequency} saved-search alerts are queued for the task worker.")
        return 0
    from migration_hub.knowledge.services.subscriptions import send_alerts

    count = send_alerts(frequency=args.frequency)
    print(f"{count} {args.frequency} alert e-mails sent for saved searches.")
    return 0


def command_knowledge_digests(args: argparse.Namespace) -> int:
    _setup_django()
    if args.background:
        from migration_hub.knowledge.tasks import send_space_digests

        send_space_digests.enqueue(args.frequency)
        print(f"The {args.frequency} discussion digests are queued for the task worker.")
        return 0
    from migration_hub.knowledge.services.discussions import send_digests

    count = send_digests(frequency=args.frequency)
    print(f"{count} {args.frequency} digest e-mails sent for discussion spaces.")
    return 0


REPORT_FORMATS = ("html", "docx", "pdf")
REPORT_LANGUAGES = ("ar", "zh-hans", "en", "fr", "ru", "es")


def command_report_compile(args: argparse.Namespace) -> int:
    """Compile a GCM report as the system (no user), with a progress bar."""
    output = Path(args.output)
    fmt = args.format or output.suffix.lstrip(".").lower()
    if fmt not in REPORT_FORMATS:
        raise CommandError(
            f"Cannot tell the format of {output.name}: pass --format "
            f"{'|'.join(REPORT_FORMATS)} or name the file .html, .docx or .pdf."
        )
    if not output.parent.is_dir():
        raise CommandError(
            f"The folder {output.parent} does not exist: create it or choose another --output."
        )
    _setup_django()
    from migration_hub.reviews import documents
    from migration_hub.reviews.compilation import ReportInputError

    with _progress() as progress:
        task = progress.add_task("Compiling the report", total=documents.TOTAL_STEPS)

        def advance(step: int, total: int, message: str) -> None:
            progress.update(task, completed=step, total=total, description=str(message)[:28])

        try:
            content, report = documents.compile_document(
                args.cycle,
                args.scope,
                fmt,
                language=args.language,
                progress=advance,
                base_url=args.base_url or "",
            )
        except ReportInputError as error:
            raise CommandError(error.message) from None
        except documents.PdfUnavailable as error:
            raise CommandError(str(error)) from None
    try:
        output.write_bytes(content)
    except OSError as error:
        raise CommandError(
            f"Cannot write {output} ({error.strerror}): choose another --output."
        ) from None
    summary = "an empty report: no review" if report.is_empty else f"{report.total} reviews"
    print(f"{report.title}: {summary}; {fmt.upper()} written to {output}.")
    return 0


def command_keys_generate(args: argparse.Namespace) -> int:
    """Print a new Fernet key; needs no settings, so it works before any are written."""
    from migration_hub.core.encryption import KEYS_VARIABLE, generate_key

    print(generate_key())
    print(
        f"Put it first in {KEYS_VARIABLE}, then run `migration-hub keys rotate`.",
        file=sys.stderr,
    )
    return 0


def command_keys_rotate(args: argparse.Namespace) -> int:
    """Re-encrypt every encrypted field with the first key, with a progress bar."""
    _setup_django()
    from migration_hub.config.paths import ConfigurationError
    from migration_hub.core import encryption

    try:
        with _progress() as progress:
            task = progress.add_task("Re-encrypting fields", total=None)
            counts = encryption.rotate(
                progress=lambda done, total: progress.update(task, completed=done, total=total)
            )
    except encryption.EncryptionKeyError as error:
        raise ConfigurationError(str(error)) from None
    if not counts:
        print("No model has encrypted fields: there is nothing to re-encrypt.")
        return 0
    for label, rows in counts.items():
        print(f"{label}: {rows} rows re-encrypted.")
    print(
        f"Every value is encrypted with the first key of {encryption.KEYS_VARIABLE}: "
        "the other keys can now be removed from it."
    )
    return 0


def command_audit_verify(args: argparse.Namespace) -> int:
    """Walk the audit hash chain, with a progress bar on a terminal; exit 1 naming the first
    broken row."""
    text = None
    if args.head:
        try:
            text = Path(args.head).read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(
                f"Cannot read the head file {args.head} ({error.strerror}): give the file "
                "written by `migration-hub audit head`."
            ) from None
    _setup_django()
    from migration_hub.core.audit_chain import ChainHead, verify_chain

    head = None
    if text is not None:
        try:
            head = ChainHead.parse(text)
        except ValueError as error:
            raise CommandError(
                f"{args.head} is not a head written by `migration-hub audit head`: {error}."
            ) from None
    if sys.stdout.isatty():
        with _progress() as progress:
            task = progress.add_task("Verifying the audit chain", total=None)
            report = verify_chain(
                progress=lambda done, total: progress.update(task, completed=done, total=total),
                head=head,
            )
    else:
        report = verify_chain(head=head)
    if not report.ok:
        raise CommandError(str(report))
    print(report)
    return 0


def command_audit_head(args: argparse.Namespace) -> int:
    """Write the audit chain's head as JSON, to keep off the host (LG-04)."""
    import json

    output = Path(args.output) if args.output else None
    if output is not None and not output.parent.is_dir():
        raise CommandError(
            f"The folder {output.parent} does not exist: create it or choose another --output."
        )
    _setup_django()
    from migration_hub.core.audit_chain import current_head

    head = current_head()
    text = json.dumps(head.export()) + "\n"
    if output is None:
        sys.stdout.write(text)
        return 0
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise CommandError(
            f"Cannot write {output} ({error.strerror}): choose another --output."
        ) from None
    print(f"Audit chain head {head.sequence} {head.hash} written to {output}.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="migration-hub",
        description="Migration Hub: the platform of migration governance actors.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="set up a demo on SQLite and serve it")
    demo.add_argument("--no-serve", action="store_true", help="stop after the set-up")
    demo.add_argument("--port", type=int, default=8000)
    demo.set_defaults(handler=command_demo)

    serve = commands.add_parser("serve", help="run the production server (gunicorn)")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    serve.set_defaults(handler=command_serve)

    manage = commands.add_parser("manage", help="run a Django management command", add_help=False)
    manage.add_argument("arguments", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=command_manage)

    reference = commands.add_parser("load-reference", help="load or update reference data")
    reference.add_argument(
        "--directory", help="the registry's reference files (default: the ones shipped)"
    )
    reference.set_defaults(handler=command_load_reference)

    importer = commands.add_parser(
        "import",
        help="import a statistics file as its publisher released it",
        description="Import a publisher's file; a file with any problem imports nothing.",
    )
    importer.add_argument(
        "kind",
        choices=[
            "undesa-stock",
            "undesa-origin-destination",
            "unhcr",
            "wdi",
            "indicator-csv",
            "who-tb-burden",
        ],
    )
    importer.add_argument("file")
    importer.add_argument("--revision", help="the publisher's revision, when the file does not say")
    importer.add_argument("--encoding", help="text encoding of a CSV file (default UTF-8)")
    importer.add_argument("--report", help="write every problem to this CSV file")
    importer.add_argument(
        "--mapping", help="indicator-csv: a YAML file naming the columns (see docs/statistics.md)"
    )
    importer.add_argument("--indicator", help="indicator-csv: the indicator code for every row")
    importer.add_argument("--unit", help="indicator-csv: the indicator's unit")
    importer.add_argument("--dataset-key", help="indicator-csv: stable name of the data set")
    importer.add_argument("--publisher", help="indicator-csv: who published the figures")
    importer.add_argument("--title", help="indicator-csv: the data set's title")
    importer.add_argument(
        "--owner",
        help="indicator-csv: code of the organization that keeps this regional data set and "
        "reviews the figures offices send to it",
    )
    importer.set_defaults(handler=command_import)

    funds = commands.add_parser("funds", help="trust funds: exchange rates, ledger check")
    funds_commands = funds.add_subparsers(dest="funds_command", required=True, metavar="ACTION")
    rates = funds_commands.add_parser(
        "rates",
        help="import exchange rates from a CSV (currency, quote_currency, date, rate[, source])",
    )
    rates.add_argument("file")
    rates.add_argument(
        "--organization",
        required=True,
        help="code of the organization whose rate table this is (its funds' deposits use it)",
    )
    rates.add_argument("--source", help="where the rates come from, for rows without a source")
    rates.set_defaults(handler=command_funds_rates)
    check = funds_commands.add_parser("check", help="check that every fund's ledger balances")
    check.add_argument("--fund", help="one fund's code (default: every fund)")
    check.set_defaults(handler=command_funds_check)

    report = commands.add_parser("report", help="GCM reviews: compile a report")
    report_commands = report.add_subparsers(dest="report_command", required=True, metavar="ACTION")
    compile_ = report_commands.add_parser(
        "compile",
        help="compile a cycle's report as HTML, DOCX or PDF",
        description="Compile the report on the reviews submitted or published for a cycle.",
    )
    compile_.add_argument("--cycle", type=int, required=True, help="the cycle's year (2026)")
    compile_.add_argument(
        "--scope",
        required=True,
        help="global, a regional commission (ECA, ECE, ECLAC, ESCAP, ESCWA), an M49 region "
        "code (002) or a country's ISO code (KEN or KE)",
    )
    compile_.add_argument(
        "--format", choices=REPORT_FORMATS, help="default: from the output file's extension"
    )
    compile_.add_argument("--output", required=True, help="the file to write")
    compile_.add_argument(
        "--language", choices=REPORT_LANGUAGES, default="en", help="the report's fixed text"
    )
    compile_.add_argument(
        "--base-url", help="the site's address, to make the links to reviews absolute"
    )
    compile_.set_defaults(handler=command_report_compile)

    reviews = commands.add_parser("reviews", help="GCM reviews: import reviews, review cycles")
    reviews_commands = reviews.add_subparsers(
        dest="reviews_command", required=True, metavar="ACTION"
    )
    reviews_import = reviews_commands.add_parser(
        "import",
        help="import voluntary reviews from a JSON file (a file with any problem imports nothing)",
    )
    reviews_import.add_argument("file")
    reviews_import.add_argument(
        "--organization", required=True, help="code of the organization that writes the reviews"
    )
    reviews_import.set_defaults(handler=command_reviews_import)
    reviews_cycles = reviews_commands.add_parser(
        "cycles", help="create the GCM's review schedule (IMRFs, regional reviews, SG reports)"
    )
    reviews_cycles.add_argument(
        "--until", type=int, help="the last year to schedule (default: six years ahead)"
    )
    reviews_cycles.set_defaults(handler=command_reviews_cycles)

    knowledge = commands.add_parser(
        "knowledge",
        help="Migration Network Hub: import and export, alerts, digests",
    )
    knowledge_commands = knowledge.add_subparsers(
        dest="knowledge_command", required=True, metavar="ACTION"
    )
    knowledge_import = knowledge_commands.add_parser(
        "import",
        help="import resources from a CSV or JSON file (see docs/knowledge.md for the columns)",
        description="Import Hub resources. A file with any problem imports nothing, unless "
        "--skip-invalid; every problem is reported with its row and column.",
    )
    knowledge_import.add_argument("file")
    knowledge_import.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import the valid rows and report the others (default: all or nothing)",
    )
    knowledge_import.add_argument("--report", help="write every problem to this CSV file")
    knowledge_import.add_argument("--encoding", help="text encoding of a CSV file (default UTF-8)")
    knowledge_import.set_defaults(handler=command_knowledge_import)
    knowledge_export = knowledge_commands.add_parser(
        "export", help="export resources, experts, demands, offers or discussions"
    )
    knowledge_export.add_argument("--what", required=True, choices=KNOWLEDGE_EXPORTS)
    knowledge_export.add_argument("--format", required=True, choices=("csv", "json"))
    knowledge_export.add_argument("--output", help="the file to write (default: standard output)")
    knowledge_export.add_argument(
        "--all-statuses",
        action="store_true",
        help="resources: also drafts and resources in review (default: published only)",
    )
    knowledge_export.set_defaults(handler=command_knowledge_export)
    knowledge_alerts = knowledge_commands.add_parser(
        "alerts", help="e-mail the saved-search alerts due (run daily or weekly from cron)"
    )
    knowledge_alerts.add_argument("--frequency", required=True, choices=("daily", "weekly"))
    knowledge_alerts.add_argument(
        "--background", action="store_true", help="queue the work for the task worker"
    )
    knowledge_alerts.set_defaults(handler=command_knowledge_alerts)
    knowledge_digests = knowledge_commands.add_parser(
        "digests", help="e-mail the discussion digests due (run daily or weekly from cron)"
    )
    knowledge_digests.add_argument("--frequency", required=True, choices=("daily", "weekly"))
    knowledge_digests.add_argument(
        "--background", action="store_true", help="queue the work for the task worker"
    )
    knowledge_digests.set_defaults(handler=command_knowledge_digests)

    from migration_hub.health.cli import add_commands as add_health_commands

    add_health_commands(commands, _setup_django)

    keys = commands.add_parser("keys", help="encryption keys of sensitive fields: generate, rotate")
    keys_commands = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    keys_generate = keys_commands.add_parser(
        "generate", help="print a new key for MIGRATION_HUB_FIELD_KEYS"
    )
    keys_generate.set_defaults(handler=command_keys_generate)
    keys_rotate = keys_commands.add_parser(
        "rotate",
        help="re-encrypt every encrypted field with the first key of MIGRATION_HUB_FIELD_KEYS",
        description="Re-encrypt every encrypted value with the first key of "
        "MIGRATION_HUB_FIELD_KEYS; afterwards the other keys can be removed (see docs/deploy.md).",
    )
    keys_rotate.set_defaults(handler=command_keys_rotate)

    audit = commands.add_parser(
        "audit", help="the audit log's hash chain: verify it, export its head"
    )
    audit_commands = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    audit_verify = audit_commands.add_parser(
        "verify",
        help="recompute every audit row's hash; exit 1 naming the first broken row",
        description="Walk the audit log by sequence, recomputing each row's hash. Exits 1 "
        "naming the first row altered, deleted or reordered, or when the chain does not reach "
        "the head given with --head (see docs/deploy.md).",
    )
    audit_verify.add_argument(
        "--head", help="a head written by `migration-hub audit head`: the chain must reach it"
    )
    audit_verify.set_defaults(handler=command_audit_verify)
    audit_head = audit_commands.add_parser(
        "head",
        help="write the chain's head (sequence and hash) as JSON, to keep off the host",
    )
    audit_head.add_argument("--output", help="the file to write (default: standard output)")
    audit_head.set_defaults(handler=command_audit_head)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from migration_hub.config.paths import ConfigurationError
    from migration_hub.registry.errors import ReferenceDataError

    try:
        return int(args.handler(args) or 0)
    except ConfigurationError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CONFIGURATION
    except CommandError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_RUNTIME
    except ReferenceDataError as error:
        print(
            f"error: the reference data has {len(error.problems)} problem(s); nothing was "
            "loaded. Fix them and run again:",
            file=sys.stderr,
        )
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_RUNTIME
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        from django.core.exceptions import ValidationError
        from django.db import DatabaseError

        if isinstance(error, DatabaseError):
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            print(
                f"error: the database failed ({first_line}): check DATABASE_URL and that "
                "the server is running.",
                file=sys.stderr,
            )
            return EXIT_RUNTIME
        if isinstance(error, ValidationError):
            print(f"error: {'; '.join(error.messages)}", file=sys.stderr)
            return EXIT_RUNTIME
        raise


if __name__ == "__main__":
    sys.exit(main())
