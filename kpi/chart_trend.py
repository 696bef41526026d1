"""The trend chart: the main KPIs over the last periods, one small panel per KPI, the
target dashed, the last value and the target's note placed off the lines (`chart_place`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kpi import chart_place as place
from kpi import chart_style as st
from kpi.chart_render import new_page
from kpi.chart_sheet import Sheet


@dataclass(frozen=True)
class TrendSeries:
    label: str
    values: Sequence[float | None]  # one per x label; None is a gap, not a zero
    target: float | None
    unit: str


def trend_figure(
    x_labels: Sequence[str],
    series: Sequence[TrendSeries],
    *,
    title: str,
    no_data: str,
    target_label: str,
    decimal: str = ".",
) -> Sheet:
    st.check_rows(series, len(x_labels), "labels")
    title_text, head = st.title_text(title)
    panel_head, gap, foot = st.text_height_in("", st.LABEL_PT) + 0.12, 0.25, 0.4
    k, n = len(series), len(x_labels)
    plot_h = min(1.2, (st.MAX_HEIGHT_IN - head - foot + gap) / max(k, 1) - panel_head - gap)
    page = new_page(head + k * (panel_head + plot_h + gap) - gap + foot, decimal)
    page.title(title_text)
    if not series or not x_labels:
        page.note(no_data)
        return page.fig
    tops = [head + i * (panel_head + plot_h + gap) + panel_head for i in range(k)]
    scales = [st.y_scale(s.values, s.target) for s in series]
    # Value labels first: the widest decides where every panel starts.
    marks = [
        (top + plot_h * (hi - t) / (hi - lo), page.number(t))
        for top, (lo, hi, values) in zip(tops, scales, strict=True)
        for t in values
    ]
    left = page.row_labels([m for _, m in marks], [y for y, _ in marks], gid="tick", **st.TICK)
    right = st.WIDTH_IN - 0.3
    step = (right - left) / n
    xs = [left + (i + 0.5) * step for i in range(n)]
    rules = Rules([], [])
    for s, top, scale in zip(series, tops, scales, strict=True):
        name = st.shorten(f"{s.label}, {s.unit}" if s.unit else s.label, 60, 1)
        page.text(st.PAD_IN + 0.05, top - panel_head + 0.02, name, va="top", fontweight="bold")
        if all(v is None for v in s.values):
            page.text((left + right) / 2, top + plot_h / 2, no_data, **st.NOTE)
        else:
            _trend_panel(page, s, xs, (left, right, top, plot_h), scale, target_label, rules)
    # Every panel's grid and base lines in two collections, not two a panel: a collection
    # costs more to make and draw than its lines (bench/bench_charts.py). The dashed targets
    # stay one a panel: Agg carries a dash pattern on from one line of a collection to the next.
    page.lines(rules.grid, **st.GRID_LINE)
    page.lines(rules.base, **st.BASE_LINE)
    # Thin the dates by an estimated width so a dozen never collide; keep the newest.
    slot = max(st.estimate_width_in(label, st.SMALL_PT) for label in x_labels) + 0.15
    for i in range(n - 1, -1, -max(1, math.ceil(slot / step))):
        date = page.text(xs[i], tops[-1] + plot_h + 0.08, x_labels[i], gid="date", **st.DATE)
        half = page.width(date) / 2  # keep a long last (or first) date on the page
        date.set_x(min(max(xs[i], st.PAD_IN + half), st.WIDTH_IN - st.PAD_IN - half))
    return page.fig


@dataclass(frozen=True)
class Rules:
    """The panels' grid and base lines, drawn once all panels are laid out."""

    grid: list[list[place.Point]]
    base: list[list[place.Point]]


def _trend_panel(
    page: st.Page,
    s: TrendSeries,
    xs: Sequence[float],
    box: tuple[float, float, float, float],
    scale: tuple[float, float, list[float]],
    target_label: str,
    rules: Rules,
) -> None:
    left, right, top, height = box
    lo, hi, ticks = scale

    def y(v: float) -> float:
        return top + height * (hi - v) / (hi - lo)

    rules.grid.extend([(left, y(t)), (right, y(t))] for t in ticks)
    rules.base.append([(left, y(lo)), (right, y(lo))])
    i, v = next((i, v) for i, v in reversed(list(enumerate(s.values))) if v is not None)
    places = st.precision([s.target, v])  # the target and the last value side by side
    ys = [math.nan if v is None else y(v) for v in s.values]  # NaN: a gap, not a zero
    lines = place.runs(xs, ys)
    if s.target is not None:
        line = [[(left, y(s.target)), (right, y(s.target))]]
        page.lines(line, colors=st.TARGET_COLOUR, linewidths=1.2, linestyles=(0, (5, 3)))
        lines.append(line[0])
    page.plot(xs, ys, color=st.SERIES_COLOUR, linewidth=2.2, marker="o", markersize=4.5, zorder=2)
    # The last value above its point, or below it where the line or the target is.
    end = i >= len(xs) - 2  # right-aligned near the edge so the label stays on the page
    dx, ha = (5, "right") if end else (0, "center")
    spots = [(xs[i], dx, ha, 6, "bottom"), (xs[i], dx, ha, -6, "top")]
    value = page.number(v, s.unit, places)
    taken = _placed(page, y(v), value, spots, lines, [], st.LAST_VALUE)
    if s.target is not None:
        # «цель: 160» at the line's left end, above it; else below it, then at the right end.
        note = f"{target_label}: {page.number(s.target, s.unit, places)}"
        spots = [(left, 3, "left", 2, "bottom"), (left, 3, "left", -2, "top"),
                 (right, -3, "right", 2, "bottom"), (right, -3, "right", -2, "top")]  # fmt: skip
        off = lines[:-1]  # every line but its own
        _placed(page, y(s.target), note, spots, off, [taken], st.TARGET_NOTE)


Spot = tuple[float, float, str, float, str]  # x inches, dx points, ha, dy points, va


def _placed(
    page: st.Page,
    at: float,
    text: str,
    spots: Sequence[Spot],
    lines: Sequence[Sequence[place.Point]],
    taken: Sequence[place.Box],
    style: Mapping[str, Any],
) -> place.Box:
    """`text` at height `at`, in the first of `spots` clear of `lines` and `taken`; its box."""
    pt = style["size"]
    w = st.estimate_width_in(text, pt) * (1.1 if style.get("fontweight") == "bold" else 1.0)
    h = st.text_height_in(text, pt)
    boxes = [place.box_at(x + dx / 72, at - dy / 72, w, h, ha, va) for x, dx, ha, dy, va in spots]
    k = place.first_clear(boxes, lines, taken)
    x, dx, ha, dy, va = spots[k]
    page.text(x, at, text, dx=dx, dy=dy, ha=ha, **{**style, "va": va})
    return boxes[k]
