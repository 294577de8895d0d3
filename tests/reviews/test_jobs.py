"""Report compilation in the background: the secretariat starts a job, the task backend runs
it, the job ends DONE with a file or FAILED with the error stored."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from docx import Document

from migration_hub.core.models import AuditEvent
from migration_hub.reviews import documents
from migration_hub.reviews.choices import JobStatus
from migration_hub.reviews.jobs import start_report_job
from migration_hub.reviews.models import ReportJob
from migration_hub.reviews.tasks import compile_report, output_path


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_the_secretariat_compiles_a_docx_in_the_background(
    season,
    secretariat_viewer,
    data_dir,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = start_report_job(secretariat_viewer, 2026, "eca", "docx", "fr")
        assert job.status == JobStatus.QUEUED
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert (job.scope, job.language, job.progress) == ("ECA", "fr", 100)
    assert job.finished_at is not None
    assert job.output.startswith("reports/") and job.output.endswith(".docx")
    path = output_path(job)
    assert path.parent == data_dir / "reports"
    document = Document(io.BytesIO(path.read_bytes()))
    assert len(document.tables) >= 3
    assert AuditEvent.objects.filter(action="export", target_id=str(job.pk)).exists()


def test_a_rendering_failure_is_stored_on_the_job(season, secretariat_viewer, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the chart renderer crashed")

    monkeypatch.setattr(documents, "render_html", broken)
    job = ReportJob.objects.create(cycle_year=2026, scope="global", format="html", language="en")
    result = compile_report.enqueue(job.pk)
    assert result.return_value == ""
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "the chart renderer crashed" in job.error
    assert job.output == ""
    assert job.finished_at is not None


def test_only_the_secretariat_compiles(season, focal_point):
    with pytest.raises(PermissionDenied):
        start_report_job(focal_point, 2026, "global", "pdf", "en")
    assert not ReportJob.objects.exists()


def test_bad_input_names_each_field(season, secretariat_viewer):
    with pytest.raises(ValidationError) as error:
        start_report_job(secretariat_viewer, 1999, "Atlantis", "odt", "xx")
    assert set(error.value.message_dict) == {"cycle_year", "scope", "format", "language"}
    assert "global" in error.value.message_dict["scope"][0]
    assert not ReportJob.objects.exists()
