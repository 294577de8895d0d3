"""Background work of GCM reviews: compiling a report (django-tasks).

`compile_report(job_id)` runs one `ReportJob`: it compiles the document, writes it under
`DATA_DIR/reports/` and keeps the job's status, progress and step up to date for the page
that polls it. A failure is stored on the job (status FAILED, the error in words), never lost.
With the immediate backend the task runs in the request once the job is committed; with the
database backend `migration-hub manage db_worker` runs it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from .choices import JobStatus
from .models import ReportJob

logger = logging.getLogger(__name__)

REPORTS_DIRECTORY = "reports"


def reports_dir() -> Path:
    return Path(settings.DATA_DIR) / REPORTS_DIRECTORY


def output_path(job: ReportJob) -> Path:
    """Where a finished job's file is: `job.output` is relative to DATA_DIR."""
    return Path(settings.DATA_DIR) / job.output


@task()
def compile_report(job_id: int) -> str:
    """Compile the report `job_id` asks for; returns the file's path relative to DATA_DIR
    ("" when the job failed or is already finished)."""
    from . import documents

    job = ReportJob.objects.filter(pk=job_id).first()
    if job is None or job.status in (JobStatus.DONE, JobStatus.FAILED):
        return ""
    jobs = ReportJob.objects.filter(pk=job_id)
    jobs.update(status=JobStatus.RUNNING, progress=0, message="", error="")

    def progress(step: int, total: int, message: str) -> None:
        percent = min(99, int(100 * step / total)) if total else 0
        jobs.update(progress=percent, message=str(message)[:200])

    try:
        content, report = documents.compile_document(
            job.cycle_year,
            job.scope,
            job.format,
            language=job.language,
            progress=progress,
            base_url=job.base_url,
        )
        directory = reports_dir()
        directory.mkdir(parents=True, exist_ok=True)
        name = f"{job.pk}-{documents.filename(report, job.format)}"
        (directory / name).write_bytes(content)
    except Exception as error:
        logger.exception("report job %s failed", job_id)
        jobs.update(
            status=JobStatus.FAILED,
            error=str(error) or error.__class__.__name__,
            finished_at=timezone.now(),
        )
        return ""
    relative = f"{REPORTS_DIRECTORY}/{name}"
    jobs.update(
        status=JobStatus.DONE,
        progress=100,
        message="",
        output=relative,
        finished_at=timezone.now(),
    )
    return relative
