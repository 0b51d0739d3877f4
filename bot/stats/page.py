"""The figures as one self-contained HTML page, its charts drawn as inline SVG, and as CSV.

Why hand-written SVG: a bar chart is a few rectangles; a plotting library would add a heavy
dependency (and fonts or scripts to embed) for nothing the page needs. The page has no external
script, style sheet or font, so it opens from a file, a mail attachment or an intranet alike; its
CSS fits a phone as well as a laptop (the charts scale with the width, tables scroll sideways).

Every chart bar is a `rect.bar`, one per count shown; a hidden count gets no bar, only "< 10".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from html import escape

from bot.stats.figures import Figure, Report, Value
from locales.stats import StatsTexts

COLOURS = ("#1f6f8b", "#d9731a", "#7a5195", "#2a9d8f", "#b5452f")
ROOM = 85.0  # the longest bar, in per cent of the chart's width: room for its number
LABEL_HEIGHT = 18
BAR_HEIGHT = 16
GAP = 10

STYLE = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
  color: #1d1d1f; background: #fff; line-height: 1.5; }
main { max-width: 48rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; line-height: 1.25; }
h2 { font-size: 1.25rem; margin-top: 2.5rem; }
.note { background: #f3f6f8; border-left: 4px solid #1f6f8b; padding: .5rem 1rem; }
figure { margin: 1rem 0; }
svg.chart { display: block; font-size: 13px; }
svg.chart text.hidden { fill: #555; font-size: 12px; }
.table { overflow-x: auto; }
table { border-collapse: collapse; margin: .5rem 0; min-width: 60%; }
th, td { border-bottom: 1px solid #d6dbe0; padding: .3rem .6rem; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.legend span { display: inline-block; margin-right: 1rem; }
.legend i { display: inline-block; width: .8rem; height: .8rem; border-radius: 50%;
  margin-right: .3rem; vertical-align: middle; }
@media (max-width: 30rem) { main { padding: .6rem; } h1 { font-size: 1.3rem; } }
"""


def cell_text(value: Value, texts: StatsTexts, floor: int) -> str:
    """A count as shown: the number, or "< 10" for a hidden one."""
    return str(value) if value is not None else texts.hidden.format(floor=floor)


def bars(figure: Figure, hidden: str) -> str:
    """Horizontal bars: per row its label, then one bar per column with a count shown.

    Widths are percentages and sizes pixels, not a scaled viewBox: the labels keep their size on
    a phone as on a laptop, and only the bars get shorter.
    """
    most = max((value or 0 for row in figure.rows for value in row.values), default=0) or 1
    parts: list[str] = []
    y = 0
    for row in figure.rows:
        y += LABEL_HEIGHT
        parts.append(f'<text x="0" y="{y - 4}">{escape(row.label)}</text>')
        for index, value in enumerate(row.values):
            if value is None:
                parts.append(f'<text x="0" y="{y + BAR_HEIGHT - 3}" class="hidden">{hidden}</text>')
            else:
                width = max(0.5, ROOM * value / most)
                colour = COLOURS[index % len(COLOURS)]
                parts.append(
                    f'<rect class="bar" x="0" y="{y}" width="{width:.1f}%" height="{BAR_HEIGHT}"'
                    f' fill="{colour}"><title>{escape(row.label)}: {value}</title></rect>'
                    f'<text x="{width + 1:.1f}%" y="{y + BAR_HEIGHT - 3}">{value}</text>'
                )
            y += BAR_HEIGHT + 3
        y += GAP
    return _svg(figure, y, "".join(parts))


def columns(figure: Figure, hidden: str) -> str:
    """Vertical bars, one per row (a week), for a figure with one column."""
    count = max(len(figure.rows), 1)
    height = 160
    step = 100 / count
    most = max((row.values[0] or 0 for row in figure.rows), default=0) or 1
    parts: list[str] = [f'<line x1="0" y1="{height}" x2="100%" y2="{height}" stroke="#888"/>']
    for index, row in enumerate(figure.rows):
        value = row.values[0]
        if value is None:
            continue
        bar = max(1, round((height - 20) * value / most))
        x = index * step + step * 0.15
        parts.append(
            f'<rect class="bar" x="{x:.2f}%" y="{height - bar}" width="{step * 0.7:.2f}%"'
            f' height="{bar}" fill="{COLOURS[0]}">'
            f"<title>{escape(row.label)}: {value}</title></rect>"
        )
    return _svg(figure, height + 4, "".join(parts))


def _svg(figure: Figure, height: int, body: str) -> str:
    return (
        f'<svg class="chart" data-figure="{figure.key}" width="100%" height="{height}"'
        f' role="img" aria-label="{escape(figure.heading)}" xmlns="http://www.w3.org/2000/svg">'
        f"{body}</svg>"
    )


def _legend(figure: Figure) -> str:
    if len(figure.columns) < 2:
        return ""
    items = "".join(
        f'<span><i style="background:{COLOURS[index % len(COLOURS)]}"></i>{escape(name)}</span>'
        for index, name in enumerate(figure.columns)
    )
    return f'<p class="legend">{items}</p>'


def _table(figure: Figure, texts: StatsTexts, floor: int) -> str:
    head = [figure.row_header, *figure.columns] + ([texts.total] if figure.totals else [])
    lines = ["<tr>" + "".join(f"<th>{escape(name)}</th>" for name in head) + "</tr>"]
    for row in figure.rows:
        numbers = [cell_text(value, texts, floor) for value in row.values]
        if figure.totals:
            numbers.append(str(row.total))
        cells = "".join(f'<td class="n">{escape(number)}</td>' for number in numbers)
        lines.append(f"<tr><th>{escape(row.label)}</th>{cells}</tr>")
    note = f"<p>{escape(texts.total_note)}</p>" if figure.totals else ""
    return (
        f'<div class="table"><table data-figure="{figure.key}">{"".join(lines)}</table></div>{note}'
    )


def _section(figure: Figure, texts: StatsTexts, floor: int) -> str:
    hidden = escape(texts.hidden.format(floor=floor))
    chart = columns(figure, hidden) if figure.chart == "columns" else bars(figure, hidden)
    note = f'<p class="note">{escape(figure.note)}</p>' if figure.note else ""
    return (
        f'<section id="{figure.key}"><h2>{escape(figure.heading)}</h2>'
        f"<p>{escape(figure.about)}</p>{note}<figure>{chart}</figure>{_legend(figure)}"
        f"{_table(figure, texts, floor)}</section>"
    )


def html_page(report: Report, texts: StatsTexts, csv_name: str, made: str, period: str) -> str:
    """The whole page; `made` and `period` are dates already written out in the language."""
    floor = report.floor
    notes = (
        f'<p class="note">{escape(texts.privacy)}</p>'
        f'<p class="note">{escape(texts.small.format(floor=floor))}</p>'
        f"<p>{escape(texts.events)}</p>"
    )
    if report.figures:
        body = f"<p>{escape(period)}</p>" + "".join(
            _section(figure, texts, floor) for figure in report.figures
        )
    else:
        body = f"<p>{escape(texts.empty)}</p>"
    footer = (
        f"<p>{escape(texts.csv_note.format(name=csv_name))}</p>"
        f"<p>{escape(texts.made.format(date=made))}</p>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(texts.title)}</title><style>{STYLE}</style></head>"
        f"<body><main><h1>{escape(texts.title)}</h1><p>{escape(texts.intro)}</p>"
        f"{notes}{body}<footer>{footer}</footer></main></body></html>\n"
    )


def csv_rows(report: Report, texts: StatsTexts) -> Iterator[list[str]]:
    """One line per count shown on the page: figure, row, column, count (or "< 10")."""
    for figure in report.figures:
        for row in figure.rows:
            for name, value in zip(figure.columns, row.values, strict=True):
                yield [figure.key, row.label, name, cell_text(value, texts, report.floor)]
            if figure.totals:
                yield [figure.key, row.label, texts.total, str(row.total)]


def csv_text(report: Report, texts: StatsTexts) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["figure", "row", "column", "count"])
    writer.writerows(csv_rows(report, texts))
    return out.getvalue()
