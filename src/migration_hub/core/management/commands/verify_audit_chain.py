"""`manage.py verify_audit_chain [--head FILE]`: walk the audit hash chain (LG-03).

The same check as `migration-hub audit verify`; exits 1 naming the first row altered, deleted
or reordered, or when the chain does not reach an exported head.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from migration_hub.core.audit_chain import ChainHead, verify_chain


def read_head(path: Path) -> ChainHead:
    """The head exported to `path` by `migration-hub audit head`; CommandError otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CommandError(
            f"Cannot read the head file {path} ({error.strerror}): give the file written by "
            "`migration-hub audit head`."
        ) from None
    try:
        return ChainHead.parse(text)
    except ValueError as error:
        raise CommandError(
            f"{path} is not a head written by `migration-hub audit head`: {error}."
        ) from None


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exit 1 naming the first broken row."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--head",
            type=Path,
            help="a head exported by `migration-hub audit head`: the chain must still reach it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        head = read_head(options["head"]) if options["head"] else None
        report = verify_chain(head=head)
        if not report.ok:
            raise CommandError(str(report))
        self.stdout.write(str(report))
