"""Text for the digest charts: strings laid out and rasterised once, drawn as bitmaps.

FreeType loads each glyph anew on every `set_text` (~11 µs a glyph whatever `text.hinting`
says) and plain Agg calls it twice per label, to measure and to draw. `TEXT_CACHE` keeps each
string's layout and bitmap, pixel for pixel what Agg draws, so a string costs one `set_text`
the first time and none after. `Label` is the Text every chart draws: matplotlib's Text
re-lays itself out on every measure and draw (~0.25 ms a label on a 2-core AMD EPYC VM);
`Label` keeps the layout of a string in a given style and blits the cached bitmap.

`kpi.chart_render` builds its canvas on `TextRenderer`; `kpi.chart_style` places `Label`s.
This module imports neither.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from math import cos, inf, isfinite, radians, sin
from typing import Any, Generic, TypeVar

import matplotlib as mpl
import numpy as np
from matplotlib.artist import _XYPair
from matplotlib.backend_bases import GraphicsContextBase, RendererBase
from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
from matplotlib.cbook import CallbackRegistry
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text
from matplotlib.transforms import Transform

V = TypeVar("V")

# (width, height, descent) in pixels, the glyph bitmap, and its offset from the pen.
_Laid = tuple[float, float, float, np.ndarray, float, float]


def _style(prop: FontProperties, rc: tuple[Any, ...]) -> tuple[Any, ...]:
    """What decides how a string in `prop` is laid out and rasterised, as a cache key (the
    FontProperties itself is mutable and hashes by its current state); `rc` is
    `TextRenderer.rc`."""
    return (
        tuple(prop.get_family()), prop.get_slant(), prop.get_variant(), prop.get_weight(),
        prop.get_stretch(), prop.get_size_in_points(), prop.get_file(), *rc,
    )  # fmt: skip


def _rc() -> tuple[Any, ...]:
    """The rcParams a text's layout and bitmap depend on: hinting flags and factor, kerning."""
    rc = mpl.rcParams
    return get_hinting_flag(), rc["text.hinting_factor"], rc["text.kerning_factor"]


class TextCache(Generic[V]):
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
        self._entries: OrderedDict[tuple[Any, ...], V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.nbytes = 0

    def get(self, key: tuple[Any, ...]) -> V | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: tuple[Any, ...], value: V) -> None:
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = value
            self.nbytes += self._size(value)
            while self.nbytes > self.max_bytes and self._entries:
                self.nbytes -= self._size(self._entries.popitem(last=False)[1])

    @classmethod
    def _size(cls, value: V) -> int:
        return value[3].nbytes + cls.ENTRY_OVERHEAD  # type: ignore[index]  # a _Laid


# The three digest charts fill ~0.4 MiB (a median label is ~2 KiB of bitmap), so this holds
# about five teams' KPI names, people, ticks and legends: what is shared (KPI names, ticks)
# stays, and the names of hundreds of teams do not grow the bot by megabytes at a fan-out.
TEXT_CACHE: TextCache[_Laid] = TextCache(2 * 2**20)


class TextRenderer(RendererAgg):
    """Agg that lays out and rasterises a plain string once: measuring while laying out
    fills `TEXT_CACHE`, drawing blits the cached bitmap exactly as Agg would place it.

    `rc` holds the rcParams of `_rc`, read again for every chart (`Sheet`): a chart asks
    for a text's cache key a few hundred times, and rcParams lookups were a third of it."""

    rc: tuple[Any, ...] = ()

    def read_rc(self) -> None:
        """Takes the rcParams for the chart about to be drawn."""
        self.rc = _rc()

    def style(self, prop: FontProperties) -> tuple[Any, ...]:
        """`_style` of `prop` with this renderer's rcParams."""
        return _style(prop, self._params())

    def _params(self) -> tuple[Any, ...]:
        return self.rc or _rc()  # never taken (a renderer outside a Sheet): read now

    def _laid(self, s: str, prop: FontProperties, antialiased: bool) -> _Laid:
        rc = self._params()
        flags = rc[0]
        key = (s, *_style(prop, rc), self.dpi, antialiased)
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


# A label's layout, relative to its anchor: (bbox, [(line, (w, h), x, y)], descent).
_Layout = tuple[Any, list[tuple[str, tuple[float, float], float, float]], float]


class LayoutCache(TextCache[_Layout]):
    """`Text._get_layout` results by string and style: a layout does not depend on where the
    label stands, and the charts repeat the same few hundred."""

    @classmethod
    def _size(cls, value: _Layout) -> int:
        return 1024  # a Bbox, a line or two and the key: about a KiB


LAYOUTS = LayoutCache(4 * 2**20)


class Label(Text):
    """The Text the charts draw: plain (no mathtext, wrap, box or effects), so its layout is
    taken from `LAYOUTS` and, on a `TextRenderer`, drawn without Text's per-draw set-up.
    Anything else (another renderer, a rotation, a style the charts do not use) is drawn by
    Text itself, pixel for pixel the same."""

    def placed(self, x: float, y: float, text: str, transform: Transform) -> Label:
        """A copy of this label, never added to a figure, at (x, y) showing `text`: how a
        page makes its labels, ~10 µs against ~50 for Text's constructor (every style
        property through its setter, then an update()). Whatever one label may change in
        place is its own: the callbacks, the sticky edges and the font (`set_fontsize`
        changes the FontProperties itself)."""
        label = Label.__new__(Label)
        label.__dict__.update(self.__dict__)
        label._callbacks = CallbackRegistry(signals=["pchanged"])
        label._sticky_edges = _XYPair([], [])
        font = FontProperties.__new__(FontProperties)  # as its copy(), without copy.copy
        font.__dict__.update(self._fontproperties.__dict__)
        label._fontproperties = font
        label._x, label._y, label._text = x, y, text
        label._transform, label._transformSet = transform, True
        label._stale = True
        return label

    def _plain(self) -> bool:
        return not (
            self.get_parse_math() or self.get_usetex() or self.get_wrap() or self._bbox_patch
            or self.get_path_effects()
        )  # fmt: skip

    def _get_layout(self, renderer: RendererBase) -> _Layout:
        if not (isinstance(renderer, TextRenderer) and self._plain()):
            return super()._get_layout(renderer)
        key = (
            self._text, *renderer.style(self._fontproperties), renderer.dpi,
            self._linespacing,
            self.get_rotation(), self._rotation_mode, self._get_multialignment(),
            self._horizontalalignment, self._verticalalignment,
        )  # fmt: skip
        layout = LAYOUTS.get(key)
        if layout is None:
            layout = super()._get_layout(renderer)
            LAYOUTS.put(key, layout)
        return layout

    def width_px(self, renderer: RendererBase) -> float:
        """The width `get_window_extent` gives, without its round trip through the figure's
        dpi (set and restored, with their callbacks)."""
        return float(self._get_layout(renderer)[0].width) if self.get_visible() else 0.0

    def y_span(self, renderer: RendererBase) -> tuple[float, float]:
        """A display y interval that holds all the label draws, whatever its alignment;
        (inf, -inf) when nothing is drawn. From the font size, not the layout: a band asks
        this of every label (`Sheet.bands`), and building the layout's cache key cost more."""
        if not self.get_visible() or not self._text:
            return inf, -inf
        if self.get_rotation():
            box = self.get_window_extent(renderer)
            return float(box.y0), float(box.y1)
        x, y = self.get_unitless_position()
        m = self.get_transform().get_matrix()  # affine: the charts place text in inches
        y = m[1, 0] * x + m[1, 1] * y + m[1, 2]
        # A line is ~1.2 em high with its spacing; twice the whole height either side.
        lines = self._text.count("\n") + 1
        em = self._fontproperties.get_size_in_points() * renderer.dpi / 72
        reach = 2 * lines * em * max(self._linespacing, 1.2)
        return float(y - reach), float(y + reach)

    def draw(self, renderer: RendererBase) -> None:
        if not (isinstance(renderer, TextRenderer) and self._plain() and not self.get_rotation()):
            return super().draw(renderer)
        self._renderer = renderer
        if not self.get_visible() or not self._text:
            return None
        _, lines, _ = self._get_layout(renderer)
        x, y = self.get_transform().transform(self.get_unitless_position())
        if not (isfinite(x) and isfinite(y)):
            return None
        gc = renderer.new_gc()
        gc.set_foreground(self.get_color())
        gc.set_alpha(self.get_alpha())
        gc.set_antialiased(self._antialiased)
        self._set_gc_clip(gc)
        prop, height = self._fontproperties, renderer.height
        for line, _, dx, dy in lines:  # as Text.draw places each line, y flipped for Agg
            renderer.draw_text(gc, x + dx, height - (y + dy), line, prop, 0)
        gc.restore()
        self.stale = False
        return None
