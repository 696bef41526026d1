"""The rendering machinery behind `kpi.charts`: a page to draw on, and PNG encoding.

A standalone `Sheet` per chart (never pyplot, nor a Figure: `kpi.chart_sheet` says why)
whose renderer draws text from the shared cache in `kpi.chart_text`. The page geometry and
styling live in `kpi.chart_style`; this module imports it, never the other way round.

Why it is rendered this way (measured with bench/bench_charts.py and by hand on 2-core AMD
EPYC VMs, matplotlib 3.10.9): PIL's PNG encoder takes ~40 ms for a 1080 x 1704 chart (~28 ms
at level 1), so the PNG is encoded here. zlib level 1 took ~11 ms on one VM (level 2, Z_RLE
and the Sub/Up row filters were no faster) and 22 ms on a slower one, where ISA-L's deflate
(`isal`) takes 3.5 ms for a slightly smaller file. Once `kpi.chart_style` drew straight on
the page, text was most of what was left: `kpi.chart_text` says how it is kept cheap.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np
from matplotlib.transforms import Affine2D, CompositeAffine2D

from kpi.chart_sheet import Sheet
from kpi.chart_style import DPI, MAX_HEIGHT_IN, WIDTH_IN, Page

try:  # ISA-L's deflate: ~6x faster than zlib's fastest level here; a standard zlib stream
    from isal.isal_zlib import compressobj

    LEVEL = 2  # of ISA-L's 0-3: as fast as 1 here, and a smaller file
except ImportError:  # no wheel for this platform: zlib, slower
    from zlib import compressobj

    LEVEL = 1


# Drawn this many rows at a time (`Sheet` says why): 2.8 MB of Agg buffer with the margins,
# instead of up to 9 MB; a band draws only the artists that reach it, so what a chart costs
# more is redrawing the few that span bands (axis lines, the bars' collection). A multiple
# of the dpi, as `Sheet.bands` needs.
BAND_ROWS = 3 * DPI


def new_page(height_in: float, decimal: str = ".") -> Page:
    """A standalone Sheet: never pyplot, nothing global holds its artists."""
    # Whole pixels: every page is drawn on the one band renderer its thread keeps (Sheet).
    height = round(min(max(height_in, 2.0), MAX_HEIGHT_IN) * DPI) / DPI
    sheet = Sheet(WIDTH_IN, height, DPI, BAND_ROWS)
    # Composed by hand: `a + b + c` of affines makes a generic composite, whose matrix is
    # computed anew (a new Affine2D) each time an artist asks, where this one is cached.
    flip = Affine2D().scale(1, -1).translate(0, height)
    to = CompositeAffine2D(CompositeAffine2D(flip, sheet.dpi_scale_trans), sheet.shift)
    return Page(sheet, to, decimal)


PNG_STRIP_ROWS = 128


def to_png(sheet: Sheet) -> bytes:
    """Draw the sheet and encode Agg's RGBA buffer as a PNG.

    Hand-written because PIL tries all five PNG row filters on every row (~40 ms for a
    1080 x 1700 chart here); flat chart colours compress about as well with filter 0 and
    a fast deflate (ISA-L: ~3.5 ms). The opaque alpha is kept: dropping it is a strided copy that
    costs more than compressing it.
    """
    width, height = sheet.pixels
    # Encoded as drawn, a strip at a time: ~0.5 MB of scratch rather than a copy of the
    # image, at the same speed; the bytes are the same as compressing it whole.
    deflate = compressobj(LEVEL)
    strip = np.zeros((PNG_STRIP_ROWS, 1 + 4 * width), dtype=np.uint8)  # column 0: filter "None"
    idat = []
    for band in sheet.bands():
        for top in range(0, len(band), PNG_STRIP_ROWS):
            block = band[top : top + PNG_STRIP_ROWS]
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
