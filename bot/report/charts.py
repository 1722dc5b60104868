"""Charts as inline SVG, drawn here so the report needs no script, library or network.

Every chart draws only the numbers its table shows: a hidden count ("<5" or "*") is a hatched
stub of fixed size with its label, so its size cannot be read off the chart. Each chart has a
<title> and a <desc> pointing to the table that follows it (for screen readers).
"""
from __future__ import annotations

from html import escape

from bot.report.suppress import Cell

FONT = 'font-family="Arial, Helvetica, sans-serif"'
TEXT = "#212b32"      # NHS.UK text colour
GRID = "#d8dde0"
HATCH = "#768692"
BLUE = "#005eb8"
WIDTH = 760


def _hatch(chart_id: str) -> str:
    return (f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f0f4f5"/>'
            f'<line x1="0" y1="0" x2="0" y2="6" stroke="{HATCH}" stroke-width="2"/></pattern></defs>')


def _open(chart_id: str, title: str, height: int) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" id="{chart_id}" viewBox="0 0 {WIDTH} {height}" width="100%" '
            f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart">'
            f'<title id="{chart_id}-title">{escape(title)}</title>'
            f'<desc id="{chart_id}-desc">The table after this chart gives the same figures.</desc>'
            + _hatch(chart_id))


def _label(x: float, y: float, text: str, anchor: str = "start", size: int = 13, weight: str = "normal",
           fill: str = TEXT) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" {FONT} font-size="{size}" font-weight="{weight}" '
            f'text-anchor="{anchor}" fill="{fill}">{escape(text)}</text>')


def bars(chart_id: str, title: str, items: list[tuple[str, Cell]], colours: list[str] | None = None) -> str:
    """Horizontal bars, one per (label, count)."""
    label_width, bar_row, top = 250, 28, 10
    plot = WIDTH - label_width - 70
    height = top + bar_row * max(len(items), 1) + 10
    biggest = max([c.number for _, c in items if c.number] or [1])
    parts = [_open(chart_id, title, height)]
    if not items:
        parts.append(_label(10, 30, "Nothing to show for this period."))
    for i, (name, cell) in enumerate(items):
        y = top + i * bar_row
        colour = (colours[i % len(colours)] if colours else BLUE)
        short = name if len(name) <= 34 else name[:33] + "…"
        parts.append(_label(label_width - 8, y + 18, short, anchor="end"))
        if cell.hidden:
            parts.append(f'<rect x="{label_width}" y="{y + 4}" width="14" height="20" fill="url(#{chart_id}-hatch)" '
                         f'stroke="{HATCH}"/>')
            parts.append(_label(label_width + 20, y + 18, cell.shown))
        else:
            length = plot * cell.value / biggest
            parts.append(f'<rect x="{label_width}" y="{y + 4}" width="{length:.1f}" height="20" fill="{colour}"/>')
            parts.append(_label(label_width + length + 6, y + 18, cell.shown))
    parts.append(f'<line x1="{label_width}" y1="{top}" x2="{label_width}" y2="{height - 10}" stroke="{TEXT}"/>')
    parts.append("</svg>")
    return "".join(parts)


def columns(chart_id: str, title: str, items: list[tuple[str, Cell]], axis_label: str) -> str:
    """Vertical columns in order (the hours of the day)."""
    left, top, plot_height, bottom = 40, 24, 220, 50
    height = top + plot_height + bottom
    step = (WIDTH - left - 10) / max(len(items), 1)
    biggest = max([c.number for _, c in items if c.number] or [1])
    parts = [_open(chart_id, title, height)]
    base = top + plot_height
    for fraction in (0.5, 1.0):
        y = base - plot_height * fraction
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - 10}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(_label(left - 4, y + 4, f"{round(biggest * fraction):,}", anchor="end", size=11))
    for i, (name, cell) in enumerate(items):
        x = left + i * step + 3
        w = step - 6
        if cell.hidden:
            parts.append(f'<rect x="{x:.1f}" y="{base - 14}" width="{w:.1f}" height="14" '
                         f'fill="url(#{chart_id}-hatch)" stroke="{HATCH}"/>')
            parts.append(_label(x + w / 2, base - 18, cell.shown, anchor="middle", size=10))
        elif cell.value:
            h = plot_height * cell.value / biggest
            parts.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{BLUE}"/>')
        parts.append(_label(x + w / 2, base + 16, name, anchor="middle", size=11))
    parts.append(f'<line x1="{left}" y1="{base}" x2="{WIDTH - 10}" y2="{base}" stroke="{TEXT}"/>')
    parts.append(_label(WIDTH / 2, base + 40, axis_label, anchor="middle", size=12))
    parts.append("</svg>")
    return "".join(parts)


# Four shades of NHS blue, each with a text colour of at least 4.5:1 contrast on it.
SHADES = (("#e8f1fa", TEXT), ("#9fc3ea", TEXT), (BLUE, "#ffffff"), ("#003087", "#ffffff"))


def _shade(cell: Cell, biggest: int, chart_id: str) -> tuple[str, str]:
    if cell.hidden:
        return f"url(#{chart_id}-hatch)", TEXT
    if not cell.value:
        return "#ffffff", TEXT
    return SHADES[min(int(4 * cell.value / (biggest + 1)), 3)]


def heatmap(chart_id: str, title: str, rows: list[str], cols: list[str], cells: list[list[Cell]]) -> str:
    """A grid of counts, darker for more (rows: Care Communities; columns: urgency or service)."""
    label_width, top, cell_h = 200, 110, 26
    cell_w = (WIDTH - label_width - 10) / max(len(cols), 1)
    height = top + cell_h * max(len(rows), 1) + 10
    biggest = max([c.number for r in cells for c in r if c.number] or [1])
    parts = [_open(chart_id, title, height)]
    if not rows:
        parts.append(_label(10, top, "Nothing to show for this period."))
    for j, name in enumerate(cols):
        x = label_width + j * cell_w + cell_w / 2
        # Slanted up and to the left of their column, so that long names stay inside the chart.
        parts.append(f'<text x="{x:.1f}" y="{top - 6}" {FONT} font-size="11" fill="{TEXT}" text-anchor="end" '
                     f'transform="rotate(40 {x:.1f} {top - 6})">{escape(name[:24])}</text>')
    for i, name in enumerate(rows):
        y = top + i * cell_h
        parts.append(_label(label_width - 8, y + 18, name if len(name) <= 28 else name[:27] + "…", anchor="end",
                            size=12))
        for j, cell in enumerate(cells[i]):
            x = label_width + j * cell_w
            fill, colour = _shade(cell, biggest, chart_id)
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{cell_w:.1f}" height="{cell_h}" fill="{fill}" '
                         f'stroke="{GRID}"/>')
            parts.append(_label(x + cell_w / 2, y + 18, cell.shown, anchor="middle", size=12, fill=colour))
    parts.append("</svg>")
    return "".join(parts)
