"""The rendering machinery behind `kpi.charts`: canvas, text cache, PNG encoding, release.

A standalone Agg canvas per Figure (never pyplot), plus one bounded, locked cache of
rasterised strings (`TEXT_CACHE`) shared by the worker threads that render charts. The
page geometry and styling live in `kpi.chart_style`; this module imports it, never the
other way round.

Why it is rendered this way (measured with bench/bench_charts.py and by hand on a 2-core
AMD EPYC VM, matplotlib 3.10.9): PIL's PNG encoder takes ~40 ms for a 1080 x 1704 chart
(~28 ms at level 1), so the PNG is encoded here (~11 ms, zlib level 1; level 2, Z_RLE and
the Sub/Up row filters were no faster). Once `kpi.chart_style` drew straight on the Figure,
text was most of what was left: FreeType's `set_text` loads every glyph anew (~11 µs a glyph
whatever `text.hinting` says) and Agg calls it twice per label, to measure and to draw.
`TEXT_CACHE` keeps each string's layout and bitmap, pixel for pixel what Agg draws, so a
string costs one `set_text` the first time and none after: the 20-KPI attainment chart went
from ~47 to ~24 ms (~35 ms when none of its strings had been seen).
"""

from __future__ import annotations

import struct
import threading
import zlib
from collections import OrderedDict
from math import cos, radians, sin
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.backend_bases import GraphicsContextBase
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.transforms import Affine2D

from kpi.chart_style import DPI, MAX_HEIGHT_IN, WIDTH_IN, Page

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
            # A name with an emoji the font lacks: a box, as Telegram's own fallback looks,
            # instead of FreeType's warning and an empty gap.
            s = "".join(c if c in "\n\t" or font.get_char_index(ord(c)) else "□" for c in s)
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


def new_page(height_in: float, decimal: str = ".") -> Page:
    """A standalone Figure with its own Agg canvas: never pyplot, nothing global holds it."""
    height = min(max(height_in, 2.0), MAX_HEIGHT_IN)
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI, facecolor="white")
    renderer = _Canvas(fig).get_renderer()
    to = Affine2D().scale(1, -1).translate(0, height) + fig.dpi_scale_trans
    return Page(fig, renderer, to, decimal)


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
