"""Statistical disclosure control for published tables about people: small-cell suppression with
complementary suppression, and differentially private counts (OpenDP).

Pure functions, no database: the input is an iterable of records ``(person_id, {attribute:
value})`` and the dimensions (one or two attributes) to tabulate; `releases.py` stores what
comes out. Values are compared as strings (``2024`` and ``"2024"`` are the same category).

Tables
======

A table counts **distinct persons** (the privacy unit: one person may have several cases) in
every *entry*: each interior cell, each marginal total and the grand total. An entry's key is a
tuple aligned with the dimensions in which ``None`` means "all categories" (a margin): with
dimensions ``("year", "sex")``, ``("2024", "female")`` is a cell, ``("2024", None)`` the 2024
row total, ``(None, "female")`` a column total and ``(None, None)`` the grand total. The
categories come from public code lists when the caller gives them (explicit keys, requirement
ST-04; required for differential privacy), otherwise from the data. Totals count distinct
persons too, so a person with cases in two columns of a row counts once in the row total:
totals equal the sum of their cells whenever each person has one record per table (the usual
case, and the one the suppression below is designed for, since it is when subtraction is exact).

k-threshold suppression (`protect`)
===================================

Every entry lies on the *lines* whose linear relation it takes part in: a line is a list of
members and the total they add up to. A one-way table has one line (its cells, and the grand
total). A two-way table has a line per row (the row's cells, the row total), per column (the
column's cells, the column total), the totals row (the column totals, the grand total) and the
totals column (the row totals, the grand total); each entry lies on exactly two lines.

1. **Primary suppression**: every entry with ``0 < n < k`` (``k = 11`` by default, CTDC's
   figure), cells and totals alike; zeros too when ``suppress_zeros`` is set, so that a
   suppressed cell can no longer be told from an empty one ("0 versus suppressed").
   The grand total is never suppressed: a table of fewer than k persons is refused.
2. **Complementary suppression**, repeated until nothing changes:

   a. *line rule*: a line with exactly one suppressed entry would give it away by subtraction,
      so another entry of that line is suppressed;
   b. *pooled rule*: when a line's total is published, ``total - published members`` is the
      number of persons in its suppressed members together; it must be at least k (else the
      suppressed cells are a group of fewer than k, or all zero), so more members are
      suppressed until it is;
   c. *exact-recovery rule* (two-way tables): rules a and b look at one line at a time, but an
      attacker can combine lines. With the suppressed entries as the edges of a graph whose
      nodes are the lines (each entry joins its two lines), the relations of the published
      table are, up to signs, that graph's incidence matrix, whose row space is its cut space:
      a suppressed entry is determined by linear combination of the published figures exactly
      when its edge is a *bridge* (lies on no cycle). Two separate suppressed rectangles joined
      by one cell satisfy rules a and b, yet that cell is recoverable. So every bridge gets a
      complement that closes a cycle through it (an entry joining the two sides of the bridge).

   Complements are the smallest non-zero unsuppressed entries available (interior cells before
   totals; zero cells only when nothing else can serve, since a zero adds no protection),
   preferring among those an entry whose other line already has a suppressed entry (so one
   complement serves two lines instead of creating a new lone one), ties broken by table
   order, so the same table always gets the same pattern. Entries that must stay
   published are never chosen: the grand total, totals equal to it (a dimension with a single
   category), and entries already published by a linked release of the same persons (see
   `releases.py`). If no pattern is found that way, every other entry is suppressed; if even that
   leaves an entry exposed the table is refused (`DisclosureError`).
3. The result is checked again by `exposures`, which the property tests also use.

Rounding is not applied. What this does not cover: bounds an attacker derives from
non-negativity beyond rule b (an interval for a suppressed cell, never its exact value), and
combinations of several releases, which `releases.py` handles (person-set differences of at
least k, cross-release suppression of small differences).

Differentially private counts (`noisy_counts`)
==============================================

Per-person contribution bounding, then OpenDP's ``make_count_by_categories`` over the explicit
cell keys followed by ``make_laplace`` on integers, which samples the **discrete Laplace
(two-sided geometric)** distribution: each person contributes at most ``max_contributions``
distinct cells (their other cells are dropped, the kept ones chosen by a hash of the person and
the cell, so the choice is deterministic and favours no category), so adding or removing one
person changes the histogram by at most ``max_contributions`` in L1 and the noise scale
``max_contributions / epsilon`` gives pure ``epsilon``-DP per release (checked with OpenDP's own
privacy map). Noisy counts below zero are published as 0 and totals are the sums of the
published cells: post-processing, which costs no privacy. The noise is drawn once; callers store
the result and never draw again for the same release.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

DEFAULT_K = 11  # CTDC's threshold for its k-anonymised Global Dataset

Key = tuple[str | None, ...]

PRIMARY = "primary"
COMPLEMENTARY = "complementary"
DIFFERENCING = "differencing"


class DisclosureError(ValueError):
    """The table cannot be built or protected as asked; the message says why."""


@dataclass(frozen=True)
class Table:
    """Distinct persons per entry (cells, marginal totals, grand total)."""

    dimensions: tuple[str, ...]
    categories: tuple[tuple[str, ...], ...]
    counts: dict[Key, int]

    @property
    def grand_key(self) -> Key:
        return (None,) * len(self.dimensions)

    @property
    def persons(self) -> int:
        return self.counts[self.grand_key]

    def entries(self) -> list[Key]:
        """Every entry in table order: row by row, each row's total after its cells, the
        totals row last."""
        options = [(*values, None) for values in self.categories]
        return [tuple(key) for key in itertools.product(*options)]

    def cell_keys(self) -> list[Key]:
        return [tuple(key) for key in itertools.product(*self.categories)]


def is_total(key: Key) -> bool:
    return any(value is None for value in key)


def key_to_json(dimensions: Sequence[str], key: Key) -> dict[str, str]:
    """``{"year": "2024"}`` for the 2024 total of a year-by-sex table: margins are left out."""
    return {dim: value for dim, value in zip(dimensions, key, strict=True) if value is not None}


def key_from_json(dimensions: Sequence[str], data: Mapping[str, str]) -> Key:
    return tuple(data.get(dim) for dim in dimensions)


def _category(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def check_dimensions(dimensions: Sequence[str]) -> tuple[str, ...]:
    dims = tuple(dimensions)
    if not 1 <= len(dims) <= 2:
        raise DisclosureError(_("A table has one or two dimensions, not %(n)d.") % {"n": len(dims)})
    if len(set(dims)) != len(dims) or not all(isinstance(d, str) and d for d in dims):
        raise DisclosureError(_("Dimensions must be distinct, non-empty names."))
    return dims


def _code_lists(
    dims: tuple[str, ...], categories: Mapping[str, Sequence[Any]] | None
) -> dict[str, tuple[str, ...]] | None:
    if categories is None:
        return None
    lists: dict[str, tuple[str, ...]] = {}
    for dim in dims:
        if dim not in categories:
            raise DisclosureError(
                _("No code list for dimension %(dimension)s.") % {"dimension": dim}
            )
        values = tuple(_category(value) for value in categories[dim])
        if not values or len(set(values)) != len(values):
            raise DisclosureError(
                _("The code list of %(dimension)s must be non-empty and without repeats.")
                % {"dimension": dim}
            )
        lists[dim] = values
    return lists


def person_cells(
    records: Iterable[tuple[Hashable, Mapping[str, Any]]],
    dimensions: Sequence[str],
    categories: Mapping[str, Sequence[Any]] | None = None,
) -> tuple[dict[str, set[Key]], dict[str, tuple[str, ...]]]:
    """{person id: the cells their records fall in} and the categories of each dimension.

    A record without a value for a dimension, or with one outside the code list, is refused:
    the error names the record's position, never the person.
    """
    dims = check_dimensions(dimensions)
    lists = _code_lists(dims, categories)
    allowed = {dim: set(values) for dim, values in lists.items()} if lists else None
    cells: dict[str, set[Key]] = defaultdict(set)
    for number, (person_id, attributes) in enumerate(records, start=1):
        key = []
        for dim in dims:
            raw = attributes.get(dim)
            if raw is None or raw == "":
                raise DisclosureError(
                    _("Record %(number)d has no value for %(dimension)s.")
                    % {"number": number, "dimension": dim}
                )
            value = _category(raw)
            if allowed is not None and value not in allowed[dim]:
                raise DisclosureError(
                    _("Record %(number)d: %(value)s is not in the code list of %(dimension)s.")
                    % {"number": number, "value": value, "dimension": dim}
                )
            key.append(value)
        cells[_category(person_id)].add(tuple(key))
    if lists is None:
        lists = {
            dim: tuple(sorted({key[i] for keys in cells.values() for key in keys}))
            for i, dim in enumerate(dims)
        }
    return dict(cells), lists


def _margins(key: Key) -> Iterable[Key]:
    """The cell itself and every total it counts towards."""
    for mask in itertools.product((False, True), repeat=len(key)):
        yield tuple(None if hide else value for value, hide in zip(key, mask, strict=True))


def tabulate(
    records: Iterable[tuple[Hashable, Mapping[str, Any]]],
    dimensions: Sequence[str],
    categories: Mapping[str, Sequence[Any]] | None = None,
) -> Table:
    """Count distinct persons in every cell and total (zeros included)."""
    cells, lists = person_cells(records, dimensions, categories)
    return table_from_person_cells(cells, check_dimensions(dimensions), lists)


def table_from_person_cells(
    cells: Mapping[str, set[Key]], dims: tuple[str, ...], lists: Mapping[str, tuple[str, ...]]
) -> Table:
    table = Table(dims, tuple(lists[dim] for dim in dims), {})
    counts = dict.fromkeys(table.entries(), 0)
    for keys in cells.values():
        touched: set[Key] = set()
        for key in keys:
            touched.update(_margins(key))
        for key in touched:
            counts[key] += 1
    table.counts.update(counts)
    return table


# --- the lines of a table --------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    members: tuple[Key, ...]
    total: Key

    @property
    def entries(self) -> tuple[Key, ...]:
        return (*self.members, self.total)


def lines(table: Table) -> list[Line]:
    """The linear relations a published table offers (see the module docstring)."""
    if len(table.dimensions) == 1:
        return [Line(tuple((value,) for value in table.categories[0]), (None,))]
    rows, cols = table.categories
    result = [Line(tuple((row, col) for col in cols), (row, None)) for row in (*rows, None)]
    result += [Line(tuple((row, col) for row in rows), (None, col)) for col in (*cols, None)]
    return result


def _nodes(key: Key) -> tuple[tuple[str, str | None], tuple[str, str | None]]:
    return ("row", key[0]), ("col", key[1])


def _bridges(suppressed: Iterable[Key]) -> list[Key]:
    """Suppressed entries of a two-way table that lie on no cycle (Tarjan's bridge search,
    iterative): exactly those an attacker recovers by combining lines."""
    adjacency: dict[Any, list[tuple[Any, Key]]] = defaultdict(list)
    for key in suppressed:
        a, b = _nodes(key)
        adjacency[a].append((b, key))
        adjacency[b].append((a, key))
    order: dict[Any, int] = {}
    low: dict[Any, int] = {}
    found: list[Key] = []
    for root in sorted(adjacency, key=repr):
        if root in order:
            continue
        order[root] = low[root] = len(order)
        stack: list[tuple[Any, Key | None, Any]] = [(root, None, iter(adjacency[root]))]
        while stack:
            node, via, edges = stack[-1]
            advanced = False
            for neighbour, edge in edges:
                if edge == via:
                    continue
                if neighbour in order:
                    low[node] = min(low[node], order[neighbour])
                else:
                    order[neighbour] = low[neighbour] = len(order)
                    stack.append((neighbour, edge, iter(adjacency[neighbour])))
                    advanced = True
                    break
            if advanced:
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > order[parent] and via is not None:
                    found.append(via)
    return found


def _component(suppressed: Iterable[Key], start: Any, without: Key) -> set[Any]:
    adjacency: dict[Any, list[Any]] = defaultdict(list)
    for key in suppressed:
        if key == without:
            continue
        a, b = _nodes(key)
        adjacency[a].append(b)
        adjacency[b].append(a)
    seen, todo = {start}, [start]
    while todo:
        for neighbour in adjacency[todo.pop()]:
            if neighbour not in seen:
                seen.add(neighbour)
                todo.append(neighbour)
    return seen


def exposures(
    table: Table,
    k: int,
    suppressed: Iterable[Key],
    *,
    suppress_zeros: bool = False,
) -> list[str]:
    """What an attacker could learn from the table published with `suppressed` hidden: one
    line per problem, empty when the table is safe. Used after protecting, and by the tests."""
    hidden = set(suppressed)
    problems: list[str] = []
    for key in table.entries():
        value = table.counts[key]
        if key not in hidden and (0 < value < k or (suppress_zeros and value == 0)):
            problems.append(f"{key}: {value} published, below k = {k}")
    if table.grand_key in hidden:
        problems.append("the grand total is suppressed")
    for line in lines(table):
        in_line = [key for key in line.entries if key in hidden]
        if len(in_line) == 1:
            problems.append(f"{in_line[0]}: only suppressed entry of its line")
        members = [key for key in line.members if key in hidden]
        if members and line.total not in hidden:
            pooled = table.counts[line.total] - sum(
                table.counts[key] for key in line.members if key not in hidden
            )
            if pooled < k:
                problems.append(f"{line.total}: its suppressed members hold {pooled} < k persons")
    if len(table.dimensions) == 2:
        problems += [f"{key}: recoverable by combining lines" for key in _bridges(hidden)]
    return problems


# --- suppression -----------------------------------------------------------------------------


@dataclass
class Protected:
    """A table with its suppression pattern: {key: reason} for every suppressed entry."""

    table: Table
    k: int
    suppressed: dict[Key, str] = field(default_factory=dict)

    def value(self, key: Key) -> int | None:
        return None if key in self.suppressed else self.table.counts[key]


def pinned_keys(table: Table) -> set[Key]:
    """Entries that equal the grand total whatever the data: the grand total itself and the
    totals along a dimension with a single category. Suppressing them protects nothing."""
    pinned = {table.grand_key}
    if len(table.dimensions) == 2:
        rows, cols = table.categories
        if len(rows) == 1:
            pinned.add((rows[0], None))
        if len(cols) == 1:
            pinned.add((None, cols[0]))
        if len(rows) == 1 and len(cols) == 1:
            pinned.add((rows[0], cols[0]))
    return pinned


def protect(
    table: Table,
    k: int = DEFAULT_K,
    *,
    suppress_zeros: bool = False,
    known: Iterable[Key] = (),
    forced: Mapping[Key, str] | None = None,
) -> Protected:
    """Apply primary and complementary suppression (see the module docstring).

    `known`: entries already published elsewhere with the same value (never used as
    complements: hiding them protects nothing). `forced`: entries to suppress whatever their
    value, with the reason to record (for example a small difference from an earlier release).
    """
    if k < 2:
        raise DisclosureError(_("k must be at least 2."))
    if table.persons < k:
        raise DisclosureError(
            _("The table counts %(n)d persons, fewer than k = %(k)d: it cannot be published.")
            % {"n": table.persons, "k": k}
        )
    counts = table.counts
    fixed = pinned_keys(table) | set(known)
    order = {key: index for index, key in enumerate(table.entries())}
    result = Protected(table, k)
    hidden = result.suppressed
    for key in table.entries():
        value = counts[key]
        if key not in fixed and (0 < value < k or (suppress_zeros and value == 0)):
            hidden[key] = PRIMARY
    for key, reason in (forced or {}).items():
        if key not in fixed and key not in hidden:
            hidden[key] = reason

    table_lines = lines(table)
    two_way = len(table.dimensions) == 2
    # In a two-way table the first lines are the rows (totals row last), then the columns.
    by_id: dict[tuple[str, str | None], Line] = {}
    if two_way:
        ids = [("row", r) for r in (*table.categories[0], None)]
        ids += [("col", c) for c in (*table.categories[1], None)]
        by_id = dict(zip(ids, table_lines, strict=True))

    def lonely(key: Key, line_id: tuple[str, str | None] | None) -> bool:
        """Suppressing `key` for this line would leave it alone on its other line."""
        if line_id is None:
            return False
        other = ("col", key[1]) if line_id[0] == "row" else ("row", key[0])
        return not any(entry in hidden for entry in by_id[other].entries)

    def free(keys: Iterable[Key], line_id: tuple[str, str | None] | None = None) -> list[Key]:
        def rank(key: Key) -> tuple[bool, bool, bool, int, int]:
            return (
                is_total(key),
                counts[key] == 0,
                lonely(key, line_id),
                counts[key],
                order[key],
            )

        return sorted((key for key in keys if key not in hidden and key not in fixed), key=rank)

    while True:
        changed = False
        for line_number, line in enumerate(table_lines):
            line_id = ids[line_number] if two_way else None
            while True:
                in_line = [key for key in line.entries if key in hidden]
                if not in_line:
                    break
                members = [key for key in line.members if key in hidden]
                pooled_short = (
                    bool(members)
                    and line.total not in hidden
                    and counts[line.total]
                    - sum(counts[key] for key in line.members if key not in hidden)
                    < k
                )
                if len(in_line) != 1 and not pooled_short:
                    break
                candidates = free(line.members if pooled_short else line.entries, line_id)
                if pooled_short:
                    candidates = [key for key in candidates if counts[key] > 0] or candidates
                if not candidates:
                    break
                hidden[candidates[0]] = COMPLEMENTARY
                changed = True
        if changed:
            continue
        if two_way:
            bridges = sorted(_bridges(hidden), key=order.__getitem__)
            if bridges:
                bridge = bridges[0]
                row_side = _component(hidden, _nodes(bridge)[0], bridge)
                col_side = _component(hidden, _nodes(bridge)[1], bridge)
                joining = free(
                    key
                    for key in table.entries()
                    if key != bridge
                    and (
                        (_nodes(key)[0] in row_side and _nodes(key)[1] in col_side)
                        or (_nodes(key)[0] in col_side and _nodes(key)[1] in row_side)
                    )
                )
                if joining:
                    hidden[joining[0]] = COMPLEMENTARY
                    continue
        break
    if exposures(table, k, hidden, suppress_zeros=suppress_zeros):
        for key in free(table.entries()):
            hidden[key] = COMPLEMENTARY
        problems = exposures(table, k, hidden, suppress_zeros=suppress_zeros)
        if problems:
            raise DisclosureError(
                _("No suppression pattern protects this table: %(problem)s")
                % {"problem": problems[0]}
            )
    return result


# --- differential privacy --------------------------------------------------------------------


def _cell_label(key: Key) -> str:
    return json.dumps(key, ensure_ascii=False, separators=(",", ":"))


def bound_contributions(
    cells: Mapping[str, set[Key]], max_contributions: int
) -> dict[str, list[Key]]:
    """At most `max_contributions` cells per person; which ones is decided by a hash of the
    person and the cell, so the same data always keeps the same cells."""

    def order(person: str, key: Key) -> str:
        return hashlib.sha256(f"{person}\x1f{_cell_label(key)}".encode()).hexdigest()

    return {
        person: sorted(keys, key=lambda key, person=person: order(person, key))[:max_contributions]
        for person, keys in cells.items()
    }


@dataclass(frozen=True)
class NoisyCounts:
    """One draw of noisy counts: published values (clamped at 0, totals summed from cells)."""

    values: dict[Key, int]
    scale: float
    epsilon: float
    dropped: int  # person-cells beyond max_contributions, dropped before counting


def noisy_counts(
    records: Iterable[tuple[Hashable, Mapping[str, Any]]],
    dimensions: Sequence[str],
    categories: Mapping[str, Sequence[Any]],
    *,
    epsilon: float,
    max_contributions: int = 1,
) -> NoisyCounts:
    """Differentially private distinct-person counts per cell (see the module docstring).

    Every call draws fresh noise: call it once per release and store the result.
    """
    import opendp.prelude as dp

    dp.enable_features("contrib")
    if categories is None:
        raise DisclosureError(
            _("Differentially private counts need a public code list for every dimension.")
        )
    if not (isinstance(epsilon, int | float) and math.isfinite(epsilon) and epsilon > 0):
        raise DisclosureError(_("epsilon must be a positive number."))
    if not isinstance(max_contributions, int) or max_contributions < 1:
        raise DisclosureError(_("max_contributions must be a positive whole number."))
    dims = check_dimensions(dimensions)
    cells, lists = person_cells(records, dims, categories)
    bounded = bound_contributions(cells, max_contributions)
    dropped = sum(len(keys) for keys in cells.values()) - sum(len(k) for k in bounded.values())
    table = Table(dims, tuple(lists[dim] for dim in dims), {})
    cell_keys = table.cell_keys()
    scale = max_contributions / epsilon
    measurement = dp.t.make_count_by_categories(
        dp.vector_domain(dp.atom_domain(T=str)),
        dp.symmetric_distance(),
        categories=[_cell_label(key) for key in cell_keys],
        null_category=False,
    ) >> dp.m.then_laplace(scale=scale)
    spent = measurement.map(d_in=max_contributions)
    if spent > epsilon * (1 + 1e-9):
        raise DisclosureError(f"OpenDP reports epsilon {spent}, above the {epsilon} asked")
    labels = [_cell_label(key) for keys in bounded.values() for key in keys]
    draw = measurement(labels)
    values = {key: max(0, int(value)) for key, value in zip(cell_keys, draw, strict=True)}
    for key in table.entries():
        if is_total(key):
            values[key] = sum(
                values[cell]
                for cell in cell_keys
                if all(part is None or part == cell[i] for i, part in enumerate(key))
            )
    return NoisyCounts(values, scale, float(spent), dropped)
