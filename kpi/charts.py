"""Report data -> PNG charts for the team chat, sized for a phone (1080 px wide).

Pure: plain dataclasses in, PNG bytes out; every string arrives already localised
(titles, labels, captions, dates). Matplotlib's artists on a `Sheet`, never pyplot nor a
Figure: the bot is a long-running process and renders these in worker threads. Everything
is placed in inches on the page (`chart_style`, `chart_render`, `chart_sheet` and
`chart_text` say why). The `*_figure` builders are public so tests can inspect what was
drawn.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kpi import chart_style as st
from kpi.chart_render import new_page, to_png
from kpi.chart_sheet import Sheet
from kpi.chart_trend import TrendSeries, trend_figure
from kpi.models import Status

CLIP_PCT = 150.0  # longer bars are cut here; a chevron and the caption tell the real figure
BAR = 0.62  # bar thickness as a share of the row pitch


@dataclass(frozen=True)
class AttainmentBar:
    label: str
    pct: float | None  # share of the target reached, 100 = met; None: nothing to judge
    status: Status
    caption: str  # e.g. "41 / 120"


@dataclass(frozen=True)
class PeopleGroup:
    label: str
    values: Sequence[float | None]  # one per name
    unit: str


def attainment_chart(
    bars: Sequence[AttainmentBar], *, title: str, no_data: str, legend: Mapping[Status, str]
) -> bytes:
    """Attainment of each KPI's target: horizontal bars coloured by status, 100 % line."""
    return _png(attainment_figure(bars, title=title, no_data=no_data, legend=legend))


def trend_chart(
    x_labels: Sequence[str],
    series: Sequence[TrendSeries],
    *,
    title: str,
    no_data: str,
    target_label: str,
    decimal: str = ".",
) -> bytes:
    """The main KPIs over the last periods: one small panel per KPI, target dashed."""
    fig = trend_figure(
        x_labels, series, title=title, no_data=no_data, target_label=target_label, decimal=decimal
    )
    return _png(fig)


def people_chart(
    names: Sequence[str],
    groups: Sequence[PeopleGroup],
    *,
    title: str,
    no_data: str,
    decimal: str = ".",
) -> bytes:
    """Each person's contribution: one bar panel per group, best first by the first group."""
    return _png(people_figure(names, groups, title=title, no_data=no_data, decimal=decimal))


def warm_up() -> None:
    """Draw a small chart of each kind and drop it: loads matplotlib, numpy and the fonts
    (Cyrillic and Latin glyphs) into the calling thread, so the first real chart after it is
    drawn warm (bot/digest.py: ChartRenderer.warm)."""
    legend = {Status.MET: "Выполнено / met"}
    attainment_chart([AttainmentBar("Лиды / leads", 80.0, Status.MET, "8 / 10")], title="KPI",
                     no_data="-", legend=legend)  # fmt: skip
    trend_chart(["1", "2"], [TrendSeries("Лиды / leads", [1.0, 2.0], 2.0, "")], title="KPI",
                no_data="-", target_label="цель / target")  # fmt: skip
    people_chart(["Аня", "Ann"], [PeopleGroup("Лиды / leads", [1.0, 2.0], "")], title="KPI",
                 no_data="-")  # fmt: skip


def _png(fig: Sheet) -> bytes:
    """Encode, then free the drawing at once (`Sheet.release` says why)."""
    try:
        return to_png(fig)
    finally:
        fig.release()


# --- attainment -------------------------------------------------------------------------


def attainment_figure(
    bars: Sequence[AttainmentBar], *, title: str, no_data: str, legend: Mapping[Status, str]
) -> Sheet:
    title_text, head = st.title_text(title)
    present = {_status(b) for b in bars}
    names = {**{s: str(s) for s in Status}, Status.NO_DATA: no_data, **legend}
    entries = [(names[s], st.swatch(s)) for s in Status if s in present]
    top = head + st.legend_height([label for label, _ in entries]) + 0.05
    foot, n = 0.4, len(bars)
    pitch = min(0.5, (st.MAX_HEIGHT_IN - top - foot) / max(n, 1))  # 0.5 in: two 12 pt lines
    page = new_page(top + n * pitch + foot)
    page.title(title_text)
    if not bars:
        page.note(no_data)
        return page.fig
    page.legend(entries, head)
    ys = [top + (i + 0.5) * pitch for i in range(n)]
    left = page.row_labels([st.shorten(b.label, 22, 2 if pitch >= 0.42 else 1) for b in bars], ys)
    sx = (st.WIDTH_IN - 0.3 - left) / (CLIP_PCT + 10)  # inches per percentage point
    bottom, h = top + n * pitch, BAR * pitch

    def x(pct: float) -> float:
        return left + pct * sx

    page.lines([[(x(v), top), (x(v), bottom)] for v in (50, CLIP_PCT)], **st.GRID_LINE)
    page.lines([[(x(0), top), (x(0), bottom)]], **st.BASE_LINE)
    for v in (0, 50, 100, 150):
        bold = "bold" if v == 100 else "normal"
        page.text(x(v), bottom + 0.08, f"{v} %", ha="center", va="top", fontweight=bold, **st.TICK)

    empty = [y for y, b in zip(ys, bars, strict=True) if _status(b) is Status.NO_DATA]
    # An empty hatched slot, never a zero-length bar that would read as "0 %"; the hatch
    # stops short of the label instead of a white box cutting the outline.
    page.boxes([(x(0), y - h / 2, 100 * sx, h) for y in empty], **st.NO_DATA_OUTLINE)
    for y in empty:
        half = page.width(page.text(x(50), y, no_data, **st.NOTE)) / 2 + 0.06
        sides = [(x(0), x(50) - half), (x(50) + half, x(100))]
        page.boxes([(a, y - h / 2, b - a, h) for a, b in sides if b > a], **st.NO_DATA_FILL)
    drawn = [(y, b) for y, b in zip(ys, bars, strict=True) if _status(b) is not Status.NO_DATA]
    shown = [min(max(b.pct or 0.0, 0.0), CLIP_PCT) for _, b in drawn]
    colours = [st.STATUS_COLOURS[b.status] for _, b in drawn]
    spans = [(x(0), y - h / 2, v * sx, h) for (y, _), v in zip(drawn, shown, strict=True)]
    page.boxes(spans, facecolors=colours, linewidths=0, zorder=1)
    # A chevron past the cut says "longer than drawn"; the caption has the real %.
    tip = x(CLIP_PCT) + 0.05
    over = [(y, c) for (y, b), c in zip(drawn, colours, strict=True) if (b.pct or 0) > CLIP_PCT]
    chevrons = [[(tip, y - 0.08), (tip + 0.13, y), (tip, y + 0.08)] for y, _ in over]
    page.polygons(chevrons, facecolors=[c for _, c in over], linewidths=0, zorder=1)
    crossed = [
        y for y, b in drawn if _caption(page, b, (x(min(b.pct or 0, CLIP_PCT)), y), left, x(100))
    ]
    # The 100 % line, broken where a caption crosses it so every digit stays legible.
    ends = [top - 0.05, *(e for y in crossed for e in (y - 0.12, y + 0.12)), bottom + 0.05]
    # matplotlib's (4, 3) dashes, scaled by the line's 1.2 pt width as matplotlib does
    page.dashed(
        [((x(100), a), (x(100), b)) for a, b in zip(ends[::2], ends[1::2], strict=True)],
        (4 * 1.2, 3 * 1.2), colors=st.INK, linewidths=1.2, zorder=2,
    )  # fmt: skip
    return page.fig


def _status(bar: AttainmentBar) -> Status:
    return Status.NO_DATA if bar.pct is None else bar.status


def _caption(
    page: st.Page, bar: AttainmentBar, end: tuple[float, float], left: float, hundred: float
) -> bool:
    """Caption inside a long bar, after a short one; True if it crosses the 100 % line."""
    pct = f"{st.fmt_number(round(bar.pct or 0))} %"
    x, y = end
    label = f"{bar.caption} · {pct}" if bar.caption else pct
    text = page.text(x, y, label, size=st.VALUE_PT, va="center")
    w, pad = page.width(text), 0.07
    fits_after = x + pad + w <= st.WIDTH_IN - st.PAD_IN
    inside = x - left >= w + 2 * pad and (x - left >= 1.9 or not fits_after)
    lo = x - pad - w if inside else x + pad
    text.set_x(lo)
    if inside:
        text.set_color(st.ON_BAR_INK[bar.status])
    return lo - 0.04 <= hundred <= lo + w + 0.04


# --- people -------------------------------------------------------------------------------


def people_figure(
    names: Sequence[str],
    groups: Sequence[PeopleGroup],
    *,
    title: str,
    no_data: str,
    decimal: str = ".",
) -> Sheet:
    st.check_rows(groups, len(names), "names")
    title_text, head = st.title_text(title)
    n, cols, rows = len(names), min(len(groups), 3), math.ceil(len(groups) / 3)
    # Headers wrap to the panel width, estimated: the page height depends on their lines.
    label_w = max(
        (st.estimate_width_in(st.shorten(p, 18, 2), st.LABEL_PT) for p in names), default=0
    )
    panel_w = (st.WIDTH_IN - min(label_w, 0.45 * st.WIDTH_IN) - 0.65) / max(cols, 1)
    chars = max(8, int(panel_w * 72 / (st.VALUE_PT * 0.68)))
    heads = [st.shorten(g.label, chars, 2) for g in groups]  # values carry the unit
    head_h = max((st.text_height_in(h, st.VALUE_PT) for h in heads), default=0.0) + 0.1
    room = (st.MAX_HEIGHT_IN - head) / max(rows, 1) - head_h - 0.25
    pitch = min(0.46, room / max(n, 1))  # 0.46 in: two 12 pt lines
    block = head_h + n * pitch + 0.25
    page = new_page(head + rows * block, decimal)
    page.title(title_text)
    if not names or not groups:
        page.note(no_data)
        return page.fig
    first = groups[0].values
    # Best first by the first group; people without a value go last; ties keep input order.
    order = sorted(range(n), key=lambda i: (first[i] is None, -(first[i] or 0.0)))
    labels = [st.shorten(names[i], 18, 2 if pitch >= 0.42 else 1) for i in order]
    ys = [head + r * block + head_h + (i + 0.5) * pitch for r in range(rows) for i in range(n)]
    left = page.row_labels(labels * rows, ys)
    gap = 0.2
    width = (st.WIDTH_IN - left - st.PAD_IN - gap * (cols - 1)) / cols
    for k, group in enumerate(groups):
        x0, top = left + (k % 3) * (width + gap), head + (k // 3) * block
        page.text(x0, top, heads[k], size=st.VALUE_PT, va="top", fontweight="bold")
        values = [group.values[i] for i in order]
        colour = st.GROUP_COLOURS[k % len(st.GROUP_COLOURS)]
        _people_panel(page, values, group.unit, (x0, top + head_h, width, pitch), colour, no_data)
    return page.fig


def _people_panel(
    page: st.Page,
    values: Sequence[float | None],
    unit: str,
    box: tuple[float, float, float, float],
    colour: str,
    no_data: str,
) -> None:
    x0, top, width, pitch = box
    n = len(values)
    page.lines([[(x0, top), (x0, top + n * pitch)]], **st.BASE_LINE)
    if all(v is None for v in values):
        page.text(x0 + width / 2, top + n * pitch / 2, no_data, **st.NOTE)
        return
    pad, scale = 0.06, math.inf  # scale: inches per unit, the largest that fits every label
    places = st.precision(values)  # one column of numbers, one precision
    placed = []
    for i, v in enumerate(values):
        y = top + (i + 0.5) * pitch
        if v is None:  # no value is not zero: say so instead of drawing an empty bar
            gone = no_data if len(no_data) <= 14 else "—"
            page.text(x0 + pad, y, gone, **{**st.NOTE, "size": st.SMALL_PT, "ha": "left"})
            continue
        text = page.text(x0, y, page.number(v, unit, places), size=st.VALUE_PT, va="center")
        if v > 0:
            scale = min(scale, max(width - pad - page.width(text), 0.1 * width) / v)
        placed.append((text, max(v, 0.0), y))
    scale = 1.0 if math.isinf(scale) else scale
    for text, v, _ in placed:
        text.set_x(x0 + v * scale + pad)
    h = BAR * pitch
    spans = [(x0, y - h / 2, v * scale, h) for _, v, y in placed]
    page.boxes(spans, facecolors=colour, linewidths=0, zorder=1)
