"""Starting a report compilation in the background: checks, the job row, the task."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from migration_hub.core import audit
from migration_hub.core.choices import AuditAction
from migration_hub.core.permissions import require

from . import compilation
from .choices import ReportFormat
from .models import ReportJob


@transaction.atomic
def start_report_job(
    actor: Any,
    cycle_year: int,
    scope: str,
    format: str,
    language: str = "en",
    *,
    base_url: str = "",
) -> ReportJob:
    """Queue the compilation of `cycle_year`'s report on `scope` as `format` in `language`.

    The secretariat compiles (`reviews.compile_report`); bad input raises a ValidationError
    naming the field. The task is enqueued once the job is committed."""
    require(actor, "reviews.compile_report")
    errors: dict[str, str] = {}
    if format not in ReportFormat.values:
        errors["format"] = _("Choose one of: %(formats)s.") % {
            "formats": ", ".join(ReportFormat.values)
        }
    if language not in dict(settings.LANGUAGES):
        errors["language"] = _("Choose one of the UN languages: %(languages)s.") % {
            "languages": ", ".join(code for code, _name in settings.LANGUAGES)
        }
    try:
        year = int(cycle_year)
    except (TypeError, ValueError):
        errors["cycle_year"] = _("Give the cycle's year, for example 2026.")
        year = 0
    parsed = None
    try:
        parsed = compilation.parse_scope(scope)
    except compilation.ReportInputError as error:
        errors[error.field] = error.message
    if year:
        try:
            compilation.review_cycles(year)
        except compilation.ReportInputError as error:
            errors[error.field] = error.message
    if errors:
        raise ValidationError(errors)
    assert parsed is not None  # noqa: S101 - no error means the scope parsed
    job = ReportJob.objects.create(
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        cycle_year=year,
        scope=parsed.code,
        format=format,
        language=language,
        base_url=base_url[:200] if base_url.startswith(("https://", "http://")) else "",
    )
    audit.record(
        actor,
        AuditAction.EXPORT,
        job,
        metadata={"cycle_year": year, "scope": parsed.code, "format": format},
    )

    def enqueue() -> None:
        from .tasks import compile_report

        compile_report.enqueue(job.pk)

    transaction.on_commit(enqueue)
    return job
