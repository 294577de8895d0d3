"""Encryption at rest of sensitive model fields, with keys from the environment only.

`MIGRATION_HUB_FIELD_KEYS` (read into `settings.FIELD_ENCRYPTION_KEYS`) lists Fernet keys,
comma-separated: the first encrypts, every one decrypts. To rotate, put a new key first, run
`migration-hub keys rotate` (`rotate()` here), then drop the old key (docs/deploy.md).

`EncryptedTextField` and `EncryptedJSONField` keep the Fernet token of the value in a text
column. The database never sees the value, so it cannot filter, index or sort on it: only
`isnull` lookups (and `field=None`) are allowed. Neither the keys nor the values appear in
migrations, error messages or logs.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django import forms
from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.db import connections, models, router, transaction
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

KEYS_VARIABLE = "MIGRATION_HUB_FIELD_KEYS"
GENERATE_COMMAND = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)
ROTATE_BATCH_SIZE = 500

# System check ids of this module: migration_hub.E010 to E019.
CHECK_KEYS_MISSING = "migration_hub.E010"
CHECK_KEY_MALFORMED = "migration_hub.E011"
CHECK_FIELD_INDEXED = "migration_hub.E012"


class EncryptionKeyError(ImproperlyConfigured):
    """The field encryption keys are missing or malformed; the message says what to set."""


class DecryptionError(EncryptionKeyError):
    """A stored value does not decrypt with any key in MIGRATION_HUB_FIELD_KEYS."""


class EncryptedLookupError(FieldError):
    """A query tried to filter on an encrypted field."""


def generate_key() -> str:
    """A new random Fernet key, as the text to put in MIGRATION_HUB_FIELD_KEYS."""
    return Fernet.generate_key().decode()


def _missing_keys_message() -> str:
    return (
        f"{KEYS_VARIABLE} is not set: set it to a Fernet key (generate one with "
        f"`{GENERATE_COMMAND}`), or set DEBUG=true to use a development key derived "
        "from SECRET_KEY."
    )


def parse_keys(keys: Sequence[str]) -> list[Fernet]:
    """One Fernet per key, in order; blank entries (a trailing comma) are skipped.

    Raises EncryptionKeyError naming the position of a malformed key, never the key itself.
    """
    fernets = []
    for position, key in enumerate(keys, start=1):
        text = key.strip() if isinstance(key, str) else key
        if not text:
            continue
        try:
            fernets.append(Fernet(text))
        except (ValueError, TypeError):
            raise EncryptionKeyError(
                f"Key {position} of {len(keys)} in {KEYS_VARIABLE} is not a valid Fernet key "
                "(32 bytes, URL-safe base64): replace it with a key made by "
                f"`{GENERATE_COMMAND}`."
            ) from None
    return fernets


@functools.lru_cache(maxsize=4)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    fernets = parse_keys(keys)
    if not fernets:
        raise EncryptionKeyError(_missing_keys_message())
    return MultiFernet(fernets)


def multi_fernet() -> MultiFernet:
    """The MultiFernet of the current FIELD_ENCRYPTION_KEYS (cached per list of keys, so a
    changed setting, as in override_settings, takes effect at once)."""
    return _multi_fernet(tuple(getattr(settings, "FIELD_ENCRYPTION_KEYS", None) or ()))


def encrypt(text: str) -> str:
    """The Fernet token of `text`, made with the primary (first) key."""
    return multi_fernet().encrypt(text.encode()).decode()


def _cannot_decrypt(where: str) -> DecryptionError:
    return DecryptionError(
        f"A value of {where} cannot be decrypted: the key that encrypted it is not in "
        f"{KEYS_VARIABLE} (or the stored value was altered). Put that key back in the list, "
        "after the first, and run `migration-hub keys rotate`."
    )


def decrypt(token: str, *, where: str = "an encrypted field") -> str:
    """The text in a Fernet token; DecryptionError (naming `where`) if no key opens it."""
    try:
        return multi_fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise _cannot_decrypt(where) from None


class _NoneOnlyExact(Exact):
    """`field=None`, which Django turns into `field__isnull=True`; any other value is refused."""

    def get_prep_lookup(self) -> Any:
        if self.rhs is not None:
            raise self.lhs.output_field.refused_lookup("exact")
        return super().get_prep_lookup()


class EncryptedField(models.TextField):
    """Base of the encrypted fields: a text column holding a Fernet token, or NULL for None.

    Subclasses say how a value becomes text (`encode`) and back (`decode`).
    """

    description = "Encrypted text"

    def encode(self, value: Any) -> str:
        raise NotImplementedError

    def decode(self, text: str) -> Any:
        raise NotImplementedError

    @property
    def label(self) -> str:
        model = getattr(self, "model", None)
        return f"{model._meta.label}.{self.name}" if model is not None else str(self.name)

    def get_prep_value(self, value: Any) -> str | None:
        value = models.Field.get_prep_value(self, value)  # resolves lazy strings
        if value is None:
            return None
        return encrypt(self.encode(value))

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return self.decode(decrypt(value, where=self.label))

    def refused_lookup(self, name: str) -> EncryptedLookupError:
        return EncryptedLookupError(
            f"{self.label} is encrypted, so the database cannot filter on it "
            f"(lookup {name!r}): only `isnull` works. Filter on another field, or load the "
            "rows and compare the values in Python."
        )

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        if lookup_name == "exact":
            return _NoneOnlyExact
        raise self.refused_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        raise self.refused_lookup(lookup_name)

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if self.primary_key or self.unique or self.db_index:
            errors.append(
                checks.Error(
                    "An encrypted field cannot be a primary key, unique or indexed: each "
                    "encryption of a value gives a different token.",
                    hint="Remove primary_key, unique and db_index from this field.",
                    obj=self,
                    id=CHECK_FIELD_INDEXED,
                )
            )
        return errors


class EncryptedTextField(EncryptedField):
    """Text encrypted at rest. None stays NULL; the empty string is encrypted like any text."""

    description = "Encrypted text"

    def encode(self, value: Any) -> str:
        return str(value)

    def decode(self, text: str) -> str:
        return text


class EncryptedJSONField(EncryptedField):
    """Any JSON value encrypted at rest. None is stored as NULL, so JSON null reads back None.

    `encoder` (a json.JSONEncoder subclass, e.g. DjangoJSONEncoder) serialises values json
    cannot; what it makes (a date as text) reads back as that JSON value.
    """

    description = "Encrypted JSON"
    empty_strings_allowed = False  # as JSONField: no implicit "" default

    def __init__(
        self, *args: Any, encoder: type[json.JSONEncoder] | None = None, **kwargs: Any
    ) -> None:
        if encoder is not None and not callable(encoder):
            raise ValueError("The encoder parameter must be a callable object.")
        self.encoder = encoder
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        if self.encoder is not None:
            kwargs["encoder"] = self.encoder
        return name, path, args, kwargs

    def to_python(self, value: Any) -> Any:
        return value  # a JSON value as it is, not TextField's str()

    def encode(self, value: Any) -> str:
        return json.dumps(value, cls=self.encoder)

    def validate(self, value: Any, model_instance: models.Model | None) -> None:
        super().validate(value, model_instance)
        try:
            self.encode(value)
        except TypeError:
            raise ValidationError(
                _("Value must be valid JSON."), code="invalid", params={"value": value}
            ) from None

    def decode(self, text: str) -> Any:
        return json.loads(text)

    def value_to_string(self, obj: models.Model) -> Any:
        return self.value_from_object(obj)

    def formfield(self, **kwargs: Any) -> forms.Field | None:
        return super().formfield(
            **{"form_class": forms.JSONField, "encoder": self.encoder, **kwargs}
        )


def encrypted_fields() -> Iterator[tuple[type[models.Model], EncryptedField]]:
    """(model, field) for every encrypted field of every installed model.

    Each column is named once: by the model whose table holds it (never a proxy, nor a child
    in multi-table inheritance).
    """
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for field in model._meta.local_concrete_fields:
            if isinstance(field, EncryptedField):
                yield model, field


def _rows_with_values(
    model: type[models.Model], fields: list[EncryptedField], using: str
) -> models.QuerySet:
    """The rows of `model` where at least one of `fields` is not NULL."""
    has_value = models.Q()
    for field in fields:
        has_value |= models.Q(**{f"{field.name}__isnull": False})
    return model._base_manager.using(using).filter(has_value)


def _rotate_model(
    model: type[models.Model],
    fields: list[EncryptedField],
    fernet: MultiFernet,
    *,
    batch_size: int,
    advance: Callable[[int], None],
) -> int:
    """Re-encrypt the non-null values of `fields` in every row of `model`; returns the rows."""
    using = router.db_for_write(model)
    connection = connections[using]
    quote = connection.ops.quote_name
    pk = model._meta.pk
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    update = (
        f"UPDATE {quote(model._meta.db_table)} SET {assignments} "  # noqa: S608  (quoted names)
        f"WHERE {quote(pk.column)} = %s"
    )
    # The raw tokens: a plain TextField output skips the fields' decryption.
    raw = {
        f"raw_{field.attname}": models.ExpressionWrapper(
            models.F(field.attname), output_field=models.TextField()
        )
        for field in fields
    }
    rows = _rows_with_values(model, fields, using).order_by("pk")
    done = 0
    last = None
    while True:
        with transaction.atomic(using=using):
            batch = rows if last is None else rows.filter(pk__gt=last)
            # Locked until the batch is written: a concurrent save is not overwritten.
            values = list(
                batch.select_for_update().annotate(**raw).values_list("pk", *raw)[:batch_size]
            )
            if not values:
                break
            params = []
            for pk_value, *tokens in values:
                rotated = []
                for field, token in zip(fields, tokens, strict=True):
                    if token is None:
                        rotated.append(None)
                        continue
                    try:
                        rotated.append(fernet.rotate(token.encode()).decode())
                    except InvalidToken:
                        raise _cannot_decrypt(f"{field.label} (row {pk_value})") from None
                params.append([*rotated, pk.get_db_prep_value(pk_value, connection)])
            with connection.cursor() as cursor:
                cursor.executemany(update, params)
        last = values[-1][0]
        done += len(values)
        advance(len(values))
    return done


def rotate(
    progress: Callable[[int, int], None] | None = None, *, batch_size: int = ROTATE_BATCH_SIZE
) -> dict[str, int]:
    """Re-encrypt every encrypted value with the primary key; returns {model label: rows}.

    Afterwards every key but the first can be dropped from MIGRATION_HUB_FIELD_KEYS. Works in
    batches of `batch_size` rows, one transaction each; writes only the encrypted columns,
    with no signal and no auto_now. `progress(done, total)` is called after each batch.
    Safe to run again after an interruption: rows done already are simply re-encrypted.
    """
    fernet = multi_fernet()
    by_model: dict[type[models.Model], list[EncryptedField]] = {}
    for model, field in encrypted_fields():
        by_model.setdefault(model, []).append(field)
    total = sum(
        _rows_with_values(model, fields, router.db_for_write(model)).count()
        for model, fields in by_model.items()
    )
    done = 0
    if progress is not None:
        progress(0, total)

    def advance(rows: int) -> None:
        nonlocal done
        done += rows
        if progress is not None:
            progress(done, total)

    return {
        model._meta.label: _rotate_model(
            model, fields, fernet, batch_size=batch_size, advance=advance
        )
        for model, fields in by_model.items()
    }


@checks.register(checks.Tags.security, deploy=True)
def check_keys_set(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`check --deploy`: production needs MIGRATION_HUB_FIELD_KEYS."""
    if getattr(settings, "FIELD_ENCRYPTION_KEYS", None):
        return []
    return [
        checks.Error(
            f"{KEYS_VARIABLE} is not set, so sensitive fields cannot be encrypted.",
            hint=f"Generate a key with `{GENERATE_COMMAND}` and set {KEYS_VARIABLE} to it "
            "(see 'Encryption keys' in docs/deploy.md).",
            id=CHECK_KEYS_MISSING,
        )
    ]


@checks.register(checks.Tags.security)
def check_keys_valid(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every check (and migrate): a malformed key is reported by position."""
    try:
        parse_keys(list(getattr(settings, "FIELD_ENCRYPTION_KEYS", None) or ()))
    except EncryptionKeyError as error:
        return [checks.Error(str(error), id=CHECK_KEY_MALFORMED)]
    return []
