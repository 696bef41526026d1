"""The page a chart is drawn on: what a matplotlib Figure does for these charts, without it.

The charts place every artist in inches themselves (`kpi.chart_style`), so all they need of
a Figure is a dpi, a list of artists drawn in z-order on a white page, and an Agg buffer.
Importing `matplotlib.figure` brings Axes, projections, colour bars and legends with it:
7.6 MiB of the bot's memory while it renders (measured in the bot's process on a 2-core AMD
EPYC VM, matplotlib 3.10.9), and a Figure is a web of cycles only the garbage collector
frees. A Sheet is neither; matplotlib's artists only ask their "figure" for `dpi`,
`dpi_scale_trans` and `get_figure()`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backend_bases import RendererBase
from matplotlib.collections import Collection
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.transforms import Affine2D, Bbox

from kpi.chart_text import Label, TextRenderer

_local = threading.local()  # each thread's band renderer


def _band_renderer(width: float, height: float, dpi: float) -> TextRenderer:
    """The thread's renderer for bands of this size, made once: a new buffer for every
    chart left the allocator's heap in holes (the digest sender peaked 1-2 MiB higher)."""
    key = (width, height, dpi)
    if getattr(_local, "key", None) != key:
        _local.key, _local.renderer = key, TextRenderer(width, height, dpi)
    return _local.renderer  # type: ignore[no-any-return]


class Sheet(Artist):
    """A white page `width_in` x `height_in` at `dpi` (a whole number of pixels high),
    drawn `band_rows` rows at a time on its thread's band renderer.

    A band, not the whole page: Agg's buffer costs 5 bytes a pixel (RGBA and a clip mask),
    9 MB for a 1080 x 1704 chart, and it was most of what a render held at its peak; the
    digest sender's memory is a goal of its own (docs/PERFORMANCE.md). Artists are placed
    through `shift` (the page's transform ends with it), which moves each band in turn onto
    the renderer; a band draws only the artists that reach its rows.
    """

    MARGIN = 30  # rows drawn on each side of a band and dropped: where Agg clips strokes

    def __init__(self, width_in: float, height_in: float, dpi: float, band_rows: int) -> None:
        super().__init__()
        self.dpi = dpi
        self.dpi_scale_trans = Affine2D().scale(dpi)
        self.shift = Affine2D()  # identity but while `bands` draws
        self.height_in = height_in
        self.bbox = Bbox.from_bounds(0, 0, width_in * dpi, height_in * dpi)
        self.artists: list[Artist] = []
        self.texts: list[Text] = []
        if band_rows % int(dpi) or band_rows % 2:  # what `bands` relies on to match the page
            raise ValueError(f"band_rows must be an even multiple of the dpi, not {band_rows}")
        self.band_rows = band_rows
        self.renderer: TextRenderer | None = _band_renderer(
            self.bbox.width, band_rows + 2 * self.MARGIN, dpi
        )
        self.renderer.read_rc()  # once a chart (TextRenderer says why)

    @property
    def pixels(self) -> tuple[int, int]:
        """(width, height) of the drawn page, in whole pixels."""
        return round(self.bbox.width), round(self.bbox.height)

    def get_figure(self, root: bool = False) -> Sheet:  # type: ignore[override]
        return self

    def get_figheight(self) -> float:
        return self.height_in

    def get_children(self) -> list[Artist]:
        return [*self.artists, *self.texts]  # a Figure's order: equal z-orders keep it

    def add(self, artist: Artist) -> None:
        artist.set_figure(self)  # type: ignore[arg-type]
        (self.texts if isinstance(artist, Text) else self.artists).append(artist)

    def draw(self, renderer: RendererBase) -> None:
        """White page, then every artist by z-order (as `Figure.draw`), on any renderer."""
        np.asarray(renderer.buffer_rgba())[:] = 255  # type: ignore[attr-defined]
        for artist in self._in_order():
            artist.draw(renderer)

    def _in_order(self) -> list[Artist]:
        return sorted(self.get_children(), key=lambda a: a.get_zorder())

    def _rows(self, artist: Artist, renderer: RendererBase) -> tuple[float, float]:
        """The page rows (from the top) `artist` may leave a pixel on, padded for strokes
        and antialiasing; all rows when unsure. Measured with `shift` at identity."""
        pad = 4.0
        if isinstance(artist, Label) and artist.get_transform().is_affine:
            low, high = artist.y_span(renderer)
            if low > high:  # invisible or empty: draws nothing
                return np.inf, -np.inf
        elif isinstance(artist, Text):
            low, high = sorted(artist.get_window_extent(renderer).intervaly)
        else:
            if isinstance(artist, Line2D):
                ys = artist.get_window_extent(renderer).intervaly
                pad += artist.get_linewidth() * self.dpi / 72
            elif isinstance(artist, Collection) and not np.any(artist.get_offsets()):
                paths = artist.get_paths()
                if not paths:
                    return -np.inf, np.inf
                points = np.concatenate([p.vertices for p in paths])
                to = artist.get_transform()
                if to.is_affine:  # the charts' case; `transform` checks its input at length
                    m = to.get_matrix()
                    ys = m[1, 0] * points[:, 0] + m[1, 1] * points[:, 1] + m[1, 2]
                else:
                    ys = to.transform(points)[:, 1]
                pad += float(np.max(artist.get_linewidth(), initial=0.0)) * self.dpi / 72
            else:
                return -np.inf, np.inf
            if not np.isfinite(ys).any():
                return -np.inf, np.inf
            low, high = float(np.nanmin(ys)), float(np.nanmax(ys))
        rows = self.bbox.height  # display y runs up from the page's foot (see `bands`)
        return rows - high - pad, rows - low + pad

    def bands(self) -> Iterator[np.ndarray]:
        """Draw the page band by band, top first, on the thread's band renderer; each band's
        RGBA rows (a view, valid until the next band).

        Pixel for pixel the page drawn whole: the renderer's top row moves by `band_rows`, a
        multiple of the dpi (Agg lays its hatch tiles, one inch square, from that row; and
        an even number, as round-half-even text placement needs); each band keeps `MARGIN`
        rows of what is drawn around it (a stroke is cut 1 px outside the buffer, which
        changes how its end is drawn). A band draws only the artists that reach its rows:
        every artist on every band cost the attainment chart half its time."""
        if self.renderer is None:
            raise RuntimeError("this sheet was released")
        rows, height = self.pixels[1], int(self.renderer.height)
        self.shift.clear()
        spans = [(artist, *self._rows(artist, self.renderer)) for artist in self._in_order()]
        buffer = np.asarray(self.renderer.buffer_rgba())
        top = done = 0  # the renderer's first page row; page rows yielded so far
        try:
            while done < rows:
                # Page row r lands on buffer row r - top: Agg flips paths by its own height.
                self.shift.clear().translate(0, height + top - rows)
                buffer[:] = 255
                for artist, first, last in spans:
                    if last >= top and first < top + height:
                        artist.draw(self.renderer)
                end = rows if top + height >= rows else top + height - self.MARGIN
                yield buffer[done - top : end - top]
                top, done = top + self.band_rows, end
        finally:
            self.shift.clear()

    def render(self) -> np.ndarray:
        """The whole page as one RGBA array (a copy): for tests and a look by hand."""
        return np.concatenate([band.copy() for band in self.bands()])

    def release(self) -> None:
        """Let go of the renderer (its thread keeps it for the next chart) and drop the
        artists now: a bot renders hundreds of digests, and nothing may wait for a garbage
        collection."""
        for text in self.texts:
            text._renderer = None  # type: ignore[attr-defined]  # set by get_window_extent
        self.renderer = None
        self.artists.clear()
        self.texts.clear()
