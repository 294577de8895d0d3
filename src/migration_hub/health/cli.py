"""`migration-hub health ...` and `migration-hub import who-tb-burden`: the handlers.

Each failure raises the main CLI's CommandError with one message saying what to fix.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def _command_error(message: str) -> Exception:
    from migration_hub.cli import CommandError

    return CommandError(message)


def read_profile(source: str) -> Any:
    """The profile JSON from a file, or from standard input when `source` is '-'."""
    if source == "-":
        text = sys.stdin.read()
        name = "standard input"
    else:
        path = Path(source)
        if not path.is_file():
            raise _command_error(f"{path} is not a file: give the path of a profile JSON file.")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise _command_error(f"{path} is not UTF-8 text: save it as UTF-8 JSON.") from None
        name = str(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise _command_error(
            f"{name} is not JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None


def command_assess(args: argparse.Namespace) -> int:
    from .engine import ProfileError, requirements_for

    profile = read_profile(args.profile)
    try:
        result = requirements_for(profile)
    except ProfileError as error:
        lines = "\n".join(f"  {name}: {message}" for name, message in error.errors.items())
        count = len(error.errors)
        raise _command_error(
            f"the profile has {count} problem{'s' if count > 1 else ''}; fix "
            f"{'these fields' if count > 1 else 'this field'} and run again:\n{lines}"
        ) from None
    json.dump(result.as_dict(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def load_health_reference(
    progress: Any = None, directory: str | None = None
) -> list[tuple[str, str]]:
    """Country lists, then protocols (a protocol may read a list). Returns (name, report) pairs;
    raises CommandError listing every rejected protocol file, with file, line and reason."""
    from . import services

    base = Path(directory) if directory else None
    lists = services.load_country_lists(base / "country-lists" if base else None)
    report = services.load_protocols(base / "protocols" if base else None, progress=progress)
    reports = [
        ("Health country lists", ", ".join(f"{n} {what}" for what, n in lists.items())),
        ("Health protocols", str(report)),
    ]
    if report.rejected:
        problems = "\n".join(
            f"  {error.file_name}, line {line}: {reason}"
            if line
            else f"  {error.file_name}: {reason}"
            for error in report.rejected
            for line, reason in error.problems
        )
        raise _command_error(
            f"{len(report.rejected)} protocol file(s) rejected; the versions already loaded stay "
            f"in force. Fix these and run again:\n{problems}"
        )
    return reports


def command_load(args: argparse.Namespace) -> int:
    from .services import ReferenceFileError

    try:
        reports = load_health_reference(directory=args.directory)
    except ReferenceFileError as error:
        raise _command_error(f"{error} Nothing was loaded.") from None
    for name, report in reports:
        print(f"{name}: {report}.")
    return 0


def command_import_who_tb_burden(args: argparse.Namespace) -> int:
    from .services import ReferenceFileError, import_who_tb_burden

    path = Path(args.file)
    if not path.is_file():
        raise _command_error(f"{path} is not a file: give the path of WHO's TB estimates CSV.")
    release = args.revision or path.stem
    try:
        report = import_who_tb_burden(path.read_bytes(), release=release)
    except ReferenceFileError as error:
        raise _command_error(str(error)) from None
    print(f"WHO TB incidence: {report}.")
    return 0


def add_commands(commands: Any, setup: Any) -> None:
    """Register `health assess` and `health load` on the main parser's subcommands."""

    def with_django(handler: Any) -> Any:
        def run(args: argparse.Namespace) -> int:
            setup()
            return handler(args)

        return run

    health = commands.add_parser(
        "health", help="health assessments: requirements for a profile, protocol loading"
    )
    health_commands = health.add_subparsers(dest="health_command", required=True, metavar="ACTION")
    assess = health_commands.add_parser(
        "assess",
        help="print what the destination's protocol requires for a profile (JSON)",
        description="Print the required items, follow-ups, alternatives and validity for the "
        "profile in PROFILE.json ('-' reads standard input).",
    )
    assess.add_argument("profile", metavar="PROFILE.json")
    assess.set_defaults(handler=with_django(command_assess))
    load = health_commands.add_parser(
        "load", help="load the country lists and protocol files (a broken file is rejected)"
    )
    load.add_argument(
        "--directory", help="a folder holding protocols/ and country-lists/ (default: shipped)"
    )
    load.set_defaults(handler=with_django(command_load))
