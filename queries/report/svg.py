"""The two charts of the report, drawn as SVG from the data: the Gantt chart of the
plan by workstream with its milestones, and the overlap heatmap."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

MILESTONE_COLOURS = {
    "soc2": "#1f6feb",
    "iso42001": "#8250df",
    "dpdp": "#cf222e",
}


def _x(day: dt.date, start: dt.date, per_day: float, left: int) -> float:
    return left + (day - start).days * per_day


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def gantt(steps: list[dict[str, Any]], milestones: list[dict[str, Any]], width: int = 1100, group_key: str = "workstream",
          owners: dict[str, str] | None = None) -> str:
    """The plan as a Gantt chart, one band per workstream (``group_key``), one bar per step.

    Months are shaded bands labelled with the month under a year row, so dates can be
    read off at any scale; dark red bars are on the critical path; a dashed line and a
    diamond mark each milestone, listed in a legend under the chart. The drawing scales
    to the page width (``viewBox``), so it never overflows when printed.
    """
    if not steps and not milestones:
        return '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" role="img"><title>empty plan</title></svg>'
    owners = owners or {}
    dates = [dt.date.fromisoformat(s["start"]) for s in steps] + [dt.date.fromisoformat(s["end"]) for s in steps]
    dates += [dt.date.fromisoformat(m["date"]) for m in milestones]
    start = min(dates).replace(day=1)
    end = _next_month(max(dates))
    groups: dict[str, list[dict[str, Any]]] = {}
    for step in sorted(steps, key=lambda s: (s["start"], s["end"], s["control"])):
        groups.setdefault(step.get(group_key) or "other", []).append(step)
    order = sorted(groups, key=lambda g: (groups[g][0]["start"], g))
    left, row, header, top = 250, 14, 18, 46
    body = sum(header + row * len(groups[g]) for g in order)
    legend = 17 * len(milestones) + 24
    height = top + body + 24 + legend
    per_day = (width - left - 16) / max(1, (end - start).days)
    parts = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
         'preserveAspectRatio="xMinYMin meet" role="img" aria-label="Gantt chart of the plan by workstream" '
         'font-family="system-ui, sans-serif" font-size="10" class="gantt">'),
        "<title>Gantt chart of the plan by workstream</title>",
    ]
    bottom = top + body
    # Month bands and labels: every month shaded alternately, labelled when wide enough.
    month, index = start, 0
    month_px = 30.4 * per_day
    every = 1 if month_px >= 24 else 2 if month_px >= 12 else 3
    years: dict[int, list[float]] = {}
    while month < end:
        following = _next_month(month)
        x1, x2 = _x(month, start, per_day, left), _x(following, start, per_day, left)
        if index % 2 == 0:
            parts.append(f'<rect x="{x1:.1f}" y="{top - 18}" width="{x2 - x1:.1f}" height="{bottom - top + 18}" fill="#f3f5f7"/>')
        parts.append(f'<line x1="{x1:.1f}" y1="{top - 32}" x2="{x1:.1f}" y2="{bottom}" stroke="#d0d7de" stroke-width="0.6"/>')
        if index % every == 0:
            label = month.strftime("%b") if month_px * every >= 24 else month.strftime("%b")[0]
            parts.append(f'<text class="month" x="{(x1 + x2) / 2:.1f}" y="{top - 6}" text-anchor="middle" font-size="11" '
                         f'fill="#24292f">{label}</text>')
        years.setdefault(month.year, []).extend([x1, x2])
        month, index = following, index + 1
    for year, xs in sorted(years.items()):
        x1, x2 = min(xs), max(xs)
        parts.append(f'<line x1="{x1:.1f}" y1="{top - 32}" x2="{x1:.1f}" y2="{bottom}" stroke="#8c959f" stroke-width="1"/>')
        parts.append(f'<text class="year" x="{x1 + 4:.1f}" y="{top - 22}" font-size="11" font-weight="600" fill="#24292f">{year}</text>')
    y = top
    for name in order:
        owner = owners.get(name)
        title = escape(_clip(name, 44)) + (f' <tspan fill="#57606a" font-weight="400">({escape(owner)})</tspan>' if owner else "")
        parts.append(f'<rect x="0" y="{y}" width="{width}" height="{header}" fill="#eaeef2" opacity="0.75"/>')
        parts.append(f'<text class="workstream" x="4" y="{y + 13}" font-size="11" font-weight="600" fill="#24292f">{title}</text>')
        y += header
        for step in groups[name]:
            s, e = dt.date.fromisoformat(step["start"]), dt.date.fromisoformat(step["end"]) + dt.timedelta(days=1)
            x1, x2 = _x(s, start, per_day, left), _x(e, start, per_day, left)
            colour = "#a40e26" if step.get("critical") else "#57606a"
            label = escape(_clip(f'{step["control"]} {step["title"]}', 46))
            parts.append(f'<text x="12" y="{y + 10}" fill="#24292f">{label}</text>')
            parts.append(
                f'<rect class="bar" data-control="{escape(step["control"])}" x="{x1:.1f}" y="{y + 2}" '
                f'width="{max(2.0, x2 - x1):.1f}" height="{row - 4}" fill="{colour}" rx="2">'
                f'<title>{escape(step["control"])} {escape(step["title"])}: {step["start"]} to {step["end"]}</title></rect>'
            )
            y += row
    for index, milestone in enumerate(milestones):
        d = dt.date.fromisoformat(milestone["date"])
        x = _x(d, start, per_day, left)
        colour = next((c for k, c in MILESTONE_COLOURS.items() if milestone["kind"].startswith(k)), "#333")
        parts.append(f'<line x1="{x:.1f}" y1="{top - 18}" x2="{x:.1f}" y2="{bottom}" stroke="{colour}" stroke-dasharray="3,3"/>')
        parts.append(
            f'<path class="milestone" data-kind="{escape(milestone["kind"])}" d="M{x:.1f},{bottom + 3} l5,6 l-5,6 l-5,-6 z" '
            f'fill="{colour}"><title>{escape(milestone["kind"])} {milestone["date"]}</title></path>'
        )
        ly = bottom + 36 + index * 17
        parts.append(f'<path d="M10,{ly - 5} l5,6 l-5,6 l-5,-6 z" fill="{colour}"/>')
        parts.append(f'<text x="22" y="{ly + 4}" font-size="11">{escape(milestone["date"])} '
                     f'{escape(_clip(milestone["label"], 150))}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def heatmap(rows: list[str], columns: list[str], counts: dict[tuple[str, str], int], title: str) -> str:
    """A grid of related-pair counts; darker means more pairs."""
    left, top, cell = 170, 110, 34
    width = left + cell * len(columns) + 20
    height = top + cell * len(rows) + 20
    peak = max(counts.values(), default=0) or 1
    parts = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
         f'role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="10">'),
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
