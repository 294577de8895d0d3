"""Small-cell and complementary suppression, and OpenDP counts, on tables built in memory.

The property tests check each protected table with an independent exact solver (Gaussian
elimination over the rationals on the published table's linear relations), not with the bridge
search the algorithm itself uses."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migration_hub.statistics import disclosure
from migration_hub.statistics.disclosure import DisclosureError, Key, Table

K = 11


def records_from_counts(counts: dict[tuple[str, ...], int], dims=("year", "sex")):
    """One record per person; `counts` gives the persons per cell."""
    records, person = [], 0
    for key, n in counts.items():
        for _ in range(n):
            person += 1
            records.append((f"p{person}", dict(zip(dims, key, strict=True))))
    return records


def table_of(grid: list[list[int]]) -> Table:
    rows = [f"r{i}" for i in range(len(grid))]
    cols = [f"c{j}" for j in range(len(grid[0]))]
    counts = {(rows[i], cols[j]): n for i, line in enumerate(grid) for j, n in enumerate(line)}
    return disclosure.tabulate(
        records_from_counts(counts), ("year", "sex"), {"year": rows, "sex": cols}
    )


def determined(table: Table, hidden: set[Key]) -> set[Key]:
    """Suppressed entries whose value follows exactly from the published entries, by any linear
    combination of the table's relations (independent of the algorithm's bridge search)."""
    unknowns = sorted(hidden, key=repr)
    index = {key: i for i, key in enumerate(unknowns)}
    rows = []
    for line in disclosure.lines(table):
        row = [Fraction(0)] * len(unknowns)
        for key in line.members:
            if key in index:
                row[index[key]] += 1
        if line.total in index:
            row[index[line.total]] -= 1
        if any(row):
            rows.append(row)
    # Reduced row echelon form over the rationals.
    pivot_row = 0
    for col in range(len(unknowns)):
        pivot = next((r for r in range(pivot_row, len(rows)) if rows[r][col] != 0), None)
        if pivot is None:
            continue
        rows[pivot_row], rows[pivot] = rows[pivot], rows[pivot_row]
        lead = rows[pivot_row][col]
        rows[pivot_row] = [value / lead for value in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][col] != 0:
                factor = rows[r][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[pivot_row], strict=True)]
        pivot_row += 1
    found = set()
    for row in rows[:pivot_row]:
        nonzero = [i for i, value in enumerate(row) if value != 0]
        if len(nonzero) == 1:
            found.add(unknowns[nonzero[0]])
    return found


def assert_safe(protected: disclosure.Protected, *, suppress_zeros: bool = False) -> None:
    table, hidden = protected.table, set(protected.suppressed)
    # Every published figure (cells and totals) is zero or at least k.
    for key in table.entries():
        if key not in hidden:
            value = table.counts[key]
            assert value == 0 or value >= K, (key, value)
            if suppress_zeros:
                assert value >= K, (key, value)
    assert table.grand_key not in hidden
    # No line (row or column, totals included) has exactly one suppressed entry.
    for line in disclosure.lines(table):
        assert sum(key in hidden for key in line.entries) != 1, line
    # No suppressed entry is recoverable by combining lines.
    assert determined(table, hidden) == set()
    assert disclosure.exposures(table, K, hidden, suppress_zeros=suppress_zeros) == []


cell_counts = st.one_of(st.just(0), st.integers(1, K - 1), st.integers(K, 60))


@st.composite
def grids(draw, max_rows=6, max_cols=5):
    rows = draw(st.integers(1, max_rows))
    cols = draw(st.integers(1, max_cols))
    grid = [[draw(cell_counts) for _ in range(cols)] for _ in range(rows)]
    if sum(map(sum, grid)) < K:
        grid[0][0] += K
    return grid


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grids())
def test_two_way_tables_are_protected(grid):
    assert_safe(disclosure.protect(table_of(grid), K))


@settings(max_examples=150, deadline=None)
@given(grids())
def test_two_way_tables_are_protected_with_zeros_suppressed(grid):
    assert_safe(disclosure.protect(table_of(grid), K, suppress_zeros=True), suppress_zeros=True)


@settings(max_examples=200, deadline=None)
@given(st.lists(cell_counts, min_size=1, max_size=12))
def test_one_way_tables_are_protected(counts):
    if sum(counts) < K:
        counts[0] += K
    values = [f"v{i}" for i in range(len(counts))]
    table = disclosure.tabulate(
        records_from_counts({(v,): n for v, n in zip(values, counts, strict=True)}, ("sex",)),
        ("sex",),
        {"sex": values},
    )
    assert_safe(disclosure.protect(table, K))


@settings(max_examples=100, deadline=None)
@given(grids(), st.data())
def test_forced_suppressions_are_protected_too(grid, data):
    table = table_of(grid)
    candidates = [key for key in table.entries() if key != table.grand_key]
    forced = data.draw(st.sets(st.sampled_from(candidates), max_size=3))
    protected = disclosure.protect(table, K, forced=dict.fromkeys(forced, disclosure.DIFFERENCING))
    assert forced <= set(protected.suppressed) | disclosure.pinned_keys(table)
    assert_safe(protected)


@settings(max_examples=100, deadline=None)
@given(grids(), st.data())
def test_known_entries_are_never_used_as_complements(grid, data):
    """Entries already published elsewhere stay published; the table is protected without
    them, or refused when it cannot be."""
    table = table_of(grid)
    publishable = [
        key for key in table.entries() if table.counts[key] in (0,) or table.counts[key] >= K
    ]
    known = data.draw(st.sets(st.sampled_from(publishable), max_size=4))
    try:
        protected = disclosure.protect(table, K, known=known)
    except DisclosureError:
        return
    assert not known & set(protected.suppressed)
    assert_safe(protected)


def test_a_single_small_cell_gets_complements_in_its_row_and_column():
    protected = disclosure.protect(table_of([[3, 40, 50], [30, 20, 60], [25, 35, 45]]), K)
    assert protected.suppressed[("r0", "c0")] == disclosure.PRIMARY
    # The smallest cells of its row and column, then the smallest closing the rectangle.
    assert set(protected.suppressed) == {("r0", "c0"), ("r0", "c1"), ("r2", "c0"), ("r2", "c1")}
    assert all(
        protected.suppressed[key] == disclosure.COMPLEMENTARY
        for key in [("r0", "c1"), ("r2", "c0"), ("r2", "c1")]
    )
    assert_safe(protected)


def test_subtraction_from_totals_recovers_an_unprotected_cell():
    """What the complements prevent: with only the small cell hidden, row total minus the other
    cells gives it back."""
    table = table_of([[3, 40, 50], [30, 20, 60]])
    hidden = {("r0", "c0")}
    assert determined(table, hidden) == hidden
    assert disclosure.exposures(table, K, hidden)


def test_line_rule_alone_misses_a_cell_joining_two_rectangles():
    """Two suppressed rectangles joined by one cell: every row and column has two or more
    suppressed cells, yet the joining cell follows from combining rows and columns."""
    table = table_of([[20] * 4 for _ in range(4)])
    rectangles = {
        ("r0", "c0"),
        ("r0", "c1"),
        ("r1", "c0"),
        ("r1", "c1"),
        ("r2", "c2"),
        ("r2", "c3"),
        ("r3", "c2"),
        ("r3", "c3"),
    }
    bridge = ("r1", "c2")
    hidden = rectangles | {bridge}
    for line in disclosure.lines(table):
        assert sum(key in hidden for key in line.entries) != 1
    assert determined(table, hidden) == {bridge}
    assert any("combining lines" in problem for problem in disclosure.exposures(table, K, hidden))
    # Protecting with that pattern forced adds the complement that closes a cycle through it.
    protected = disclosure.protect(table, K, forced=dict.fromkeys(hidden, disclosure.DIFFERENCING))
    assert_safe(protected)


def test_a_row_total_below_k_is_suppressed_with_a_partner():
    protected = disclosure.protect(table_of([[2, 3, 0], [30, 20, 60], [25, 35, 45]]), K)
    assert protected.suppressed[("r0", None)] == disclosure.PRIMARY
    assert_safe(protected)


def test_a_dimension_with_one_category_keeps_its_totals():
    protected = disclosure.protect(table_of([[3, 30, 40]]), K)
    assert ("r0", None) not in protected.suppressed  # it is the grand total
    assert_safe(protected)


def test_a_table_of_fewer_than_k_persons_is_refused():
    with pytest.raises(DisclosureError, match="fewer than k = 11"):
        disclosure.protect(table_of([[3, 4], [1, 2]]), K)


def test_persons_with_several_cases_count_once_per_cell_and_total():
    records = [
        ("p1", {"year": 2024, "sex": "female"}),
        ("p1", {"year": "2024", "sex": "female"}),  # a second case: same cell
        ("p1", {"year": 2025, "sex": "female"}),
        ("p2", {"year": 2024, "sex": "male"}),
    ]
    table = disclosure.tabulate(records, ("year", "sex"))
    assert table.counts[("2024", "female")] == 1
    assert table.counts[(None, "female")] == 1
    assert table.counts[("2024", None)] == 2
    assert table.persons == 2


def test_records_outside_the_code_list_or_without_a_value_are_refused_by_position():
    with pytest.raises(DisclosureError, match="Record 2: xx is not in the code list of sex"):
        disclosure.tabulate(
            [("a", {"sex": "male"}), ("b", {"sex": "xx"})], ("sex",), {"sex": ["male", "female"]}
        )
    with pytest.raises(DisclosureError, match="Record 1 has no value for sex"):
        disclosure.tabulate([("secret-id", {"year": 2024})], ("sex",))


@pytest.mark.parametrize("dimensions", [(), ("a", "b", "c"), ("a", "a")])
def test_one_or_two_distinct_dimensions(dimensions):
    with pytest.raises(DisclosureError):
        disclosure.tabulate([], dimensions)


# --- differential privacy --------------------------------------------------------------------


CATEGORIES = {"year": ["2023", "2024"], "sex": ["female", "male"]}


def test_noisy_counts_cover_every_cell_are_never_negative_and_totals_add_up():
    records = records_from_counts({("2023", "female"): 3, ("2024", "male"): 40})
    noisy = disclosure.noisy_counts(
        records, ("year", "sex"), CATEGORIES, epsilon=0.5, max_contributions=1
    )
    assert noisy.scale == 2.0
    assert noisy.epsilon == pytest.approx(0.5)
    table = Table(("year", "sex"), (("2023", "2024"), ("female", "male")), {})
    assert set(noisy.values) == set(table.entries())
    assert all(value >= 0 for value in noisy.values.values())
    assert noisy.values[("2023", None)] == (
        noisy.values[("2023", "female")] + noisy.values[("2023", "male")]
    )
    assert noisy.values[(None, None)] == sum(noisy.values[key] for key in table.cell_keys())


def test_noisy_counts_are_close_to_the_truth_with_a_large_epsilon():
    records = records_from_counts({("2023", "female"): 12, ("2024", "male"): 40})
    noisy = disclosure.noisy_counts(records, ("year", "sex"), CATEGORIES, epsilon=200.0)
    assert noisy.values[("2023", "female")] == 12
    assert noisy.values[("2024", "male")] == 40
    assert noisy.values[("2023", "male")] == 0


def test_noise_scale_grows_with_contributions_per_person():
    noisy = disclosure.noisy_counts(
        [], ("year", "sex"), CATEGORIES, epsilon=1.0, max_contributions=3
    )
    assert noisy.scale == 3.0
    assert noisy.epsilon == pytest.approx(1.0)


def test_each_person_counts_in_at_most_max_contributions_cells_chosen_deterministically():
    cells = {
        "p1": {("2023", "female"), ("2024", "female"), ("2024", "male")},
        "p2": {("2023", "male")},
    }
    first = disclosure.bound_contributions(cells, 1)
    assert first == disclosure.bound_contributions(cells, 1)
    assert len(first["p1"]) == 1
    assert first["p1"][0] in cells["p1"]
    assert first["p2"] == [("2023", "male")]
    assert len(disclosure.bound_contributions(cells, 2)["p1"]) == 2
    records = [("p1", {"year": y, "sex": s}) for y, s in cells["p1"]]
    records += [("p1", {"year": "2023", "sex": "female"})] * 5  # repeated cases: one cell
    noisy = disclosure.noisy_counts(records, ("year", "sex"), CATEGORIES, epsilon=500.0)
    assert noisy.values[(None, None)] == 1
    assert noisy.dropped == 2


def test_differential_privacy_needs_code_lists_and_a_positive_epsilon():
    with pytest.raises(DisclosureError, match="code list"):
        disclosure.noisy_counts([], ("year",), None, epsilon=1.0)
    for epsilon in (0, -1.0, float("nan"), float("inf")):
        with pytest.raises(DisclosureError, match="epsilon"):
            disclosure.noisy_counts([], ("year",), {"year": ["2024"]}, epsilon=epsilon)
    with pytest.raises(DisclosureError, match="max_contributions"):
        disclosure.noisy_counts([], ("year",), {"year": ["2024"]}, epsilon=1.0, max_contributions=0)


def test_key_json_round_trip():
    dims = ("year", "sex")
    for key in itertools.product(("2024", None), ("male", None)):
        assert disclosure.key_from_json(dims, disclosure.key_to_json(dims, key)) == key
    assert disclosure.key_to_json(dims, ("2024", None)) == {"year": "2024"}
