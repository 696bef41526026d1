"""The drawing kit behind `kpi.charts`: page size, fonts, colours, text helpers, layout.

Constants, pure text helpers, and `Page`, which draws on a `Sheet` in inches. Charts are
rendered in worker threads, so styling goes to each artist instead of the global
`rcParams`, and every chart gets its own Sheet (`kpi.chart_render` makes it and encodes it).

Why `Page` draws this way (measured with bench/bench_charts.py and by hand on a 2-core AMD
EPYC VM, matplotlib 3.10.9): an Axes with its ticks costs ~20 ms to build and draw,
constrained layout ~11 ms more. So a chart is drawn straight on the page in inches, and
only the texts whose width decides the layout are measured.
"""

from __future__ import annotations

import functools
import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from matplotlib.backend_bases import RendererBase
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import CompositeAffine2D, ScaledTranslation, Transform

from kpi.chart_sheet import Sheet
from kpi.chart_text import Label
from kpi.models import Status

# 7.2 in x 150 dpi = 1080 px: the width Telegram shows full-screen on a phone without
# rescaling much; height grows with the content up to MAX_HEIGHT_IN (a 2:1 portrait).
WIDTH_IN = 7.2
DPI = 150
MAX_HEIGHT_IN = 14.4
PAD_IN = 0.15  # outer margin

FONT = "DejaVu Sans"  # ships with matplotlib and covers Cyrillic
TITLE_PT = 15.0
LABEL_PT = 12.0
VALUE_PT = 11.0
SMALL_PT = 10.0
LINE = 1.3  # line height as a multiple of the font size
SWATCH_IN = 0.27  # legend swatch plus the gap before its label
LEGEND_ROW_IN = 0.27

INK = "#222222"
MUTED = "#6B6B6B"
GRID = "#DDDDDD"
BASELINE = "#999999"
NO_DATA_EDGE = "#AAAAAA"

# Paul Tol's "vibrant" teal / orange / red: they differ in lightness too, so they stay
# apart under red-green colour blindness; grey for "too early to judge".
STATUS_COLOURS = MappingProxyType(
    {
        Status.ON_TRACK: "#009988",
        Status.AT_RISK: "#EE7733",
        Status.OFF_TRACK: "#CC3311",
        Status.TOO_EARLY: "#BBBBBB",
        Status.MET: "#009988",
        Status.MISSED: "#CC3311",
    }
)
# Caption colour inside a bar of that status: keep the contrast readable.
ON_BAR_INK = MappingProxyType(
    {
        Status.ON_TRACK: "#FFFFFF",
        Status.AT_RISK: INK,
        Status.OFF_TRACK: "#FFFFFF",
        Status.TOO_EARLY: INK,
        Status.MET: "#FFFFFF",
        Status.MISSED: "#FFFFFF",
    }
)
SERIES_COLOUR = "#0077BB"
TARGET_COLOUR = "#555555"
GROUP_COLOURS = ("#0077BB", "#009988", "#EE7733", "#33BBEE", "#CC3311", "#EE3377")

# Every caller string is plain text: "$120 … $90" must not turn into mathtext.
TEXT = MappingProxyType({"fontfamily": FONT, "parse_math": False, "color": INK})
# Presets, so a call says what a thing is rather than restating its style.
NOTE = MappingProxyType(
    {"size": VALUE_PT, "ha": "center", "va": "center", "fontstyle": "italic", "color": MUTED}
)
TICK = MappingProxyType({"size": SMALL_PT, "color": MUTED})
DATE = MappingProxyType({**TICK, "ha": "center", "va": "top"})
TARGET_NOTE = MappingProxyType({"size": SMALL_PT, "va": "bottom", "color": TARGET_COLOUR})
LAST_VALUE = MappingProxyType(
    {"size": VALUE_PT, "va": "bottom", "fontweight": "bold", "color": SERIES_COLOUR}
)
GRID_LINE = MappingProxyType({"colors": GRID, "linewidths": 0.8, "zorder": 0.5})
BASE_LINE = MappingProxyType({"colors": BASELINE, "linewidths": 1.0, "zorder": 0.5})
NO_DATA_OUTLINE = MappingProxyType(
    {"facecolors": "none", "edgecolors": NO_DATA_EDGE, "linewidths": 0.8, "zorder": 1}
)
NO_DATA_FILL = MappingProxyType(
    {"facecolors": "none", "edgecolors": NO_DATA_EDGE, "hatch": "///", "linewidths": 0, "zorder": 1}
)


def swatch(status: Status) -> Mapping[str, Any]:
    """Legend swatch style of a status, matching its bars."""
    if status is Status.NO_DATA:
        return {**NO_DATA_FILL, "linewidths": 0.8}
    return {"facecolors": STATUS_COLOURS[status], "linewidths": 0}


def y_scale(
    values: Sequence[float | None], target: float | None
) -> tuple[float, float, list[float]]:
    """(bottom, top, tick values) of a trend panel: from zero (or below, for negatives), with
    headroom above for the last-value label."""
    known = [v for v in values if v is not None]
    if not known:
        return 0.0, 1.0, []
    lo = min(0.0, *known)
    hi = max([*known, *([target] if target is not None else [])])
    top = hi + 0.3 * (hi - lo) if hi > lo else lo + 1
    return lo, top, [t for t in MaxNLocator(nbins=3).tick_values(lo, hi) if lo <= t <= top]


def shorten(text: str, width: int, max_lines: int) -> str:
    """Wrap `text` to lines of about `width` characters; ellipsise what does not fit."""
    lines = textwrap.wrap(" ".join(text.split()), width, break_long_words=True) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return "\n".join(lines)


def text_height_in(text: str, pt: float) -> float:
    return (text.count("\n") + 1) * pt * LINE / 72


def estimate_width_in(text: str, pt: float) -> float:
    """Width guess from the character count (DejaVu Sans averages ~0.6 em), for decisions
    taken before the page exists."""
    return max((len(line) for line in text.split("\n")), default=0) * pt * 0.62 / 72


def decimals_for(value: float) -> int:
    """Decimals the compact form needs: none from 100 up, at most one from 10, two below;
    a rounded value drops its trailing zeros (87.04 is «87», not «87,0»)."""
    if not math.isfinite(value) or abs(value) >= 100:
        return 0
    text = f"{value:.{1 if abs(value) >= 10 else 2}f}".rstrip("0").rstrip(".")
    return len(text.partition(".")[2])


def precision(values: Iterable[float | None]) -> int:
    """One precision for numbers shown side by side: the most any of them needs."""
    return max((decimals_for(v) for v in values if v is not None), default=0)


def fmt_number(value: float, decimal: str = ".", decimals: int | None = None) -> str:
    """Compact number: thousands split by a thin space, `decimal` the reader's decimal sign
    ("," in Russian); `decimals` fixed (see `precision`) or as the value needs."""
    places = decimals_for(value) if decimals is None else decimals
    text = f"{value:,.{places}f}"
    return text.replace(",", "\u202f").replace(".", decimal).replace("-", "−")


def with_unit(value: float, unit: str, decimal: str = ".", decimals: int | None = None) -> str:
    shown = fmt_number(value, decimal, decimals)
    return f"{shown}\u00a0{unit}" if unit else shown


@dataclass(frozen=True)
class Page:
    """A Sheet drawn on directly, in inches from its top-left corner with y down.

    Texts are measured with the renderer that will draw the sheet, so a text measured while
    laying out is not measured again at draw time.
    """

    fig: Sheet
    to: Transform
    decimal: str = "."  # the reader's decimal sign, for every number drawn
    # style -> a label never drawn, that the page's labels of that style are copies of
    _labels: dict[tuple[Any, ...], Label] = field(default_factory=dict, compare=False)

    @property
    def renderer(self) -> RendererBase:
        if self.fig.renderer is None:
            raise RuntimeError("this page was released")
        return self.fig.renderer

    def number(self, value: float, unit: str = "", decimals: int | None = None) -> str:
        return with_unit(value, unit, self.decimal, decimals)

    def text(self, x: float, y: float, s: str, *, size: float = LABEL_PT, **kw: Any) -> Label:
        """Plain text at (x, y) inches; `dx`/`dy` nudge it by points."""
        dx, dy = kw.pop("dx", 0), kw.pop("dy", 0)
        at = self.to
        if dx or dy:  # offset_copy, kept affine (see `kpi.chart_render.new_page`)
            nudge = ScaledTranslation(dx / 72, dy / 72, self.fig.dpi_scale_trans)
            at = CompositeAffine2D(at, nudge)
        style = {**TEXT, **kw}
        key = (size, *sorted(style.items()))
        template = self._labels.get(key)
        if template is None:  # the first label of its style on this page
            # Named arguments and a ready FontProperties (Text copies it): Text.update()
            # would apply each keyword through its setter, a third of what a label cost.
            font = _font(
                style.pop("fontfamily"), size, style.pop("fontweight", "normal"),
                style.pop("fontstyle", "normal"),
            )  # fmt: skip
            template = Label(
                0, 0, "", color=style.pop("color"), fontproperties=font,
                horizontalalignment=style.pop("ha", "left"),
                verticalalignment=style.pop("va", "baseline"),
                parse_math=style.pop("parse_math"), transform=at, **style,
            )  # fmt: skip
            self._labels[key] = template
        label = template.placed(x, y, s, at)
        self.fig.add(label)
        return label

    def width(self, text: Label) -> float:
        return text.width_px(self.renderer) / DPI

    def boxes(self, boxes: Iterable[tuple[float, float, float, float]], **kw: Any) -> None:
        """Rectangles given as (x, y, width, height) in inches, as one collection; a
        `hatch` of slashes ("///") is drawn as lines (`hatch_lines` says why)."""
        boxes = list(boxes)
        hatch = kw.pop("hatch", None)
        if hatch:
            segments = hatch_lines(boxes, hatch)
            self.lines(segments, colors=kw["edgecolors"], linewidths=HATCH_PT, zorder=kw["zorder"],
                       gid="hatch")  # fmt: skip
            if not kw.get("linewidths"):
                return
        self.polygons(
            [[(x, y), (x + w, y), (x + w, y + h), (x, y + h)] for x, y, w, h in boxes], **kw
        )

    def polygons(self, verts: Sequence[Sequence[tuple[float, float]]], **kw: Any) -> None:
        if verts:
            self.fig.add(PolyCollection(verts, transform=self.to, **kw))

    def lines(self, segments: Sequence[Sequence[tuple[float, float]]], **kw: Any) -> None:
        if segments:
            self.fig.add(LineCollection(segments, transform=self.to, **kw))

    def dashed(
        self, segments: Sequence[tuple[tuple[float, float], tuple[float, float]]],
        dash: tuple[float, float], **kw: Any,
    ) -> None:  # fmt: skip
        """Straight segments drawn as dashes `dash` = (on, off) points long, each dash a
        segment of its own: Agg would start its dash pattern anew where a band of the page
        cuts a line (`Sheet.bands`)."""
        on, off = dash[0] / 72, dash[1] / 72  # inches
        pieces = []
        for (x0, y0), (x1, y1) in segments:
            length = math.hypot(x1 - x0, y1 - y0)
            at = 0.0
            while at < length:
                a, b = at / length, min(at + on, length) / length
                pieces.append([(x0 + (x1 - x0) * a, y0 + (y1 - y0) * a),
                               (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)])  # fmt: skip
                at += on + off
        self.lines(pieces, **kw)

    def plot(self, xs: Sequence[float], ys: Sequence[float], **kw: Any) -> None:
        """A polyline; NaN in `ys` leaves a gap."""
        self.fig.add(Line2D(xs, ys, transform=self.to, **kw))

    def row_labels(self, labels: Sequence[str], ys: Sequence[float], **kw: Any) -> float:
        """Labels right-aligned on a common edge, placed once the widest is measured;
        returns that edge plus a gap: where the plot starts. gid "row-label" by default."""
        style = {"ha": "right", "va": "center", "gid": "row-label", **kw}
        texts = [self.text(0, y, s, **style) for s, y in zip(labels, ys, strict=True)]
        widths = [self.width(t) for t in texts]
        cap = 0.45 * WIDTH_IN
        for t, w in zip(texts, widths, strict=True):
            if w > cap:  # unusually wide letters: shrink this label rather than crop it
                t.set_fontsize(t.get_fontsize() * cap / w * 0.97)
        left = PAD_IN + min(max(widths, default=0.0), cap) + 0.1
        for t in texts:
            t.set_x(left - 0.1)
        return left

    def legend(self, entries: Sequence[tuple[str, Mapping[str, Any]]], top: float) -> None:
        """Swatches and labels flowing over rows, drawn directly (matplotlib's Legend is slow
        to pack); `entries` are (label, PolyCollection style of the swatch)."""
        texts = [self.text(0, 0, label, size=SMALL_PT, va="center") for label, _ in entries]
        spots = _flow([self.width(t) for t in texts])
        for text, (_, style), (x, row) in zip(texts, entries, spots, strict=True):
            y = top + 0.1 + row * LEGEND_ROW_IN
            text.set_position((x + SWATCH_IN, y))
            self.boxes([(x, y - 0.08, SWATCH_IN - 0.08, 0.16)], **style)

    def title(self, text: str) -> None:
        self.text(PAD_IN + 0.05, PAD_IN, text, size=TITLE_PT, va="top", fontweight="bold")

    def note(self, text: str) -> None:
        """Centred grey note, e.g. "no data" on a chart with nothing to draw."""
        self.text(WIDTH_IN / 2, self.fig.get_figheight() * 0.55, text, **NOTE)


HATCH_PT = 1.0  # matplotlib's hatch.linewidth


def hatch_lines(
    boxes: Iterable[tuple[float, float, float, float]], hatch: str
) -> list[list[tuple[float, float]]]:
    """matplotlib's slash hatch over (x, y, width, height) boxes in inches, as segments cut
    at each box's edges, in step across boxes: "/" has six lines across the diagonal of a
    one-inch tile, a third of an inch apart along x; "///" eighteen, a ninth apart.

    Agg renders a hatch into a one-inch tile again for every path it fills: ~1 ms a box
    here, where these lines, all of a chart's boxes in one collection, take ~0.3 ms."""
    if set(hatch) != {"/"}:
        raise ValueError(f"only slash hatches are drawn, not {hatch!r}")
    step = 2 / (6 * len(hatch))  # along x (matplotlib.hatch.NorthEastHatch)
    segments = []
    for x0, y0, w, h in boxes:
        # y grows downwards: a "/" line is x + y = c; one every `step` from the page corner.
        for k in range(math.ceil((x0 + y0) / step), math.floor((x0 + w + y0 + h) / step) + 1):
            c = k * step
            a, b = max(x0, c - (y0 + h)), min(x0 + w, c - y0)
            if b > a:
                segments.append([(a, c - a), (b, c - b)])
    return segments


@functools.lru_cache(maxsize=64)
def _font(family: str, size: float, weight: str, style: str) -> FontProperties:
    return FontProperties(family=family, size=size, weight=weight, style=style)


def _flow(widths: Sequence[float]) -> list[tuple[float, int]]:
    """(x, row) of legend items laid left to right, wrapping at the page edge."""
    x0 = PAD_IN + 0.05
    spots, x, row = [], x0, 0
    for w in widths:
        if x > x0 and x + SWATCH_IN + w > WIDTH_IN - PAD_IN:
            x, row = x0, row + 1
        spots.append((x, row))
        x += SWATCH_IN + w + 0.25
    return spots


def legend_height(labels: Sequence[str]) -> float:
    """Inches a legend takes, from estimated widths: the page height is set before drawing."""
    spots = _flow([estimate_width_in(label, SMALL_PT) for label in labels])
    return (spots[-1][1] + 1) * LEGEND_ROW_IN + 0.1 if spots else 0.0


def check_rows(rows: Iterable[Any], count: int, what: str) -> None:
    """Each row (a series or a group, with `label` and `values`) has one value per `what`."""
    for row in rows:
        if len(row.values) != count:
            raise ValueError(f"{row.label!r}: {len(row.values)} values for {count} {what}")


def title_text(title: str) -> tuple[str, float]:
    """The title wrapped for the page, and the inches it takes from the top with padding."""
    text = shorten(title, 46, 2)
    return text, PAD_IN + text_height_in(text, TITLE_PT) + 0.12
