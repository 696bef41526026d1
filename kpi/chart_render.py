"""The rendering machinery behind `kpi.charts`: canvas, PNG encoding, release.

A standalone Agg canvas per Figure (never pyplot) whose renderer draws text from the shared
cache in `kpi.chart_text`. The page geometry and styling live in `kpi.chart_style`; this
module imports it, never the other way round.

Why it is rendered this way (measured with bench/bench_charts.py and by hand on 2-core AMD
EPYC VMs, matplotlib 3.10.9): PIL's PNG encoder takes ~40 ms for a 1080 x 1704 chart (~28 ms
at level 1), so the PNG is encoded here. zlib level 1 took ~11 ms on one VM (level 2, Z_RLE
and the Sub/Up row filters were no faster) and 22 ms on a slower one, where ISA-L's deflate
(`isal`) takes 3.5 ms for a slightly smaller file. Once `kpi.chart_style` drew straight on
the Figure, text was most of what was left: `kpi.chart_text` says how it is kept cheap.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Affine2D

from kpi.chart_style import DPI, MAX_HEIGHT_IN, WIDTH_IN, Page
from kpi.chart_text import TextRenderer

try:  # ISA-L's deflate: ~6x faster than zlib's fastest level here; a standard zlib stream
    from isal.isal_zlib import compressobj

    LEVEL = 2  # of ISA-L's 0-3: as fast as 1 here, and a smaller file
except ImportError:  # no wheel for this platform: zlib, slower
    from zlib import compressobj

    LEVEL = 1

class _Canvas(FigureCanvasAgg):
    def get_renderer(self) -> RendererAgg:
        key = (*self.figure.bbox.size, self.figure.dpi)
        if self._lastKey != key:
            self.renderer = TextRenderer(*key)
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

    Its artists are freed at once too: `Figure.add_artist` gives each one the list's bound
    `remove`, a cycle (list -> artist -> list) that left every collection, its colour map
    and callbacks (~1,000 objects a chart) to the rare full collection.
    """
    for text in fig.texts:
        text._renderer = None  # type: ignore[attr-defined]  # set by get_window_extent
    for artist in fig.get_children():
        artist._remove_method = None  # type: ignore[attr-defined]
    canvas = fig.canvas
    if isinstance(canvas, _Canvas):
        canvas.renderer = None  # type: ignore[assignment]
        canvas._lastKey = None
    fig.clear()


PNG_STRIP_ROWS = 128


def to_png(fig: Figure) -> bytes:
    """Draw the figure and encode Agg's RGBA buffer as a PNG.

    Hand-written because PIL tries all five PNG row filters on every row (~40 ms for a
    1080 x 1700 chart here); flat chart colours compress about as well with filter 0 and
    a fast deflate (ISA-L: ~3.5 ms). The opaque alpha is kept: dropping it is a strided copy that
    costs more than compressing it.
    """
    canvas = fig.canvas
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    height, width = rgba.shape[:2]
    # Encoded a strip at a time: ~0.5 MB of scratch rather than a second copy of the image
    # (~7 MB), at the same speed; the bytes are the same as compressing it whole.
    deflate = compressobj(LEVEL)
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
