"""The two charts of the report, drawn as SVG from the data: the Gantt chart of the
plan with its milestones, and the overlap heatmap."""

from __future__ import annotations

import datetime as dt
from html import escape

MILESTONE_COLOURS = {
    "soc2": "#1f6feb",
    "iso42001": "#8250df",
    "dpdp": "#cf222e",
}


def _x(day: dt.date, start: dt.date, per_day: float, left: int) -> float:
    return left + (day - start).days * per_day


def gantt(steps: list[dict], milestones: list[dict], width: int = 1100) -> str:
    """One bar per step (critical ones dark red), month gridlines, a marker per milestone."""
    if not steps and not milestones:
        return '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" role="img"><title>empty plan</title></svg>'
    dates = [dt.date.fromisoformat(s["start"]) for s in steps] + [dt.date.fromisoformat(s["end"]) for s in steps]
    dates += [dt.date.fromisoformat(m["date"]) for m in milestones]
    start = min(dates).replace(day=1)
    end = max(dates) + dt.timedelta(days=14)
    left, row, top = 190, 14, 40
    legend = 18 * len(milestones) + 20
    height = top + row * len(steps) + 30 + legend
    per_day = (width - left - 20) / max(1, (end - start).days)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="Gantt chart of the plan" font-family="sans-serif" font-size="10">',
        "<title>Gantt chart of the plan</title>",
    ]
    month = start
    while month <= end:
        x = _x(month, start, per_day, left)
        parts.append(f'<line x1="{x:.1f}" y1="{top - 12}" x2="{x:.1f}" y2="{top + row * len(steps)}" stroke="#ddd"/>')
        parts.append(f'<text x="{x + 2:.1f}" y="{top - 16}" fill="#555">{month.strftime("%b %Y")}</text>')
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    for index, step in enumerate(steps):
        y = top + index * row
        s, e = dt.date.fromisoformat(step["start"]), dt.date.fromisoformat(step["end"]) + dt.timedelta(days=1)
        x1, x2 = _x(s, start, per_day, left), _x(e, start, per_day, left)
        colour = "#a40e26" if step.get("critical") else "#57606a"
        label = escape(f'{step["control"]} {step["title"]}')[:34]
        parts.append(f'<text x="4" y="{y + 10}" fill="#24292f">{label}</text>')
        parts.append(
            f'<rect class="bar" data-control="{escape(step["control"])}" x="{x1:.1f}" y="{y + 2}" '
            f'width="{max(2.0, x2 - x1):.1f}" height="{row - 4}" fill="{colour}" rx="2">'
            f'<title>{escape(step["control"])}: {step["start"]} to {step["end"]}</title></rect>'
        )
    base = top + row * len(steps)
    for index, milestone in enumerate(milestones):
        d = dt.date.fromisoformat(milestone["date"])
        x = _x(d, start, per_day, left)
        colour = next((c for k, c in MILESTONE_COLOURS.items() if milestone["kind"].startswith(k)), "#333")
        parts.append(f'<line x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{base}" stroke="{colour}" stroke-dasharray="3,3"/>')
        parts.append(
            f'<path class="milestone" data-kind="{escape(milestone["kind"])}" d="M{x:.1f},{base + 4} l5,6 l-5,6 l-5,-6 z" '
            f'fill="{colour}"><title>{escape(milestone["kind"])} {milestone["date"]}</title></path>'
        )
        ly = base + 30 + index * 18
        parts.append(f'<path d="M10,{ly - 4} l5,6 l-5,6 l-5,-6 z" fill="{colour}"/>')
        parts.append(f'<text x="22" y="{ly + 5}">{escape(milestone["date"])} {escape(milestone["kind"])}: '
                     f'{escape(milestone["label"])[:120]}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def heatmap(rows: list[str], columns: list[str], counts: dict[tuple[str, str], int], title: str) -> str:
    """A grid of related-pair counts; darker means more pairs."""
    left, top, cell = 170, 110, 34
    width = left + cell * len(columns) + 20
    height = top + cell * len(rows) + 20
    peak = max(counts.values(), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="10">',
        f"<title>{escape(title)}</title>",
    ]
    for j, column in enumerate(columns):
        x = left + j * cell + cell / 2
        parts.append(f'<text transform="translate({x:.1f},{top - 6}) rotate(-60)">{escape(column)}</text>')
    for i, row_name in enumerate(rows):
        y = top + i * cell
        parts.append(f'<text x="{left - 6}" y="{y + cell / 2 + 3:.1f}" text-anchor="end">{escape(row_name)}</text>')
        for j, column in enumerate(columns):
            n = counts.get((row_name, column), 0)
            shade = 255 - int(200 * n / peak)
            fill = f"rgb({shade},{shade},255)" if n else "#f6f8fa"
            x = left + j * cell
            parts.append(
                f'<rect class="cell" data-row="{escape(row_name)}" data-column="{escape(column)}" data-count="{n}" '
                f'x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" fill="{fill}"><title>{escape(row_name)} x '
                f'{escape(column)}: {n}</title></rect>'
            )
            if n:
                colour = "#fff" if shade < 140 else "#24292f"
                parts.append(f'<text x="{x + cell / 2 - 1:.1f}" y="{y + cell / 2 + 3:.1f}" text-anchor="middle" fill="{colour}">{n}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
