"""The drawing kit behind `kpi.charts`: page size, colours, text helpers, PNG encoding.

Constants and per-call objects, plus one bounded, locked cache of rasterised strings
(`TEXT_CACHE`): charts are rendered in worker threads, so styling goes to each artist instead
of the global `rcParams`, and every chart gets its own Figure.

Why it is drawn this way (measured with bench/bench_charts.py and by hand on a 2-core AMD
EPYC VM, matplotlib 3.10.9): an Axes with its ticks costs ~20 ms to build and draw,
constrained layout ~11 ms more, PIL's PNG encoder ~40 ms for a 1080 x 1704 chart (~28 ms at
level 1). So a chart is drawn straight on the Figure in inches, only the texts whose width
decides the layout are measured, and the PNG is encoded here (~11 ms, zlib level 1; level 2,
Z_RLE and the Sub/Up row filters were no faster). Text was then most of what was left:
FreeType's `set_text` loads every glyph anew (~11 µs a glyph whatever `text.hinting` says)
and Agg calls it twice per label, to measure and to draw. `TEXT_CACHE` keeps each string's
layout and bitmap, pixel for pixel what Agg draws, so a string costs one `set_text` the first
time and none after: the 20-KPI attainment chart went from ~47 to ~24 ms (~35 ms when none
of its strings had been seen).
"""

from __future__ import annotations

import math
import struct
import textwrap
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from math import cos, radians, sin
from types import MappingProxyType
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.backend_bases import GraphicsContextBase, RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import Affine2D, Transform, offset_copy

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
    }
)
# Caption colour inside a bar of that status: keep the contrast readable.
ON_BAR_INK = MappingProxyType(
    {
        Status.ON_TRACK: "#FFFFFF",
        Status.AT_RISK: INK,
        Status.OFF_TRACK: "#FFFFFF",
        Status.TOO_EARLY: INK,
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


def fmt_number(value: float) -> str:
    """Compact number: whole values without decimals, thousands split by a thin space."""
    if math.isclose(value, round(value), abs_tol=1e-9) or abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:,.1f}"
    else:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\u202f").replace("-", "−")


def with_unit(value: float, unit: str) -> str:
    return f"{fmt_number(value)}\u00a0{unit}" if unit else fmt_number(value)


@dataclass(frozen=True)
class Page:
    """A Figure drawn on directly, in inches from its top-left corner with y down.

    `renderer` is the one that will draw the figure, so a text measured while laying out
    is not measured again at draw time.
    """

    fig: Figure
    renderer: RendererBase
    to: Transform

    def text(self, x: float, y: float, s: str, *, size: float = LABEL_PT, **kw: Any) -> Text:
        """Plain text at (x, y) inches; `dx`/`dy` nudge it by points."""
        dx, dy = kw.pop("dx", 0), kw.pop("dy", 0)
        at = offset_copy(self.to, fig=self.fig, x=dx, y=dy, units="points") if dx or dy else self.to
        return self.fig.text(x, y, s, transform=at, fontsize=size, **{**TEXT, **kw})

    def width(self, text: Text) -> float:
        return text.get_window_extent(self.renderer).width / DPI

    def boxes(self, boxes: Iterable[tuple[float, float, float, float]], **kw: Any) -> None:
        """Rectangles given as (x, y, width, height) in inches, as one collection."""
        self.polygons(
            [[(x, y), (x + w, y), (x + w, y + h), (x, y + h)] for x, y, w, h in boxes], **kw
        )

    def polygons(self, verts: Sequence[Sequence[tuple[float, float]]], **kw: Any) -> None:
        if verts:
            self.fig.add_artist(PolyCollection(verts, transform=self.to, **kw))

    def lines(self, segments: Sequence[Sequence[tuple[float, float]]], **kw: Any) -> None:
        if segments:
            self.fig.add_artist(LineCollection(segments, transform=self.to, **kw))

    def plot(self, xs: Sequence[float], ys: Sequence[float], **kw: Any) -> None:
        """A polyline; NaN in `ys` leaves a gap."""
        self.fig.add_artist(Line2D(xs, ys, transform=self.to, **kw))

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


def title_text(title: str) -> tuple[str, float]:
    """The title wrapped for the page, and the inches it takes from the top with padding."""
    text = shorten(title, 46, 2)
    return text, PAD_IN + text_height_in(text, TITLE_PT) + 0.12


# (width, height, descent) in pixels, the glyph bitmap, and its offset from the pen.
_Laid = tuple[float, float, float, np.ndarray, float, float]


class TextCache:
    """LRU of laid-out, rasterised strings bounded by bytes, shared by renders and threads.

    FreeType loads each glyph anew on every `set_text` (~10 µs a glyph here) and plain Agg
    does that twice per label: once to measure, once to draw. Entries are never written
    after `put` (Agg only reads the bitmap) and are computed outside the lock, so two threads
    missing the same key at once merely do the work twice.
    """

    ENTRY_OVERHEAD = 256  # key, tuple and array headers: many tiny strings stay bounded too

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.nbytes = 0
        self._entries: OrderedDict[tuple[Any, ...], _Laid] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.nbytes = 0

    def get(self, key: tuple[Any, ...]) -> _Laid | None:
        with self._lock:
            laid = self._entries.get(key)
            if laid is not None:
                self._entries.move_to_end(key)
            return laid

    def put(self, key: tuple[Any, ...], laid: _Laid) -> None:
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = laid
            self.nbytes += self._size(laid)
            while self.nbytes > self.max_bytes and self._entries:
                self.nbytes -= self._size(self._entries.popitem(last=False)[1])

    @classmethod
    def _size(cls, laid: _Laid) -> int:
        return laid[3].nbytes + cls.ENTRY_OVERHEAD


# The three digest charts fill ~0.4 MiB (a median label is ~2 KiB of bitmap), so this
# holds a few dozen teams' KPI names, people, ticks and legends.
TEXT_CACHE = TextCache(16 * 2**20)


class _Renderer(RendererAgg):
    """Agg that lays out and rasterises a plain string once: measuring while laying out
    fills `TEXT_CACHE`, drawing blits the cached bitmap exactly as Agg would place it."""

    def _laid(self, s: str, prop: FontProperties, antialiased: bool) -> _Laid:
        flags = get_hinting_flag()
        key = (
            s, tuple(prop.get_family()), prop.get_slant(), prop.get_variant(),
            prop.get_weight(), prop.get_stretch(), prop.get_size_in_points(), prop.get_file(),
            self.dpi, flags, antialiased,
            mpl.rcParams["text.hinting_factor"], mpl.rcParams["text.kerning_factor"],
        )  # fmt: skip
        laid = TEXT_CACHE.get(key)
        if laid is None:
            font = self._prepare_font(prop)
            font.set_text(s, 0, flags=flags)
            font.draw_glyphs_to_bitmap(antialiased=antialiased)
            w, h = font.get_width_height()
            xo, yo = font.get_bitmap_offset()
            # A copy: the font's own buffer is reused by the next string.
            image = font.get_image().copy()
            laid = (w / 64, h / 64, font.get_descent() / 64, image, xo / 64, yo / 64)
            TEXT_CACHE.put(key, laid)
        return laid

    def get_text_width_height_descent(
        self, s: str, prop: FontProperties, ismath: Any
    ) -> tuple[float, float, float]:
        if ismath:
            return super().get_text_width_height_descent(s, prop, ismath)
        w, h, d, *_ = self._laid(s, prop, True)  # Text's default; a bitmap drawn as is
        return w, h, d

    def draw_text(
        self,
        gc: GraphicsContextBase,
        x: float,
        y: float,
        s: str,
        prop: FontProperties,
        angle: float,
        ismath: Any = False,
        mtext: Any = None,
    ) -> None:
        if ismath:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        _, _, d, image, xo, yo = self._laid(s, prop, gc.get_antialiased())
        # Agg's own placement (RendererAgg.draw_text), with the bitmap from the cache.
        x = round(x + xo + d * sin(radians(angle)))
        y = round(y + yo + d * cos(radians(angle)))
        self._renderer.draw_text_image(image, x, y + 1, angle, gc)
        return None


class _Canvas(FigureCanvasAgg):
    def get_renderer(self) -> RendererAgg:
        key = (*self.figure.bbox.size, self.figure.dpi)
        if self._lastKey != key:
            self.renderer = _Renderer(*key)
            self._lastKey = key
        return self.renderer


def new_page(height_in: float) -> Page:
    """A standalone Figure with its own Agg canvas: never pyplot, nothing global holds it."""
    height = min(max(height_in, 2.0), MAX_HEIGHT_IN)
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI, facecolor="white")
    renderer = _Canvas(fig).get_renderer()
    return Page(fig, renderer, Affine2D().scale(1, -1).translate(0, height) + fig.dpi_scale_trans)


def release(fig: Figure) -> None:
    """Free the figure's Agg buffer (~7 MB at 1080 x 1700) now, not at some later garbage
    collection: a Figure and its canvas refer to each other, so only the cycle collector
    frees them, and in a bot's large, long-lived heap a full collection is rare. Unreleased,
    the 500-team digest fan-out held hundreds of dead buffers. The buffer is reachable from
    the canvas and from every measured Text; the figure is cleared and cannot be drawn again.
    """
    for text in fig.texts:
        text._renderer = None  # type: ignore[attr-defined]  # set by get_window_extent
    canvas = fig.canvas
    if isinstance(canvas, _Canvas):
        canvas.renderer = None  # type: ignore[assignment]
        canvas._lastKey = None
    fig.clear()


PNG_STRIP_ROWS = 64


def to_png(fig: Figure) -> bytes:
    """Draw the figure and encode Agg's RGBA buffer as a PNG.

    Hand-written because PIL tries all five PNG row filters on every row (~40 ms for a
    1080 x 1700 chart here); flat chart colours compress about as well with filter 0 and
    zlib level 1 (~11 ms). The opaque alpha is kept: dropping it is a strided copy that
    costs more than compressing it.
    """
    canvas = fig.canvas
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    height, width = rgba.shape[:2]
    # Encoded a strip at a time: ~0.3 MB of scratch rather than a second copy of the image
    # (~7 MB), at the same speed; the bytes are the same as compressing it whole.
    deflate = zlib.compressobj(1)
    strip = np.zeros((PNG_STRIP_ROWS, 1 + 4 * width), dtype=np.uint8)  # column 0: filter "None"
    idat = []
    for top in range(0, height, PNG_STRIP_ROWS):
        block = rgba[top : top + PNG_STRIP_ROWS]
        strip[: len(block), 1:] = block.reshape(len(block), -1)
        idat.append(deflate.compress(strip[: len(block)].data))
    idat.append(deflate.flush())

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ppm = round(DPI / 0.0254)  # pixels per metre, so viewers know the intended size
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", header),
            chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1)),
            chunk(b"IDAT", b"".join(idat)),
            chunk(b"IEND", b""),
        )
    )
