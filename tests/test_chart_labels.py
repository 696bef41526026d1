"""Labels on the trend chart keep off the lines: the target's note («цель: 5 %») and the last
value move where the series or the target line would cross them (kpi/chart_place.py)."""

from __future__ import annotations

import itertools

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.text import Text

from kpi import chart_place as place
from kpi import chart_style as st
from kpi.charts import TrendSeries, trend_figure

MONTHS = ["июнь 26", "июль 26", "авг 26", "сент 26", "окт 26", "нояб 26"]


def _polylines(fig) -> list[np.ndarray]:
    """The series and the target lines, in pixels."""
    out = []
    for artist in fig.findobj(lambda a: isinstance(a, Line2D | LineCollection)):
        if isinstance(artist, Line2D) and artist.get_marker() == "o":
            xy = artist.get_transform().transform(artist.get_xydata())
            out.append(xy[~np.isnan(xy).any(axis=1)])
        elif isinstance(artist, LineCollection) and artist.get_linestyle()[0][1] is not None:
            out += [artist.get_transform().transform(seg) for seg in artist.get_segments()]
    return out


def _crossed(box, line: np.ndarray) -> bool:
    for a, b in itertools.pairwise(line):
        for t in np.linspace(0, 1, 200):
            x, y = a + (b - a) * t
            if box.x0 - 1 <= x <= box.x1 + 1 and box.y0 - 1 <= y <= box.y1 + 1:
                return True
    return False


def test_the_target_note_and_the_last_value_keep_off_the_lines():
    series = [
        # The demo's ER: the line runs through where the note used to be (left, above).
        TrendSeries("Вовлечённость", [7.9, 9.0, 8.6, 7.9, 11.3, 19.0], 5, "%"),
        # The demo's leads: the last value sat on the target line.
        TrendSeries("Лиды", [135, 126, 160, 118, 158, 124], 160, ""),
        # Starts on its target: the note goes to the right end.
        TrendSeries("Публикации", [38, 43, 33, 32, 21, 33], 38, ""),
    ]
    fig = trend_figure(MONTHS, series, title="Динамика", no_data="нет данных",
                       target_label="цель")  # fmt: skip
    renderer, lines = fig.renderer, _polylines(fig)
    labels = [
        t for t in fig.findobj(Text)
        if t.get_text() and t.get_color() in (st.SERIES_COLOUR, st.TARGET_COLOUR)
    ]  # fmt: skip
    assert len(labels) == 6  # a note and a last value in each panel
    boxes = [t.get_window_extent(renderer) for t in labels]
    for label, box in zip(labels, boxes, strict=True):
        crossed = [i for i, line in enumerate(lines) if _crossed(box, line)]
        assert not crossed, (label.get_text(), crossed)
    for i, a in enumerate(boxes):
        assert not any(a.overlaps(b) for b in boxes[i + 1 :])


def test_first_clear_takes_the_first_candidate_no_line_crosses():
    line = [(0.0, 1.0), (4.0, 1.0)]  # a horizontal line at y = 1
    above = place.box_at(1.0, 0.9, 1.0, 0.2, "left", "bottom")  # 0.7..0.9: clear by 0.1
    on_it = place.box_at(1.0, 1.1, 1.0, 0.2, "left", "center")  # 1.0..1.2: crossed
    assert place.first_clear([on_it, above], [line], pad=0.04) == 1
    assert place.first_clear([above, on_it], [line], pad=0.04) == 0
    assert place.first_clear([on_it], [line]) == 0  # none clear: the first
    assert place.first_clear([above], [line], pad=0.15) == 0  # the pad counts too
    assert place.first_clear([above, on_it], [line], [above]) == 0  # neither clear: the first
    taken = place.box_at(1.5, 0.8, 0.2, 0.2, "left", "center")
    assert not place.is_clear(above, [], [taken], pad=0.0)


def test_runs_split_a_series_at_its_gaps_and_keep_a_lone_point():
    nan = float("nan")
    got = place.runs([0, 1, 2, 3, 4], [1.0, 2.0, nan, 3.0, nan])
    assert got == [[(0, 1.0), (1, 2.0)], [(3, 3.0), (3, 3.0)]]
    lone = got[1]
    assert place.is_clear((0, 0, 1, 1), [lone], [], pad=0.0)
    assert not place.is_clear((2.5, 2.5, 3.5, 3.5), [lone], [], pad=0.0)


def test_labels_of_one_style_are_copies_that_change_alone():
    """A page makes the labels of a style as copies of one (Label.placed): each must be a
    label of its own, as Text's constructor would have made it."""
    from kpi.chart_render import new_page

    page = new_page(3.0)
    first = page.text(1.0, 1.0, "Лиды", size=st.VALUE_PT, va="center", gid="g")
    second = page.text(2.0, 1.5, "Публикации", size=st.VALUE_PT, va="center", gid="g")
    made = Text(2.0, 1.5, "Публикации", fontproperties=second.get_fontproperties(),
                color=st.INK, va="center", parse_math=False, gid="g")  # fmt: skip
    first.set_fontsize(5)  # in place, on the label's own FontProperties
    first.set_color("red")
    assert second.get_fontsize() == st.VALUE_PT and second.get_color() == st.INK
    assert (second.get_position(), second.get_text()) == ((2.0, 1.5), "Публикации")
    assert second.get_transform() is page.to and second.figure is page.fig
    getters = ("get_verticalalignment", "get_horizontalalignment", "get_gid", "get_rotation",
               "get_fontfamily", "get_fontweight", "get_antialiased")  # fmt: skip
    for getter in getters:
        assert getattr(second, getter)() == getattr(made, getter)(), getter
    heard = []
    second.add_callback(lambda artist: heard.append(artist))
    first.pchanged()
    assert heard == []
    second.pchanged()
    assert heard == [second]
    assert page.fig.texts[-2:] == [first, second]
