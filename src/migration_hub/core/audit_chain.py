"""The audit log as a hash chain: appending a row, verifying the chain, exporting its head.

Every `AuditEvent` row carries its place in the log (`sequence`, 1, 2, 3, ... with no gap),
the hash of the row before it (`previous_hash`; 64 zeros for the first row) and its own hash:

    row_hash = SHA-256( UTF-8(canonical_json(content)) || previous_hash )

where `||` appends the 64 ASCII hex digits of `previous_hash` to the JSON's bytes, and the
result is written as 64 lower-case hex digits. `content` is the object (see `row_content`)

    {"action", "actor_ref", "changes", "created_at", "metadata", "organization_ref",
     "sequence", "target_id", "target_type"}

with `created_at` in UTC as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (always six digits of microseconds)
and `target_type` the content type's natural key `"app_label.model"` (`""` without a target),
never its id, which differs between databases. The row id and `actor_id` are not sealed: the
id is the database's, and `actor_id` is emptied when the account is deleted (`actor_ref`, the
copied id, is sealed instead).

Canonical JSON (after RFC 8785, the JSON Canonicalization Scheme):

- objects with their keys sorted by Unicode code point (RFC 8785 sorts by UTF-16 code unit;
  the two orders differ only between astral characters and U+E000..U+FFFF);
- no whitespace at all: `,` and `:` as separators;
- strings as Python's `json.dumps(..., ensure_ascii=False)` writes them, which is RFC 8785's
  form: only `"`, `\\` and the control characters below U+0020 are escaped (`\\b \\f \\n \\r
  \\t`, the others as `\\u00xx` with lower-case hex); everything else is written as is;
- `true`, `false`, `null`;
- every number as an IEEE-754 double written the way ECMAScript's `Number.prototype.toString`
  writes it (`1` and `1.0` are both `1`; `1e+21`, `1e-7`, `0.000001`); NaN and infinities are
  refused;
- the whole encoded as UTF-8 (a lone surrogate as its three-byte form).

Verification (`verify_chain`) walks the rows by sequence and reports the first problem:
`altered` (a row's content no longer matches its hash), `deleted` (a gap in the sequence, or a
row sealed after a row that is gone), `reordered` (a row sealed after another row than the one
now before it, or with another sequence), `truncated` (the chain does not reach, or does not
contain, an exported head) and `head_mismatch` (the `AuditChainHead` row disagrees with the
rows). Without an exported head a truncated tail whose head row was moved back with it cannot be
told from a shorter log: that is what the head exported off the host (`migration-hub audit
head`) is for.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connections, transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent

ZERO_HASH = "0" * 64
HEAD_ID = 1
# The triggers that keep audit rows append-only (migration 0007_audit_chain_append_only).
SQLITE_UPDATE_TRIGGER = "core_auditevent_append_only_update"
SQLITE_DELETE_TRIGGER = "core_auditevent_append_only_delete"
POSTGRESQL_TRIGGER = "core_auditevent_append_only"

ALTERED = "altered"
DELETED = "deleted"
REORDERED = "reordered"
TRUNCATED = "truncated"
HEAD_MISMATCH = "head_mismatch"


# --- Canonical form and hashing ------------------------------------------------------------


def _number(value: int | float) -> str:
    """`value` as an IEEE-754 double in ECMAScript's Number-to-String form."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{value!r} cannot be written in canonical JSON")
    if number == 0:
        return "0"
    if number < 0:
        return "-" + _number(-number)
    # repr gives the shortest digits that read back as the same double, as ECMAScript does.
    _sign, digits, exponent = Decimal(repr(number)).normalize().as_tuple()
    text = "".join(map(str, digits))
    k = len(text)
    n = int(exponent) + k  # number = 0.text * 10**n
    if k <= n <= 21:
        return text + "0" * (n - k)
    if 0 < n <= 21:
        return f"{text[:n]}.{text[n:]}"
    if -6 < n <= 0:
        return "0." + "0" * -n + text
    power = n - 1
    mantissa = text if k == 1 else f"{text[0]}.{text[1:]}"
    return f"{mantissa}e{'+' if power > 0 else '-'}{abs(power)}"


def _canonical(value: Any) -> Iterator[str]:
    if value is None:
        yield "null"
    elif value is True:
        yield "true"
    elif value is False:
        yield "false"
    elif isinstance(value, int | float):
        yield _number(value)
    elif isinstance(value, str):
        yield json.dumps(value, ensure_ascii=False)
    elif isinstance(value, Mapping):
        yield "{"
        for index, key in enumerate(sorted(value)):
            if not isinstance(key, str):
                raise ValueError(f"object key {key!r} is not a string")
            if index:
                yield ","
            yield json.dumps(key, ensure_ascii=False)
            yield ":"
            yield from _canonical(value[key])
        yield "}"
    elif isinstance(value, list | tuple):
        yield "["
        for index, item in enumerate(value):
            if index:
                yield ","
            yield from _canonical(item)
        yield "]"
    else:
        raise ValueError(f"{type(value).__name__} cannot be written in canonical JSON")


def canonical_json(value: Any) -> bytes:
    """`value` (JSON data: dict, list, str, int, float, bool, None) in the canonical form
    described in this module's docstring, as UTF-8 bytes."""
    return "".join(_canonical(value)).encode("utf-8", errors="surrogatepass")


def as_stored(value: Mapping[str, Any] | None) -> dict[str, Any]:
    """`value` as a JSON column gives it back (tuples become lists, keys strings), so that the
    hash sealed on writing is the one recomputed on reading."""
    return json.loads(json.dumps(dict(value or {})))


def timestamp(moment: datetime) -> str:
    """`moment` in UTC as `YYYY-MM-DDTHH:MM:SS.ffffffZ`; a naive one is taken as UTC."""
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def type_label(content_type: ContentType | None) -> str:
    """A content type's natural key, `app_label.model`, or "" for none."""
    return f"{content_type.app_label}.{content_type.model}" if content_type is not None else ""


def row_content(
    *,
    sequence: int,
    created_at: datetime,
    actor_ref: str,
    action: str,
    target_type: str,
    target_id: str,
    organization_ref: str,
    changes: Any,
    metadata: Any,
) -> dict[str, Any]:
    """What a row's hash seals; `target_type` is the natural key (see `type_label`)."""
    return {
        "sequence": sequence,
        "created_at": timestamp(created_at),
        "actor_ref": actor_ref,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "organization_ref": organization_ref,
        "changes": changes,
        "metadata": metadata,
    }


def seal(content: Mapping[str, Any], previous_hash: str) -> str:
    """The row hash: SHA-256 of the canonical content followed by the previous hash."""
    return hashlib.sha256(canonical_json(content) + previous_hash.encode("ascii")).hexdigest()


# --- Appending -----------------------------------------------------------------------------


def _head_sql(connection: Any) -> tuple[str, str]:
    """The statements that lock and move the head row, for `connection`'s database."""
    quote = connection.ops.quote_name
    names = (AuditChainHead._meta.db_table, "sequence", "hash")
    table, sequence, hash_ = (quote(name) for name in names)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    select = f"SELECT {sequence}, {hash_} FROM {table} WHERE id = %s{lock}"  # noqa: S608
    update = f"UPDATE {table} SET {sequence} = %s, {hash_} = %s WHERE id = %s"  # noqa: S608
    return select, update


def _locked_head(connection: Any, select: str) -> tuple[int, str]:
    """The chain head (sequence, hash), locked until the end of the caller's transaction.

    Plain SQL rather than the ORM: it runs for every audit row, and compiling the queries cost
    more than running them. The migration creates the head row; a database emptied since
    (`flush`) gets it again here, from the last row. Two writers creating it at once: the
    second one's insert fails on the primary key and `get_or_create` reads the first one's row.
    """
    with connection.cursor() as cursor:
        cursor.execute(select, [HEAD_ID])
        row = cursor.fetchone()
        if row is None:
            last = (
                AuditEvent.objects.order_by("-sequence").values_list("sequence", "row_hash").first()
            )
            sequence, last_hash = last or (0, ZERO_HASH)
            AuditChainHead.objects.get_or_create(
                pk=HEAD_ID, defaults={"sequence": sequence, "hash": last_hash}
            )
            cursor.execute(select, [HEAD_ID])
            row = cursor.fetchone()
    return int(row[0]), row[1]


def append(
    *,
    actor: Any,
    actor_ref: str,
    action: str,
    target_type: ContentType | None,
    target_id: str,
    organization_ref: str,
    changes: Mapping[str, Any] | None,
    metadata: Mapping[str, Any] | None,
) -> AuditEvent:
    """Append one row to the chain: lock the head, seal the row after it, move the head.

    Inside the caller's transaction when there is one (no savepoint: an error marks the whole
    transaction for rollback, as any failed write does), in its own otherwise. Writers wait for
    each other on the head row until they commit: one `SELECT ... FOR UPDATE` and one `UPDATE`
    per row. On SQLite writes are serialised by the database already and the lock is a no-op.
    """
    # Before the transaction: a value that is not JSON fails here, leaving the caller's
    # transaction usable.
    stored_changes, stored_metadata = as_stored(changes), as_stored(metadata)
    connection = connections[AuditEvent.objects.db]
    select_head, update_head = _head_sql(connection)
    with transaction.atomic(using=connection.alias, savepoint=False):
        head_sequence, head_hash = _locked_head(connection, select_head)
        sequence = head_sequence + 1
        created_at = timezone.now()
        content = row_content(
            sequence=sequence,
            created_at=created_at,
            actor_ref=actor_ref,
            action=action,
            target_type=type_label(target_type),
            target_id=target_id,
            organization_ref=organization_ref,
            changes=stored_changes,
            metadata=stored_metadata,
        )
        row_hash = seal(content, head_hash)
        event = AuditEvent.objects.create(
            created_at=created_at,
            actor=actor,
            actor_ref=actor_ref,
            action=action,
            target_type=target_type,
            target_id=target_id,
            organization_ref=organization_ref,
            changes=stored_changes,
            metadata=stored_metadata,
            sequence=sequence,
            previous_hash=head_hash,
            row_hash=row_hash,
        )
        with connection.cursor() as cursor:
            cursor.execute(update_head, [sequence, row_hash, HEAD_ID])
    return event


# --- The head ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainHead:
    """A point of the chain: the last row's sequence and hash (0 and 64 zeros when empty)."""

    sequence: int
    hash: str

    def export(self) -> dict[str, Any]:
        """The head as `migration-hub audit head` writes it, for storage off the host."""
        return {
            "sequence": self.sequence,
            "hash": self.hash,
            "exported_at": timestamp(timezone.now()),
        }

    @classmethod
    def parse(cls, text: str) -> ChainHead:
        """A head exported by `export`; ValueError saying what is wrong otherwise."""
        try:
            data = json.loads(text)
        except ValueError as error:
            raise ValueError(f"it is not JSON ({error})") from None
        if not isinstance(data, dict):
            raise ValueError('expected a JSON object with "sequence" and "hash"')
        sequence, head_hash = data.get("sequence"), data.get("hash")
        if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 0:
            raise ValueError('"sequence" must be a whole number, 0 or more')
        if (
            not isinstance(head_hash, str)
            or len(head_hash) != 64
            or head_hash.strip("0123456789abcdef")
        ):
            raise ValueError('"hash" must be 64 lower-case hexadecimal digits')
        return cls(sequence=sequence, hash=head_hash)


def stored_head() -> ChainHead | None:
    """The `AuditChainHead` row, or None when there is none."""
    row = AuditChainHead.objects.filter(pk=HEAD_ID).values_list("sequence", "hash").first()
    return ChainHead(*row) if row is not None else None


def current_head() -> ChainHead:
    """The head to export: the head row, or the last row when the head row is missing."""
    head = stored_head()
    if head is not None:
        return head
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", "row_hash").first()
    return ChainHead(*last) if last is not None else ChainHead(0, ZERO_HASH)


# --- Verifying -----------------------------------------------------------------------------

VERBS = {
    ALTERED: "was altered",
    DELETED: "follows deleted rows",
    REORDERED: "was reordered",
    TRUNCATED: "was truncated",
    HEAD_MISMATCH: "does not match its head",
}


@dataclass(frozen=True)
class ChainProblem:
    """The first break found: its kind, the row it names (if any) and what was found."""

    kind: str
    detail: str
    row_id: int | None = None
    sequence: int | None = None

    def __str__(self) -> str:
        if self.row_id is None:
            return f"The audit chain {VERBS[self.kind]}: {self.detail}"
        return f"Row {self.row_id} (sequence {self.sequence}) {VERBS[self.kind]}: {self.detail}"


@dataclass(frozen=True)
class ChainReport:
    """What `verify_chain` found: the rows checked, the last one's place, the first problem."""

    rows: int
    head: ChainHead
    problem: ChainProblem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def __str__(self) -> str:
        if self.problem is not None:
            return str(self.problem)
        return f"Audit chain intact: {self.rows} rows, head {self.head.sequence} {self.head.hash}"


ROW_FIELDS = (
    "id",
    "sequence",
    "created_at",
    "actor_ref",
    "action",
    "target_type_id",
    "target_id",
    "organization_ref",
    "changes",
    "metadata",
    "previous_hash",
    "row_hash",
)


@dataclass(frozen=True)
class _Row:
    id: int
    sequence: int
    created_at: datetime
    actor_ref: str
    action: str
    target_type_id: int | None
    target_id: str
    organization_ref: str
    changes: Any
    metadata: Any
    previous_hash: str
    row_hash: str

    def content(self, labels: Mapping[int, str], sequence: int | None = None) -> dict[str, Any]:
        label = "" if self.target_type_id is None else labels.get(self.target_type_id, "?")
        return row_content(
            sequence=self.sequence if sequence is None else sequence,
            created_at=self.created_at,
            actor_ref=self.actor_ref,
            action=self.action,
            target_type=label,
            target_id=self.target_id,
            organization_ref=self.organization_ref,
            changes=self.changes,
            metadata=self.metadata,
        )

    def sealed(self, labels: Mapping[int, str], sequence: int | None = None) -> bool:
        return seal(self.content(labels, sequence), self.previous_hash) == self.row_hash


def _rows(chunk_size: int, using: str) -> Iterator[_Row]:
    """Every row by sequence, `chunk_size` at a time.

    Keyset pages (`sequence > last ORDER BY sequence LIMIT n`, on the unique index) rather than
    one long cursor: memory stays bounded on both databases, and on PostgreSQL no transaction or
    server-side cursor is held open for the whole walk (outside a transaction Django's
    `.iterator()` declares a WITH HOLD cursor, which the server materialises in full). Rows are
    only ever appended after the head, one committed writer at a time, so a page never misses a
    row that an earlier page should have had.
    """
    after = -1
    while True:
        page = list(
            AuditEvent.objects.using(using)
            .filter(sequence__gt=after)
            .order_by("sequence")
            .values_list(*ROW_FIELDS)[:chunk_size]
        )
        for values in page:
            yield _Row(*values)
        if len(page) < chunk_size:
            return
        after = page[-1][1]


def _diagnose(
    row: _Row, before: _Row | None, labels: Mapping[int, str], using: str
) -> ChainProblem | None:
    """Why `row` does not follow `before` (None: it should be the first row), if it does not."""
    expected_sequence = before.sequence + 1 if before is not None else 1
    expected_previous = before.row_hash if before is not None else ZERO_HASH
    content_ok = row.sealed(labels)
    if content_ok and row.previous_hash == expected_previous and row.sequence == expected_sequence:
        return None

    def problem(kind: str, detail: str) -> ChainProblem:
        return ChainProblem(kind, detail, row.id, row.sequence)

    if row.previous_hash != expected_previous:
        # Sealed after another row than the one now before it: where is that row?
        if row.previous_hash == ZERO_HASH:
            return problem(REORDERED, "it was sealed as the first row of the chain")
        sealed_after = (
            AuditEvent.objects.using(using)
            .filter(row_hash=row.previous_hash)
            .exclude(pk=row.id)
            .values_list("id", "sequence")
            .first()
        )
        if sealed_after is not None:
            return problem(
                REORDERED,
                f"it was sealed after row {sealed_after[0]}, which now has sequence "
                f"{sealed_after[1]}",
            )
        if not content_ok:
            return problem(ALTERED, "its content and its link to the row before it were changed")
        if row.sequence > expected_sequence:
            missing = (
                f"sequence {expected_sequence} is missing"
                if row.sequence == expected_sequence + 1
                else f"sequences {expected_sequence} to {row.sequence - 1} are missing"
            )
        else:
            missing = "the row it was sealed after is no longer in the log"
        return problem(DELETED, missing)
    if not content_ok:
        if row.sequence != expected_sequence and row.sealed(labels, expected_sequence):
            return problem(
                REORDERED, f"it was sealed as sequence {expected_sequence}, not {row.sequence}"
            )
        return problem(ALTERED, "its content no longer matches its hash")
    return problem(
        ALTERED, f"its sequence does not follow the row before it ({expected_sequence - 1})"
    )


def verify_chain(
    progress: Callable[[int, int], None] | None = None,
    head: ChainHead | None = None,
    *,
    chunk_size: int = 2000,
    using: str = "default",
) -> ChainReport:
    """Walk the whole log by sequence, recomputing every hash; report the first problem.

    `head` is a head exported earlier (`ChainHead.parse` of `migration-hub audit head`): the
    chain must reach its sequence with its hash, or it was truncated. `progress(done, total)` is
    called after each page, `total` being the head row's sequence at the start.

    Runs without a transaction and while others write: the head row is read first, the rows
    appended meanwhile are checked too, and only rows no head ever covered are a problem.
    """
    table_head = stored_head()
    labels = {
        pk: f"{app_label}.{model}"
        for pk, app_label, model in ContentType.objects.db_manager(using).values_list(
            "pk", "app_label", "model"
        )
    }
    total = table_head.sequence if table_head is not None else 0
    before: _Row | None = None
    rows = 0
    for row in _rows(chunk_size, using):
        problem = _diagnose(row, before, labels, using) or _head_problem(row, head, table_head)
        if problem is not None:
            return ChainReport(rows, _head_of(before), problem)
        before = row
        rows += 1
        if progress is not None and rows % chunk_size == 0:
            progress(rows, max(total, rows))
    if progress is not None:
        progress(rows, max(total, rows))
    last = _head_of(before)
    problem = _tail_problem(last, head, table_head, using)
    return ChainReport(rows, last, problem)


def _head_problem(
    row: _Row, exported: ChainHead | None, table_head: ChainHead | None
) -> ChainProblem | None:
    """A row at the sequence of the exported head or of the head row, with another hash."""
    if exported is not None and row.sequence == exported.sequence and row.row_hash != exported.hash:
        return ChainProblem(
            TRUNCATED,
            f"it does not have the exported head's hash {exported.hash[:12]}...: the chain was "
            "cut and written again from here or before",
            row.id,
            row.sequence,
        )
    if (
        table_head is not None
        and row.sequence == table_head.sequence
        and row.row_hash != table_head.hash
    ):
        return ChainProblem(
            HEAD_MISMATCH,
            f"the chain head table has the hash {table_head.hash[:12]}... for it",
            row.id,
            row.sequence,
        )
    return None


def _head_of(row: _Row | None) -> ChainHead:
    return ChainHead(row.sequence, row.row_hash) if row is not None else ChainHead(0, ZERO_HASH)


def _tail_problem(
    last: ChainHead, exported: ChainHead | None, table_head: ChainHead | None, using: str
) -> ChainProblem | None:
    """Problems only the end of the walk shows: an exported head or the head row not reached,
    rows past the head row."""
    if exported is not None and last.sequence < exported.sequence:
        return ChainProblem(
            TRUNCATED,
            f"it ends at sequence {last.sequence}, before the exported head's sequence "
            f"{exported.sequence}: rows at its end were deleted",
        )
    if table_head is None:
        if last.sequence:
            return ChainProblem(
                HEAD_MISMATCH,
                f"the chain head table is empty, but the log has {last.sequence} rows",
            )
        return None
    if last.sequence < table_head.sequence:
        return ChainProblem(
            HEAD_MISMATCH,
            f"the chain head table says sequence {table_head.sequence}, but the log ends at "
            f"sequence {last.sequence}: rows at its end were deleted",
        )
    if last.sequence > table_head.sequence:
        # Appended while we walked, or written around `append`: a writer moves the head in the
        # transaction that adds its row, so the head read now covers every row seen.
        now = stored_head()
        if now is None or now.sequence < last.sequence:
            return ChainProblem(
                HEAD_MISMATCH,
                f"the log goes on to sequence {last.sequence}, past the chain head table's "
                f"sequence {now.sequence if now is not None else 0}",
            )
    return None


# --- Tests and maintenance -----------------------------------------------------------------


def sqlite_delete_guard(alias: str = "default") -> str | None:
    """The SQL of the SQLite trigger refusing DELETE on audit rows, if it is installed."""
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s",
            [SQLITE_DELETE_TRIGGER],
        )
        row = cursor.fetchone()
    return row[0] if row else None
