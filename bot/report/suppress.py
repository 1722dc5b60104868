"""Small-number suppression, so that the report cannot single out a resident.

A count from 1 to 4 is shown as "<5" (primary suppression). A table that also shows its totals
would let a reader work such a cell out (total minus the others), so whenever a row or column
has exactly one hidden cell, the smallest other non-zero cell in it is hidden too, shown as "*"
(secondary suppression), until no row or column has exactly one. Zero is shown: it identifies
nobody.
"""
from __future__ import annotations

from dataclasses import dataclass

THRESHOLD = 5
PRIMARY = "<5"
SECONDARY = "*"


@dataclass(frozen=True)
class Cell:
    value: int
    shown: str  # what the report prints

    @property
    def hidden(self) -> bool:
        return self.shown in (PRIMARY, SECONDARY)

    @property
    def number(self) -> int | None:
        """The value a chart may draw: None when hidden."""
        return None if self.hidden else self.value


def fmt(value: int) -> str:
    return f"{value:,}"


def primary(value: int) -> Cell:
    return Cell(value, PRIMARY if 0 < value < THRESHOLD else fmt(value))


def table(rows: list[list[int]], totals: bool = True) -> tuple[list[list[Cell]], list[Cell], list[Cell], Cell]:
    """Suppress a table of counts. With `totals`, row totals, column totals and the grand total
    are computed, suppressed and protected as well.

    Returns (cells, row totals, column totals, grand total).
    """
    n_rows, n_cols = len(rows), len(rows[0]) if rows else 0
    # The table with its margins: the last column holds row totals, the last row column totals.
    grid = [list(r) + [sum(r)] for r in rows]
    grid.append([sum(r[c] for r in rows) for c in range(n_cols)] + [sum(sum(r) for r in rows)])
    hidden = [[0 < v < THRESHOLD for v in r] for r in grid]
    secondary = [[False] * (n_cols + 1) for _ in grid]
    if totals:
        lines = [[(i, j) for j in range(n_cols + 1)] for i in range(n_rows + 1)]
        lines += [[(i, j) for i in range(n_rows + 1)] for j in range(n_cols + 1)]
        changed = True
        while changed:
            changed = False
            for line in lines:
                hidden_here = [p for p in line if hidden[p[0]][p[1]]]
                if len(hidden_here) != 1:
                    continue
                others = [p for p in line if not hidden[p[0]][p[1]]]
                if not others:
                    continue
                # A hidden zero protects nothing (total - others would still give the count), so
                # the smallest count above zero goes.
                nonzero = [p for p in others if grid[p[0]][p[1]]] or others
                i, j = min(nonzero, key=lambda p: grid[p[0]][p[1]])
                hidden[i][j] = secondary[i][j] = True
                changed = True

    def cell(i: int, j: int) -> Cell:
        value = grid[i][j]
        if secondary[i][j]:
            return Cell(value, SECONDARY)
        return Cell(value, PRIMARY if hidden[i][j] else fmt(value))

    cells = [[cell(i, j) for j in range(n_cols)] for i in range(n_rows)]
    return (cells, [cell(i, n_cols) for i in range(n_rows)], [cell(n_rows, j) for j in range(n_cols)],
            cell(n_rows, n_cols))
