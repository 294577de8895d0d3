"""The report pages: the secretariat compiles a report in the background, follows its job and
downloads the file; nobody else sees the job or its file."""

from __future__ import annotations

import pytest
from django.urls import reverse

from migration_hub.reviews import services
from migration_hub.reviews.choices import JobStatus
from migration_hub.reviews.models import ReportJob

pytestmark = pytest.mark.django_db

COMPILE = reverse("reviews:report_compile")


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def compile_form(**overrides):
    data = {
        "cycle_year": "2026",
        "scope_kind": "global",
        "commission": "",
        "region": "",
        "country": "",
        "format": "html",
        "language": "en",
    }
    data.update(overrides)
    return data


def job_url(job, name="reviews:report_job"):
    return reverse(name, kwargs={"pk": job.pk})


def test_anonymous_people_are_sent_to_sign_in(client, cycles):
    response = client.get(COMPILE)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_only_the_secretariat_compiles(client_for, focal_point, cycles):
    client = client_for(focal_point)
    assert client.get(COMPILE).status_code == 403
    assert client.post(COMPILE, compile_form()).status_code == 403
    assert ReportJob.objects.count() == 0


def test_the_form_offers_review_years_scopes_formats_and_languages(
    client_for, secretariat_viewer, cycles, countries
):
    response = client_for(secretariat_viewer).get(COMPILE)
    assert response.status_code == 200
    html = response.content.decode()
    for year in (2020, 2022, 2024, 2026, 2028, 2030):
        assert f'<option value="{year}"' in html
    for value in ("global", "commission", "region", "country", "html", "docx", "pdf"):
        assert f'value="{value}"' in html
    for code in ("ar", "zh-hans", "en", "fr", "ru", "es"):
        assert f'<option value="{code}"' in html
    assert '<option value="ESCWA"' in html
    assert '<option value="002"' in html  # Africa
    assert '<option value="KEN"' in html


def test_a_secretariat_member_compiles_a_report_and_opens_it(
    client_for,
    secretariat_viewer,
    complete_review,
    focal_point,
    django_capture_on_commit_callbacks,
):
    services.submit_review(focal_point, complete_review)
    client = client_for(secretariat_viewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(COMPILE, compile_form())
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url() == job_url(job)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert (job.requested_by, job.cycle_year, job.scope) == (secretariat_viewer, 2026, "global")

    page = client.get(job_url(job))
    html = page.content.decode()
    assert 'data-status="done"' in html
    assert "hx-trigger" not in html  # no more polling
    assert job_url(job, "reviews:report_download") in html

    download = client.get(job_url(job, "reviews:report_download"))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/html")
    assert "attachment" not in download.get("Content-Disposition", "")
    assert "script-src" not in download["Content-Security-Policy"]
    assert "sandbox" in download["Content-Security-Policy"]
    body = b"".join(download.streaming_content).decode()
    assert "2026" in body
    # The quotes link back to their review with the site's address, so they work offline too.
    assert f'href="http://testserver/reviews/{complete_review.pk}/#objective-5"' in body


def test_a_docx_report_is_downloaded_as_a_file(
    client_for, secretariat_editor, cycles, django_capture_on_commit_callbacks
):
    client = client_for(secretariat_editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(COMPILE, compile_form(format="docx", scope_kind="commission", commission="ECA"))
    job = ReportJob.objects.get()
    assert job.scope == "ECA"
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    download = client.get(job_url(job, "reviews:report_download"))
    assert download.status_code == 200
    assert "wordprocessingml" in download["Content-Type"]
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"PK")


def test_a_scope_without_its_choice_is_refused(client_for, secretariat_viewer, cycles):
    client = client_for(secretariat_viewer)
    response = client.post(COMPILE, compile_form(scope_kind="country"))
    assert response.status_code == 400
    assert "Choose the country the report is about." in response.content.decode()
    response = client.post(COMPILE, compile_form(cycle_year="2023"))
    assert response.status_code == 400
    response = client.post(COMPILE, compile_form(language="de"))
    assert response.status_code == 400
    assert ReportJob.objects.count() == 0


@pytest.fixture
def running_job(secretariat_viewer):
    return ReportJob.objects.create(
        requested_by=secretariat_viewer,
        cycle_year=2026,
        scope="global",
        format="pdf",
        language="fr",
        status=JobStatus.RUNNING,
        progress=40,
        message="Counting objectives",
    )


def test_a_running_job_polls_every_two_seconds(client_for, secretariat_viewer, running_job):
    client = client_for(secretariat_viewer)
    html = client.get(job_url(running_job)).content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert 'value="40"' in html
    assert "Counting objectives" in html
    partial = client.get(job_url(running_job), headers={"HX-Request": "true"})
    assert partial.status_code == 200
    text = partial.content.decode()
    assert "<html" not in text
    assert 'id="job-status"' in text
    assert "HX-Request" in partial["Vary"]
    # Nothing to download yet.
    assert client.get(job_url(running_job, "reviews:report_download")).status_code == 404

    ReportJob.objects.filter(pk=running_job.pk).update(
        status=JobStatus.FAILED, error="WeasyPrint is missing."
    )
    text = client.get(job_url(running_job), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in text
    assert "WeasyPrint is missing." in text


def test_other_people_do_not_see_a_job(client_for, focal_point, secretariat_editor, running_job):
    assert client_for(focal_point).get(job_url(running_job)).status_code == 404
    # Another member of the secretariat does.
    assert client_for(secretariat_editor).get(job_url(running_job)).status_code == 200


def test_a_finished_job_whose_file_is_gone_is_404(client_for, secretariat_viewer, running_job):
    ReportJob.objects.filter(pk=running_job.pk).update(
        status=JobStatus.DONE, output="reports/missing.pdf"
    )
    client = client_for(secretariat_viewer)
    assert client.get(job_url(running_job, "reviews:report_download")).status_code == 404
    ReportJob.objects.filter(pk=running_job.pk).update(output="../../etc/passwd")
    assert client.get(job_url(running_job, "reviews:report_download")).status_code == 404
