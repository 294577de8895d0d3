"""The same profile through the CLI (a real process), the API and the form page: one answer."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from migration_hub.health import services
from tests.cli.test_cli import cli_env, run

PROFILES = {
    "child-examined-in-a-high-burden-country": {
        "destination": "US",
        "category": "immigrant",
        "date_of_birth": "2015-05-01",
        "exam_date": "2026-11-01",
        "citizenship": "PH",
        "exam_country": "PH",
    },
    "pregnant-adult-refugee": {
        "destination": "US",
        "category": "refugee",
        "date_of_birth": "2004-01-10",
        "exam_date": "2026-11-01",
        "sex": "female",
        "pregnant": True,
        "citizenship": "AF",
        "symptoms": ["cough"],
    },
    "uk-student-from-a-listed-country": {
        "destination": "GB",
        "category": "student",
        "date_of_birth": "2005-02-01",
        "exam_date": "2026-11-01",
        "citizenship": "IN",
        "residence_history": [{"country": "IN", "from": "2005-02-01", "to": None}],
        "intended_stay_months": 24,
    },
    "canada-permanent-child-contact": {
        "destination": "CA",
        "category": "permanent",
        "date_of_birth": "2019-06-15",
        "exam_date": "2026-11-01",
        "citizenship": "PH",
        "conditions": ["tb_contact"],
    },
    "australia-nurse-giving-birth": {
        "destination": "AU",
        "category": "worker",
        "date_of_birth": "1994-03-03",
        "exam_date": "2026-11-01",
        "sex": "female",
        "pregnant": True,
        "intends_to_give_birth_in_destination": True,
        "citizenship": "VN",
        "intended_stay_months": 6,
        "occupation": ["health_care"],
    },
    "new-zealand-worker-nine-months": {
        "destination": "NZ",
        "category": "worker",
        "date_of_birth": "1990-01-01",
        "exam_date": "2026-11-01",
        "citizenship": "NG",
        "intended_stay_months": 9,
    },
    "before-covid-vaccination-was-dropped": {
        "destination": "US",
        "category": "immigrant",
        "date_of_birth": "1980-01-01",
        "exam_date": "2024-06-01",
        "citizenship": "MX",
    },
}


@pytest.fixture(scope="module")
def cli_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("health-cli")
    env = cli_env(data, DEBUG="true")
    migrated = run("manage", "migrate", "-v", "0", env=env)
    assert migrated.returncode == 0, migrated.stderr
    loaded = run("health", "load", env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert "Health protocols:" in loaded.stdout
    return data


@pytest.fixture
def cli(cli_data: Path, tmp_path: Path) -> dict[str, str]:
    data = tmp_path / "data"
    shutil.copytree(cli_data, data)
    return cli_env(data, DEBUG="true")


@pytest.fixture
def protocols(db) -> None:
    services.load_country_lists()
    assert services.load_protocols().rejected == []


def page_items(html: str, list_id: str) -> list[str]:
    block = re.search(rf'<ul id="{list_id}">(.*?)</ul>', html, re.S)
    return re.findall(r'data-item="([a-z_]+)"', block.group(1)) if block else []


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PROFILES))
def test_cli_api_and_form_agree(name, cli, protocols, client, tmp_path):
    profile = PROFILES[name]
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(profile))
    process = run("health", "assess", str(path), env=cli)
    assert process.returncode == 0, process.stderr
    from_cli = json.loads(process.stdout)

    response = client.post(
        "/api/health/assessments/requirements/", profile, content_type="application/json"
    )
    assert response.status_code == 200
    from_api = response.json()
    assert from_cli == from_api

    form = {key: value for key, value in profile.items() if not isinstance(value, (list, bool))}
    form.update({key: value for key, value in profile.items() if isinstance(value, list)})
    for flag in ("pregnant", "intends_to_give_birth_in_destination"):
        if profile.get(flag):
            form[flag] = "on"
    if "residence_history" in profile:
        form["residence_history"] = "\n".join(
            f"{stay['country']}, {stay['from']}, {stay['to'] or ''}"
            for stay in profile["residence_history"]
        )
    page = client.post("/health/requirements/", form)
    assert page.status_code == 200
    html = page.content.decode()
    assert page_items(html, "required-items") == [item["item"] for item in from_api["required"]]
    assert page_items(html, "conditional-items") == [
        item["item"] for item in from_api["conditional"]
    ]
    assert f"version {from_api['version']}" in html
    for requirement in from_api["required"]:
        assert requirement["rule"] in html


def test_cli_names_every_field_to_fix(cli, tmp_path):
    path = tmp_path / "profile.json"
    path.write_text(json.dumps({"category": "immigrant", "citizenship": "XX"}))
    process = run("health", "assess", str(path), env=cli)
    assert process.returncode == 1
    assert "3 problems" in process.stderr
    for name in ("destination", "date_of_birth", "citizenship"):
        assert f"  {name}: " in process.stderr
    assert process.stdout == ""


def test_cli_reads_standard_input_and_rejects_what_is_not_json(cli, tmp_path):
    path = tmp_path / "profile.json"
    path.write_text('{"destination": "US",')
    process = run("health", "assess", str(path), env=cli)
    assert process.returncode == 1
    assert "is not JSON" in process.stderr and "line 1" in process.stderr
    missing = run("health", "assess", str(tmp_path / "none.json"), env=cli)
    assert missing.returncode == 1 and "is not a file" in missing.stderr


def test_cli_load_rejects_a_broken_file_and_keeps_the_version_in_force(cli, tmp_path):
    shipped = services.REFERENCE_DIR
    folder = tmp_path / "reference"
    shutil.copytree(shipped, folder)
    current = folder / "protocols" / "us-panel" / "2025-03-11.yaml"
    current.write_text(current.read_text().replace("when: age >= 15\n", "when: age >= (15\n", 1))
    process = run("health", "load", "--directory", str(folder), env=cli)
    assert process.returncode == 1
    assert "us-panel/2025-03-11.yaml, line" in process.stderr and "syntax error" in process.stderr
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps(PROFILES["child-examined-in-a-high-burden-country"]))
    assessed = run("health", "assess", str(profile), env=cli)
    assert assessed.returncode == 0
    assert json.loads(assessed.stdout)["version"] == "2025-03-11"


def test_import_who_tb_burden_from_the_cli(cli, tmp_path):
    path = tmp_path / "TB_burden_countries_2025.csv"
    path.write_text("country,iso2,iso3,year,e_inc_100k\nPhilippines,PH,PHL,2024,624\n")
    process = run("import", "who-tb-burden", str(path), env=cli)
    assert process.returncode == 0, process.stderr
    assert "1 countries from TB_burden_countries_2025" in process.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("country,year\nPhilippines,2024\n")
    process = run("import", "who-tb-burden", str(bad), env=cli)
    assert process.returncode == 1 and "lacks the column(s) iso2, e_inc_100k" in process.stderr


@pytest.mark.django_db
class TestApi:
    URL = "/api/health/assessments/requirements/"

    def test_errors_name_every_field(self, client, protocols):
        response = client.post(
            self.URL,
            {"destination": "ZZ", "date_of_birth": "2090-01-01", "citizenship": "PH"},
            content_type="application/json",
        )
        assert response.status_code == 400
        assert set(response.json()["errors"]) == {"destination", "category", "date_of_birth"}

    @pytest.mark.parametrize("body", ['["US"]', '"US"', "null", "{bad json"])
    def test_a_body_that_is_not_an_object_is_a_400(self, client, protocols, body):
        response = client.post(self.URL, body, content_type="application/json")
        assert response.status_code == 400

    def test_nothing_is_stored_or_cached(self, client, protocols):
        from migration_hub.core.models import AuditEvent

        before = AuditEvent.objects.count()
        response = client.post(
            self.URL, PROFILES["pregnant-adult-refugee"], content_type="application/json"
        )
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        assert AuditEvent.objects.count() == before
        assert response.json()["alternatives"][0]["for"] == "chest_xray"
