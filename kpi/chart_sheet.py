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

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backend_bases import RendererBase
from matplotlib.text import Text
from matplotlib.transforms import Affine2D, Bbox

from kpi.chart_text import TextRenderer


class Sheet(Artist):
    """A white page `width_in` x `height_in` at `dpi` with its own `TextRenderer`."""

    def __init__(self, width_in: float, height_in: float, dpi: float) -> None:
        super().__init__()
        self.dpi = dpi
        self.dpi_scale_trans = Affine2D().scale(dpi)
        self.height_in = height_in
        self.bbox = Bbox.from_bounds(0, 0, width_in * dpi, height_in * dpi)
        self.artists: list[Artist] = []
        self.texts: list[Text] = []
        # Float sizes, as a Figure's canvas passes them: Agg truncates, and flips y by them.
        self.renderer: TextRenderer | None = TextRenderer(self.bbox.width, self.bbox.height, dpi)

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
        for artist in sorted(self.get_children(), key=lambda a: a.get_zorder()):
            artist.draw(renderer)

    def render(self) -> np.ndarray:
        """Draw on the sheet's own renderer; its RGBA buffer (a view, valid until `release`)."""
        if self.renderer is None:
            raise RuntimeError("this sheet was released")
        self.draw(self.renderer)
        return np.asarray(self.renderer.buffer_rgba())

    def release(self) -> None:
        """Drop the Agg buffer (~7 MB at 1080 x 1700) and the artists now: a bot renders
        hundreds of digests, and nothing may wait for a garbage collection."""
        for text in self.texts:
            text._renderer = None  # type: ignore[attr-defined]  # set by get_window_extent
        self.renderer = None
        self.artists.clear()
        self.texts.clear()
