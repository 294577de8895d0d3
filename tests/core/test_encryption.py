"""Encryption at rest of sensitive fields: round trips, the raw column, keys and their rotation,
refused lookups, the deploy check and the `migration-hub keys` command.

The model is tests.encryption_app.Secret, installed by the test settings only.
"""

from __future__ import annotations

import runpy
from collections.abc import Iterator
from datetime import date

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django import forms
from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.db import connection, models
from django.db.migrations.writer import MigrationWriter
from django.db.models.signals import post_init, post_save, pre_save
from django.test.utils import isolate_apps, override_settings

from migration_hub import cli
from migration_hub.core import encryption
from migration_hub.core.encryption import (
    DecryptionError,
    EncryptedJSONField,
    EncryptedLookupError,
    EncryptedTextField,
    EncryptionKeyError,
    check_keys_set,
    check_keys_valid,
    encrypted_fields,
    rotate,
)
from tests.encryption_app.models import Secret

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()
LOST_KEY = Fernet.generate_key().decode()
GENERATE = "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"

pytestmark = pytest.mark.django_db


def keys(*values: str) -> override_settings:
    return override_settings(FIELD_ENCRYPTION_KEYS=list(values))


@pytest.fixture(autouse=True)
def old_key() -> Iterator[None]:
    """Every test starts with one key, OLD_KEY; tests change the list with `keys(...)`."""
    with keys(OLD_KEY):
        yield


def raw_columns(pk: int) -> tuple:
    """The stored note, payload, label and updated_at, as the database holds them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT note, payload, label, updated_at FROM encryption_test_secret WHERE id = %s",
            [pk],
        )
        return cursor.fetchone()


def reread(secret: Secret) -> Secret:
    return Secret.objects.get(pk=secret.pk)


@pytest.mark.parametrize("note", ["Case note: fled in 2021 via Tunis", "", "é中 عربي\n\t", None])
def test_text_round_trips(note: str | None) -> None:
    secret = Secret.objects.create(label="text", note=note)
    assert reread(secret).note == note
    assert Secret.objects.values_list("note", flat=True).get(pk=secret.pk) == note


@pytest.mark.parametrize(
    "payload",
    [
        {"diagnosis": "TB screening", "results": [1, 2.5, True, None], "nested": {"a": "é"}},
        [1, "two", {"three": 3}],
        "",
        "plain text",
        0,
        False,
        [],
        {},
        None,
    ],
)
def test_json_round_trips(payload: object) -> None:
    secret = Secret.objects.create(label="json", payload=payload)
    assert reread(secret).payload == payload
    assert type(reread(secret).payload) is type(payload)


def test_json_uses_the_fields_encoder() -> None:
    secret = Secret.objects.create(label="dated", payload={"seen_on": date(2024, 3, 1)})
    assert reread(secret).payload == {"seen_on": "2024-03-01"}


def test_json_forms_and_validation() -> None:
    field = Secret._meta.get_field("payload")
    assert isinstance(field.formfield(), forms.JSONField)
    assert field.formfield().clean('{"a": [1, 2]}') == {"a": [1, 2]}
    with pytest.raises(ValidationError, match="valid JSON"):
        field.clean({1, 2}, None)
    assert Secret._meta.get_field("note").clean("text", None) == "text"


def test_none_is_stored_as_null_and_found_by_isnull() -> None:
    empty = Secret.objects.create(label="empty")
    full = Secret.objects.create(label="full", note="", payload="")
    assert raw_columns(empty.pk)[:2] == (None, None)
    assert list(Secret.objects.filter(note__isnull=True)) == [empty]
    assert list(Secret.objects.filter(payload__isnull=False)) == [full]
    assert list(Secret.objects.filter(note=None)) == [empty]
    assert list(Secret.objects.exclude(note=None)) == [full]


def test_the_column_holds_a_fernet_token_not_the_text() -> None:
    secret = Secret.objects.create(
        label="raw", note="Born in Herat", payload={"name": "Amina Rahimi"}
    )
    note, payload, label, _ = raw_columns(secret.pk)
    assert label == "raw"
    for token, plain in ((note, "Born in Herat"), (payload, "Amina Rahimi")):
        assert plain not in token
        assert token.startswith("gAAAAA")  # Fernet's version byte, base64
    assert Fernet(OLD_KEY).decrypt(note.encode()) == b"Born in Herat"
    assert Fernet(OLD_KEY).decrypt(payload.encode()) == b'{"name": "Amina Rahimi"}'


def test_the_same_value_gives_a_different_token_each_time() -> None:
    first = Secret.objects.create(label="a", note="same")
    second = Secret.objects.create(label="b", note="same")
    assert raw_columns(first.pk)[0] != raw_columns(second.pk)[0]


def test_update_and_bulk_update_encrypt_too() -> None:
    secret = Secret.objects.create(label="x", note="before")
    Secret.objects.filter(pk=secret.pk).update(note="after update")
    assert Fernet(OLD_KEY).decrypt(raw_columns(secret.pk)[0].encode()) == b"after update"
    secret.note = "after bulk"
    Secret.objects.bulk_update([secret], ["note"])
    assert reread(secret).note == "after bulk"
    assert "after bulk" not in raw_columns(secret.pk)[0]


def test_a_value_encrypted_with_an_old_key_reads_after_a_new_key_is_put_first() -> None:
    secret = Secret.objects.create(label="old", note="under the old key", payload=[1])
    with keys(NEW_KEY, OLD_KEY):
        assert reread(secret).note == "under the old key"
        fresh = Secret.objects.create(label="new", note="under the new key")
        # New values use the first key only.
        assert Fernet(NEW_KEY).decrypt(raw_columns(fresh.pk)[0].encode()) == b"under the new key"
        with pytest.raises(InvalidToken):
            Fernet(OLD_KEY).decrypt(raw_columns(fresh.pk)[0].encode())


def test_a_value_whose_key_is_gone_raises_a_clear_error() -> None:
    secret = Secret.objects.create(label="lost", note="Ward 7, bed 3")
    with keys(NEW_KEY), pytest.raises(DecryptionError) as caught:
        reread(secret)
    message = str(caught.value)
    assert "encryption_test.Secret.note" in message
    assert "the key that encrypted it is not in MIGRATION_HUB_FIELD_KEYS" in message
    assert "Ward 7" not in message
    assert OLD_KEY not in message and NEW_KEY not in message
    assert isinstance(caught.value, ImproperlyConfigured)


def test_a_tampered_token_raises_the_same_error() -> None:
    secret = Secret.objects.create(label="tampered", note="original")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE encryption_test_secret SET note = %s WHERE id = %s",
            ["gAAAAABnot-a-real-token", secret.pk],
        )
    with pytest.raises(DecryptionError, match="MIGRATION_HUB_FIELD_KEYS"):
        reread(secret)


@pytest.mark.parametrize(
    ("configured", "position"),
    [
        (["not-a-fernet-key"], "Key 1 of 1"),
        ([NEW_KEY, "c2hvcnQ="], "Key 2 of 2"),
        ([NEW_KEY, OLD_KEY, NEW_KEY[:-2]], "Key 3 of 3"),
    ],
)
def test_a_malformed_key_is_named_by_its_position_never_printed(
    configured: list[str], position: str
) -> None:
    with override_settings(FIELD_ENCRYPTION_KEYS=configured):
        with pytest.raises(EncryptionKeyError) as caught:
            Secret.objects.create(label="x", note="text")
        message = str(caught.value)
        assert f"{position} in MIGRATION_HUB_FIELD_KEYS is not a valid Fernet key" in message
        assert GENERATE in message
        for key in configured:
            assert key not in message
        [error] = check_keys_valid()
        assert error.id == "migration_hub.E011"
        assert position in error.msg


def test_no_keys_in_production_says_what_to_set() -> None:
    with keys(), pytest.raises(EncryptionKeyError) as caught:
        Secret.objects.create(label="x", note="text")
    assert "MIGRATION_HUB_FIELD_KEYS is not set" in str(caught.value)
    assert GENERATE in str(caught.value)


def test_blank_entries_such_as_a_trailing_comma_are_ignored() -> None:
    with keys(f" {NEW_KEY} ", ""):
        secret = Secret.objects.create(label="x", note="text")
        assert reread(secret).note == "text"
        assert check_keys_valid() == []


@pytest.mark.parametrize(
    "query",
    [
        {"note": "Born in Herat"},
        {"note__icontains": "Herat"},
        {"note__in": ["a", "b"]},
        {"note__startswith": "B"},
        {"payload": {"a": 1}},
        {"payload__name": "Amina"},
        {"payload__contains": {"a": 1}},
        {"note__lower": "x"},
    ],
)
def test_filtering_on_an_encrypted_value_is_refused(query: dict[str, object]) -> None:
    with pytest.raises(EncryptedLookupError, match="is encrypted, so the database cannot filter"):
        list(Secret.objects.filter(**query))
    assert issubclass(EncryptedLookupError, FieldError)


def test_filtering_through_an_expression_is_refused_too() -> None:
    with pytest.raises(EncryptedLookupError, match=r"encryption_test\.Secret\.note"):
        list(Secret.objects.filter(note=models.F("label")))
    with pytest.raises(EncryptedLookupError, match=r"encryption_test\.Secret\.note"):
        list(Secret.objects.annotate(copy=models.F("note")).filter(copy="Born in Herat"))


def test_rotate_rewrites_every_value_with_the_first_key() -> None:
    secrets = [
        Secret.objects.create(label=f"row {n}", note=f"note {n}", payload={"n": n})
        for n in range(4)
    ]
    secrets.append(Secret.objects.create(label="note only", note="just a note"))
    secrets.append(Secret.objects.create(label="payload only", payload=["only"]))
    nothing = Secret.objects.create(label="nothing to encrypt")
    before = {secret.pk: raw_columns(secret.pk) for secret in [*secrets, nothing]}
    calls: list[tuple[int, int]] = []
    sent: list[str] = []

    def receiver(signal_name: str):
        def receive(**kwargs: object) -> None:
            sent.append(signal_name)

        return receive

    receivers = {name: receiver(name) for name in ("pre_save", "post_save", "post_init")}
    pre_save.connect(receivers["pre_save"], sender=Secret)
    post_save.connect(receivers["post_save"], sender=Secret)
    post_init.connect(receivers["post_init"], sender=Secret)
    try:
        with keys(NEW_KEY, OLD_KEY):
            report = rotate(progress=lambda done, total: calls.append((done, total)), batch_size=4)
    finally:
        pre_save.disconnect(receivers["pre_save"], sender=Secret)
        post_save.disconnect(receivers["post_save"], sender=Secret)
        post_init.disconnect(receivers["post_init"], sender=Secret)

    assert report["encryption_test.Secret"] == 6
    assert sum(report.values()) == 6  # other apps' encrypted models have no rows here
    assert calls == [(0, 6), (4, 6), (6, 6)]
    assert sent == []
    for secret in secrets:
        note, payload, label, updated_at = raw_columns(secret.pk)
        old_note, old_payload, old_label, old_updated_at = before[secret.pk]
        assert (label, updated_at) == (old_label, old_updated_at)  # untouched, no auto_now
        assert (note is None) == (old_note is None) and (payload is None) == (old_payload is None)
        for token, old_token in ((note, old_note), (payload, old_payload)):
            if token is not None:
                assert token != old_token
                Fernet(NEW_KEY).decrypt(token.encode())
                with pytest.raises(InvalidToken):
                    Fernet(OLD_KEY).decrypt(token.encode())
    assert raw_columns(nothing.pk) == before[nothing.pk]
    # The old key can go.
    with keys(NEW_KEY):
        assert [(s.note, s.payload) for s in Secret.objects.all()] == [
            *[(f"note {n}", {"n": n}) for n in range(4)],
            ("just a note", None),
            (None, ["only"]),
            (None, None),
        ]


def test_rotate_with_nothing_to_rotate_reports_zero_rows() -> None:
    calls: list[tuple[int, int]] = []
    report = rotate(progress=lambda done, total: calls.append((done, total)))
    assert report["encryption_test.Secret"] == 0
    assert set(report.values()) == {0}
    assert calls == [(0, 0)]


def test_rotate_stops_with_a_clear_error_on_a_value_no_key_opens() -> None:
    with keys(LOST_KEY):
        lost = Secret.objects.create(label="lost", note="under a lost key")
    with keys(NEW_KEY, OLD_KEY), pytest.raises(DecryptionError) as caught:
        rotate()
    assert f"encryption_test.Secret.note (row {lost.pk})" in str(caught.value)
    assert "under a lost key" not in str(caught.value)


def test_the_registry_lists_every_encrypted_field() -> None:
    pairs = list(encrypted_fields())
    found = {(model._meta.label, field.name) for model, field in pairs}
    assert {("encryption_test.Secret", "note"), ("encryption_test.Secret", "payload")} <= found
    assert len(found) == len(pairs)  # each column once
    for model, field in pairs:
        assert isinstance(field, EncryptedTextField | EncryptedJSONField)
        assert field.model is model and not model._meta.proxy
    assert ("encryption_test.Secret", "label") not in found


def test_fields_deconstruct_without_key_material() -> None:
    for field_name, path in (
        ("note", "migration_hub.core.encryption.EncryptedTextField"),
        ("payload", "migration_hub.core.encryption.EncryptedJSONField"),
    ):
        field = Secret._meta.get_field(field_name)
        _, found_path, args, kwargs = field.deconstruct()
        assert found_path == path
        assert args == []
        assert kwargs["null"] is True and kwargs["blank"] is True
        rebuilt = type(field)(*args, **kwargs)
        assert rebuilt.deconstruct()[1:] == (found_path, args, kwargs)
        written, _ = MigrationWriter.serialize(field)
        assert OLD_KEY not in written
    _, _, _, kwargs = Secret._meta.get_field("payload").deconstruct()
    assert kwargs["encoder"].__name__ == "DjangoJSONEncoder"
    assert "encoder" not in EncryptedJSONField().deconstruct()[3]


@isolate_apps("tests.encryption_app")
def test_an_indexed_or_unique_encrypted_field_fails_the_model_check() -> None:
    class Indexed(models.Model):
        unique_note = EncryptedTextField(unique=True)
        indexed_note = EncryptedJSONField(db_index=True)
        plain_note = EncryptedTextField()

        class Meta:
            app_label = "encryption_test"

        def __str__(self) -> str:
            return str(self.pk)

    errors = [error for error in Indexed.check() if error.id == "migration_hub.E012"]
    assert [error.obj.name for error in errors] == ["unique_note", "indexed_note"]


def test_the_deploy_check_asks_for_keys_when_debug_is_off() -> None:
    with override_settings(DEBUG=False, FIELD_ENCRYPTION_KEYS=[]):
        [error] = check_keys_set()
        assert error.id == "migration_hub.E010"
        assert error.level == checks.ERROR
        assert "MIGRATION_HUB_FIELD_KEYS is not set" in error.msg
        assert GENERATE in error.hint
        found = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
        assert "migration_hub.E010" in {message.id for message in found}
        # Only `check --deploy` asks: a plain `check` (and migrate) does not.
        found = checks.run_checks(tags=[checks.Tags.security])
        assert "migration_hub.E010" not in {message.id for message in found}
    with override_settings(DEBUG=False, FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        assert check_keys_set() == []


# run_module runs a fresh copy of the settings module beside the one Django loaded.
@pytest.mark.filterwarnings("ignore:'migration_hub.config.settings' found in sys.modules")
def test_settings_derive_a_stable_development_key_only_with_debug(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MIGRATION_HUB_FIELD_KEYS", raising=False)
    monkeypatch.setenv("SECRET_KEY", "demo-secret-" + "s" * 40)
    monkeypatch.setenv("DEBUG", "true")
    first = runpy.run_module("migration_hub.config.settings")["FIELD_ENCRYPTION_KEYS"]
    again = runpy.run_module("migration_hub.config.settings")["FIELD_ENCRYPTION_KEYS"]
    assert first == again and len(first) == 1
    Fernet(first[0])
    assert encryption.parse_keys(first)
    monkeypatch.setenv("SECRET_KEY", "another-secret-" + "s" * 40)
    assert runpy.run_module("migration_hub.config.settings")["FIELD_ENCRYPTION_KEYS"] != first
    monkeypatch.setenv("DEBUG", "false")
    assert runpy.run_module("migration_hub.config.settings")["FIELD_ENCRYPTION_KEYS"] == []
    monkeypatch.setenv("MIGRATION_HUB_FIELD_KEYS", f"{NEW_KEY},{OLD_KEY}")
    assert runpy.run_module("migration_hub.config.settings")["FIELD_ENCRYPTION_KEYS"] == [
        NEW_KEY,
        OLD_KEY,
    ]


def test_cli_keys_generate_prints_a_valid_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["keys", "generate"]) == 0
    out, err = capsys.readouterr()
    key = out.strip()
    assert len(out.splitlines()) == 1
    assert Fernet(key).decrypt(Fernet(key).encrypt(b"x")) == b"x"
    assert "MIGRATION_HUB_FIELD_KEYS" in err
    assert cli.main(["keys", "generate"]) == 0
    assert capsys.readouterr().out.strip() != key


def test_cli_keys_rotate_reencrypts_with_the_first_key(capsys: pytest.CaptureFixture[str]) -> None:
    secret = Secret.objects.create(label="cli", note="rotate me")
    with keys(NEW_KEY, OLD_KEY):
        assert cli.main(["keys", "rotate"]) == 0
    out = capsys.readouterr().out
    assert "encryption_test.Secret: 1 rows re-encrypted." in out
    assert "the other keys can now be removed" in out
    with keys(NEW_KEY):
        assert reread(secret).note == "rotate me"


def test_cli_keys_rotate_with_a_missing_key_exits_with_a_configuration_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    Secret.objects.create(label="cli", note="under the old key")
    with keys(NEW_KEY):
        assert cli.main(["keys", "rotate"]) == cli.EXIT_CONFIGURATION
    err = capsys.readouterr().err
    assert err.startswith("error: A value of encryption_test.Secret.note")
    assert "MIGRATION_HUB_FIELD_KEYS" in err
    with keys("bad"):
        assert cli.main(["keys", "rotate"]) == cli.EXIT_CONFIGURATION
    assert "Key 1 of 1 in MIGRATION_HUB_FIELD_KEYS" in capsys.readouterr().err
