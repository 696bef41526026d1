"""Charts: valid PNGs for every data shape, honest gaps, no overlapping labels, thread safety."""

from __future__ import annotations

import gc
import io
import itertools
import math
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as hs
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.collections import PolyCollection
from matplotlib.colorizer import Colorizer
from matplotlib.lines import Line2D
from matplotlib.text import Text
from PIL import Image

from kpi import chart_style as st
from kpi import chart_text
from kpi.chart_sheet import Sheet
from kpi.charts import (
    AttainmentBar,
    PeopleGroup,
    TrendSeries,
    attainment_chart,
    attainment_figure,
    people_chart,
    people_figure,
    trend_chart,
    trend_figure,
)
from kpi.models import Status

NO_DATA = "нет данных"
LEGEND = {
    Status.ON_TRACK: "в графике",
    Status.AT_RISK: "под угрозой",
    Status.OFF_TRACK: "отстаём",
    Status.TOO_EARLY: "рано судить",
    Status.NO_DATA: NO_DATA,
}
KPI_NAMES = [
    "Лиды из соцсетей", "Публикации", "Охват", "Вовлечённость (ER)", "Новые подписчики",
    "Ответы в срок (SLA)", "Среднее время ответа", "Сторис", "Рилсы и короткие видео",
    "Рекламный бюджет, ₽", "Стоимость лида", "Клики", "Упоминания бренда", "Отзывы",
    "Заявки с сайта после публикаций в Telegram-канале компании", "Комментарии", "Репосты",
    "Прямые эфиры", "Коллаборации с блогерами", "Рассылки",
]  # fmt: skip
PEOPLE = [
    "Анна Смирнова", "Константин Вознесенский-Щербаков", "Мария Иванова", "Пётр Кузнецов",
    "Екатерина Александровна Преображенская-Оболенская", "Олег Попов", "Юлия Соколова",
    "Дмитрий Лебедев", "Светлана Новикова", "Alexander Montgomery-Smith III", "Ирина Морозова",
    "Никита Волков",
]  # fmt: skip
# What KPI and person names are made of (DejaVu Sans covers all of it).
ALPHABET = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБЁЖЩЯ" + "abcxyzABCXYZ0123456789 -–—,.()%/«»№"
MONTHS = [f"{m} 2025" for m in ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг")] + [
    "сен 2025", "окт 2025", "ноя 2025", "дек 2025",
]  # fmt: skip


def twenty_bars() -> list[AttainmentBar]:
    pcts = [41.0, 87.5, 104.0, 260.0, None, 133.0, 0.0, 99.9, -5.0, 1000.0]
    statuses = [Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.TOO_EARLY]
    return [
        AttainmentBar(name, pct, statuses[i % 4], f"{i * 7} / 1\u202f200 ₽")
        for i, (name, pct) in enumerate(zip(KPI_NAMES, itertools.cycle(pcts), strict=False))
    ]


def twelve_series() -> list[TrendSeries]:
    leads = [30, 42, None, 51, 48, 60, 72, 66, None, 80, 91, 97]
    sla = [88, 91.5, 79, 95, 97, 93, 90, 99, 96, 94, 98, 92.5]
    budget = [1.2e5, 9.5e4, 1.3e5, None, None, None, 1.5e5] + [1.6e5] * 5
    return [
        TrendSeries("Лиды", leads, 90, ""),
        TrendSeries("Ответы в срок", sla, 95, "%"),
        TrendSeries("Бюджет", budget, None, "₽"),
        TrendSeries("Время ответа", [None] * 11 + [42.0], 30, "мин"),
    ]


def people_groups(n: int = 12) -> list[PeopleGroup]:
    leads = [31, 12, 25, None, 40, 7, 18, 22, 0, 15, 9, 27][:n]
    posts = [12, 30, 8, 14, 11, 9, 20, 6, 13, 17, None, 10][:n]
    sla = [98.5, 91, 100, 75, 88, None, 96, 99, 93.2, 80, 97, 100][:n]
    return [
        PeopleGroup("Лиды", leads, ""),
        PeopleGroup("Публикации", posts, ""),
        PeopleGroup("Ответы в срок (SLA)", sla, "%"),
    ]


def assert_png(png: bytes) -> Image.Image:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(png))
    image.load()  # decodes every row: a broken stream raises here
    assert image.width == round(st.WIDTH_IN * st.DPI)
    assert 2 * st.DPI <= image.height <= round(st.MAX_HEIGHT_IN * st.DPI)
    return image


def texts(fig: Sheet, gid: str | None = None) -> list[Text]:
    found = [t for t in fig.findobj(Text) if t.get_text() and t.get_visible()]
    return [t for t in found if gid is None or t.get_gid() == gid]


def assert_apart(fig: Sheet, gid: str) -> None:
    """Texts with this gid neither overlap one another nor leave the image."""
    renderer = fig.renderer
    boxes = [t.get_window_extent(renderer) for t in texts(fig, gid)]
    assert boxes
    for box in boxes:
        assert box.x0 >= 0 and box.y0 >= 0
        assert box.x1 <= fig.bbox.width and box.y1 <= fig.bbox.height
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), (a, b)


# --- every chart, every shape of data -------------------------------------------------------


def test_attainment_with_twenty_kpis_renders_and_labels_do_not_overlap():
    bars = twenty_bars()
    assert_png(attainment_chart(bars, title="Выполнение целей", no_data=NO_DATA, legend=LEGEND))
    fig = attainment_figure(bars, title="Выполнение целей", no_data=NO_DATA, legend=LEGEND)
    assert_apart(fig, "row-label")
    assert len(texts(fig, "row-label")) == 20


def test_people_with_twelve_long_names_renders_and_labels_do_not_overlap():
    png = people_chart(PEOPLE, people_groups(), title="Вклад команды", no_data=NO_DATA)
    assert_png(png)
    fig = people_figure(PEOPLE, people_groups(), title="Вклад команды", no_data=NO_DATA)
    assert_apart(fig, "row-label")


def test_trend_with_twelve_periods_renders_and_dates_do_not_overlap():
    png = trend_chart(
        MONTHS, twelve_series(), title="Динамика", no_data=NO_DATA, target_label="цель"
    )
    assert_png(png)
    fig = trend_figure(
        MONTHS, twelve_series(), title="Динамика", no_data=NO_DATA, target_label="цель"
    )
    dates = texts(fig, "date")
    assert dates[0].get_text() == MONTHS[-1]  # the newest period is always labelled
    assert_apart(fig, "date")
    assert_apart(fig, "tick")


def test_all_none_data_renders_no_data_not_zero():
    bars = [AttainmentBar(n, None, Status.NO_DATA, "") for n in KPI_NAMES[:5]]
    fig = attainment_figure(bars, title="Цели", no_data=NO_DATA, legend=LEGEND)
    assert [t.get_text() for t in texts(fig)].count(NO_DATA) == 5 + 1  # slots + legend
    polys = fig.findobj(PolyCollection)
    assert fig.findobj(lambda a: a.get_gid() == "hatch")  # the empty slots are hatched
    # no bar at all, not even a zero-length one: nothing is filled
    assert all(len(c.get_facecolor()) == 0 or not c.get_facecolor()[:, 3].any() for c in polys)
    assert_png(attainment_chart(bars, title="Цели", no_data=NO_DATA, legend=LEGEND))

    series = [TrendSeries("Лиды", [None] * 8, 10, ""), TrendSeries("Посты", [None] * 8, None, "")]
    fig = trend_figure(MONTHS[:8], series, title="Т", no_data=NO_DATA, target_label="цель")
    assert [t.get_text() for t in texts(fig)].count(NO_DATA) == 2
    assert not fig.findobj(Line2D)
    assert_png(trend_chart(MONTHS[:8], series, title="Т", no_data=NO_DATA, target_label="цель"))

    groups = [PeopleGroup("Лиды", [None] * 3, ""), PeopleGroup("SLA", [None] * 3, "%")]
    fig = people_figure(PEOPLE[:3], groups, title="Л", no_data=NO_DATA)
    assert [t.get_text() for t in texts(fig)].count(NO_DATA) == 2
    assert_png(people_chart(PEOPLE[:3], groups, title="Л", no_data=NO_DATA))


def test_empty_inputs_render_a_no_data_note():
    for png in (
        attainment_chart([], title="Цели", no_data=NO_DATA, legend=LEGEND),
        trend_chart([], [], title="Динамика", no_data=NO_DATA, target_label="цель"),
        trend_chart(MONTHS, [], title="Динамика", no_data=NO_DATA, target_label="цель"),
        people_chart([], [], title="Вклад", no_data=NO_DATA),
        people_chart(PEOPLE, [], title="Вклад", no_data=NO_DATA),
    ):
        assert_png(png)


def test_long_dates_stay_on_the_page():
    weeks = [f"{d:02}.05–{d + 6:02}.05.2026" for d in range(1, 9)]
    series = [TrendSeries("Лиды", list(range(8)), 5, "")]
    fig = trend_figure(weeks, series, title="Т", no_data=NO_DATA, target_label="цель")
    assert_apart(fig, "date")
    assert texts(fig, "date")[0].get_text() == weeks[-1]


def test_odd_values_render():
    series = [
        TrendSeries("Ноль", [0.0] * 6, None, ""),
        TrendSeries("Минус", [-5.0, -3.0, None, -1.0, 2.0, -4.0], 0.0, ""),
        TrendSeries("Одна точка", [None, None, 7.0, None, None, None], 5.0, "%"),
        TrendSeries("Цель выше", [1.0, 2.0, 1.0, 2.0, 1.0, 2.0], 1e6, "₽"),
    ]
    assert_png(trend_chart(MONTHS[:6], series, title="x", no_data=NO_DATA, target_label="t"))
    groups = [PeopleGroup("Ноль", [0, 0], ""), PeopleGroup("Минус", [-3, 1e9], "₽")]
    assert_png(people_chart(["A", "B"], groups, title="x", no_data=NO_DATA))
    one = [AttainmentBar("x" * 300, 1e9, Status.ON_TRACK, "9" * 40)]
    assert_png(attainment_chart(one, title="T" * 300, no_data=NO_DATA, legend={}))


# --- honesty ----------------------------------------------------------------------------------


def test_clipped_bar_keeps_the_real_percentage_in_its_caption():
    bars = [AttainmentBar("Лиды", 260.0, Status.ON_TRACK, "390 / 150")]
    fig = attainment_figure(bars, title="Цели", no_data=NO_DATA, legend=LEGEND)
    assert "390 / 150 · 260 %" in [t.get_text() for t in texts(fig)]
    at = {t.get_text(): t.get_position()[0] for t in texts(fig)}
    hundred = at["100 %"] - at["0 %"]
    bars_and_chevrons = [c for c in fig.findobj(PolyCollection) if len(c.get_facecolor())]
    widths = sorted(p.get_extents().width for c in bars_and_chevrons for p in c.get_paths())
    assert math.isclose(widths[-1] / hundred, 1.5)  # cut at 150 %, not drawn to 260 %
    assert len(widths) == 3  # legend swatch, bar, chevron past the cut


def test_trend_gaps_are_nan_not_zero_and_last_value_is_annotated():
    series = [TrendSeries("Лиды", [30, None, 50, None], 40, "")]
    fig = trend_figure(MONTHS[:4], series, title="Т", no_data=NO_DATA, target_label="цель")
    (line,) = fig.findobj(Line2D)
    ys = list(line.get_ydata())
    assert math.isnan(ys[1]) and math.isnan(ys[3]) and not math.isnan(ys[2])
    labels = [t.get_text() for t in texts(fig)]
    assert "50" in labels and "цель: 40" in labels


def test_people_sorted_by_first_group_descending_with_missing_last():
    names = ["Аня", "Боря", "Вера", "Гоша"]
    groups = [PeopleGroup("Лиды", [5, None, 9, 5], ""), PeopleGroup("Посты", [1, 2, 3, 4], "")]
    fig = people_figure(names, groups, title="В", no_data=NO_DATA)
    rows = sorted(texts(fig, "row-label"), key=lambda t: t.get_position()[1])
    assert [t.get_text() for t in rows] == ["Вера", "Аня", "Гоша", "Боря"]


def test_caller_text_is_never_mathtext():
    bars = [AttainmentBar("$ads$ budget", 50.0, Status.AT_RISK, "$10 / $20")]
    fig = attainment_figure(bars, title="$x^2$", no_data=NO_DATA, legend=LEGEND)
    assert all(not t.get_parse_math() for t in texts(fig))
    assert_png(attainment_chart(bars, title="$x^2$", no_data=NO_DATA, legend=LEGEND))


def test_mismatched_lengths_are_rejected():
    with pytest.raises(ValueError):
        series = [TrendSeries("x", [1, 2], None, "")]
        trend_chart(MONTHS[:3], series, title="", no_data="", target_label="")
    with pytest.raises(ValueError):
        people_chart(["a"], [PeopleGroup("x", [1, 2], "")], title="", no_data="")


# --- fonts, size caps, threads ------------------------------------------------------------------


def test_cyrillic_and_symbols_render_without_missing_glyph_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font" would raise
        caption = "1\u202f200 ₽ / 1\u00a0600 €"
        bars = [AttainmentBar("Ёжик – «щётка» № 5 … ≥ ≤", 75.0, Status.ON_TRACK, caption)]
        assert_png(attainment_chart(bars, title="Цели · ёЁ", no_data=NO_DATA, legend=LEGEND))
        series = twelve_series()
        assert_png(trend_chart(MONTHS, series, title="Ж", no_data=NO_DATA, target_label="цель"))
        assert_png(people_chart(PEOPLE, people_groups(), title="Щ", no_data=NO_DATA))


def test_many_rows_stay_within_the_height_cap_and_apart():
    label = "Показатель номер {} с длинным именем"
    bars = [AttainmentBar(label.format(i), 50.0, Status.ON_TRACK, "1 / 2") for i in range(40)]
    fig = attainment_figure(bars, title="Цели", no_data=NO_DATA, legend=LEGEND)
    assert fig.get_figheight() <= st.MAX_HEIGHT_IN
    assert_apart(fig, "row-label")
    names = [f"Сотрудник с длинной фамилией {i}" for i in range(30)]
    groups = [PeopleGroup("Лиды", list(range(30)), "")]
    fig = people_figure(names, groups, title="В", no_data=NO_DATA)
    assert fig.get_figheight() <= st.MAX_HEIGHT_IN
    assert_apart(fig, "row-label")


def test_rendering_in_four_threads_gives_the_same_bytes_as_one():
    jobs = [
        lambda: attainment_chart(twenty_bars(), title="Цели", no_data=NO_DATA, legend=LEGEND),
        lambda: trend_chart(MONTHS, twelve_series(), title="Т", no_data=NO_DATA, target_label="ц"),
        lambda: people_chart(PEOPLE, people_groups(), title="В", no_data=NO_DATA),
        lambda: attainment_chart(twenty_bars()[:7], title="Ц", no_data=NO_DATA, legend=LEGEND),
    ]
    alone = [job() for job in jobs]
    chart_text.TEXT_CACHE.clear()  # the threads race to fill the shared text cache
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = [f.result() for f in [pool.submit(job) for job in jobs * 3]]
    assert together == alone * 3


def test_a_rendered_chart_frees_all_but_its_threads_band_renderer_without_waiting_for_gc():
    jobs = [
        lambda: attainment_chart(twenty_bars(), title="Цели", no_data=NO_DATA, legend=LEGEND),
        lambda: trend_chart(MONTHS, twelve_series(), title="Т", no_data=NO_DATA, target_label="ц"),
        lambda: people_chart(PEOPLE, people_groups(), title="В", no_data=NO_DATA),
    ]
    gc.collect()
    gc.disable()  # only reference counts may free what a chart drew
    try:
        pngs = [job() for job in jobs]
        alive = sum(isinstance(o, RendererAgg) for o in gc.get_objects())
        # Nor do its artists wait (each collection brings its colour map and callbacks).
        artists = sum(isinstance(o, Artist | Colorizer) for o in gc.get_objects())
    finally:
        gc.enable()
    # One band renderer a thread, kept for its next chart (`Sheet`); nothing else.
    assert alive == 1 and all(png.startswith(b"\x89PNG") for png in pngs)
    assert artists == 0


def test_banded_cached_text_draws_the_same_pixels_as_plain_agg_on_the_whole_page():
    series = twelve_series()
    figures = [
        attainment_figure(twenty_bars(), title="$x^2$ Цели", no_data=NO_DATA, legend=LEGEND),
        trend_figure(MONTHS, series, title="Т", no_data=NO_DATA, target_label="цель"),
        people_figure(PEOPLE, people_groups(), title="В", no_data=NO_DATA),
    ]
    for fig in figures:
        # Drawn in bands (`Sheet.bands`): the hatching, the dashed 100 % line, the lines and
        # the text that cross a band's edge come out as on the whole page.
        assert fig.renderer.height < fig.bbox.height
        chart_text.TEXT_CACHE.clear()
        chart_text.LAYOUTS.clear()
        drawn = []
        for _ in range(2):  # cold, then from the cache
            drawn.append(fig.render().copy())
        agg = RendererAgg(fig.bbox.width, fig.bbox.height, fig.dpi)  # matplotlib's own
        fig.draw(agg)
        plain = np.asarray(agg.buffer_rgba())
        assert (drawn[0] == plain).all() and (drawn[1] == plain).all()


def test_a_band_draws_only_the_artists_that_reach_it(monkeypatch):
    fig = attainment_figure(twenty_bars(), title="Цели", no_data=NO_DATA, legend=LEGEND)
    drawn: dict[int, int] = {}
    for artist in fig.get_children():
        draw = artist.draw

        def counted(renderer, artist=artist, draw=draw):
            drawn[id(artist)] = drawn.get(id(artist), 0) + 1
            return draw(renderer)

        monkeypatch.setattr(artist, "draw", counted)
    bands = len(list(fig.bands()))
    assert bands >= 4
    labels = texts(fig, "row-label")
    # A row's label falls in one band, or two where a band's edge cuts it; never in all.
    assert all(1 <= drawn.get(id(label), 0) <= 2 for label in labels)
    assert sum(drawn.values()) < len(fig.get_children()) * bands / 2


def test_a_slash_hatch_is_drawn_as_matplotlibs_lines_cut_at_the_box():
    boxes = [(1.0, 2.0, 4.0, 0.3), (5.2, 2.0, 1.0, 0.3)]
    segments = st.hatch_lines(boxes, "///")
    for (x0, y0), (x1, y1) in segments:
        assert math.isclose(x1 - x0, y0 - y1)  # "/": up and to the right, y growing down
        assert any(
            bx - 1e-9 <= min(x0, x1) and max(x0, x1) <= bx + w + 1e-9
            and by - 1e-9 <= min(y0, y1) and max(y0, y1) <= by + h + 1e-9
            for bx, by, w, h in boxes
        )  # fmt: skip
    # A ninth of an inch apart along x, as matplotlib's "///" in a one-inch tile.
    starts = sorted({round(x0 + y0, 9) for (x0, y0), _ in segments})
    assert all(math.isclose(b - a, 1 / 9, abs_tol=1e-6) for a, b in itertools.pairwise(starts))
    with pytest.raises(ValueError):
        st.hatch_lines(boxes, "xx")


def test_a_label_is_measured_anew_once_its_style_changes():
    fig = attainment_figure(twenty_bars()[:2], title="Цели", no_data=NO_DATA, legend=LEGEND)
    renderer = fig.renderer
    (label, *_) = texts(fig, "row-label")
    before = label.width_px(renderer)
    assert before == label.get_window_extent(renderer).width
    label.set_fontsize(label.get_fontsize() * 2)  # the same string, twice the size
    after = label.width_px(renderer)
    assert after == label.get_window_extent(renderer).width
    assert after > 1.8 * before


def test_text_cache_stays_within_its_bytes_and_evicts_the_oldest(monkeypatch):
    cache = chart_text.TextCache(max_bytes=3 * (100 + chart_text.TextCache.ENTRY_OVERHEAD))
    laid = (1.0, 1.0, 0.0, np.zeros(100, np.uint8), 0.0, 0.0)
    for key in ("a", "b", "c"):
        cache.put((key,), laid)
    assert cache.get(("a",)) is laid  # now the most recent
    cache.put(("d",), laid)
    assert cache.get(("b",)) is None and cache.get(("a",)) is laid and len(cache) == 3
    assert cache.nbytes <= cache.max_bytes

    small = chart_text.TextCache(max_bytes=20_000)  # far less than one attainment chart needs
    monkeypatch.setattr(chart_text, "TEXT_CACHE", small)
    bars = twenty_bars()
    png = attainment_chart(bars, title="Цели", no_data=NO_DATA, legend=LEGEND)
    assert 0 < small.nbytes <= small.max_bytes
    monkeypatch.undo()
    assert png == attainment_chart(bars, title="Цели", no_data=NO_DATA, legend=LEGEND)


@settings(max_examples=15, deadline=None)
@given(
    hs.lists(
        hs.tuples(
            # A KPI name is never blank; a blank one would draw no text to check.
            hs.text(alphabet=ALPHABET, min_size=1, max_size=60).filter(str.strip),
            hs.one_of(hs.none(), hs.floats(-50, 5000, allow_nan=False)),
            hs.sampled_from(list(Status)),
        ),
        min_size=1,
        max_size=25,
    )
)
@example([("Щ" * 60, 50.0, Status.ON_TRACK), ("Ж" * 60, None, Status.NO_DATA)])
def test_any_bars_keep_labels_apart(rows):
    bars = [AttainmentBar(label, pct, status, "1 / 2") for label, pct, status in rows]
    fig = attainment_figure(bars, title="Цели", no_data=NO_DATA, legend=LEGEND)
    assert_apart(fig, "row-label")


def test_numbers_use_the_readers_decimal_sign():
    """"98,5 %" in a Russian digest, "98.5 %" in an English one; thousands by a thin space."""
    groups = [PeopleGroup("SLA", [98.5, 12500.0], "%")]
    for decimal, shown in ((",", "98,5\u00a0%"), (".", "98.5\u00a0%")):
        fig = people_figure(["Аня", "Бо"], groups, title="t", no_data="—", decimal=decimal)
        drawn = [t.get_text() for t in texts(fig)]
        # one column, one precision (issue 12): 12 500 gets 98,5's decimal
        assert shown in drawn and f"12\u202f500{decimal}0\u00a0%" in drawn
    series = [TrendSeries("ER", [1.25, 2.5], 3.75, "%")]
    fig = trend_figure(["1", "2"], series, title="t", no_data="—", target_label="цель", decimal=",")
    drawn = " ".join(t.get_text() for t in texts(fig))
    assert "2,50\u00a0%" in drawn and "цель: 3,75\u00a0%" in drawn  # one precision


def test_numbers_side_by_side_share_one_precision():
    # 86.96 rounds to 87: «87 %», never «87,0 %» next to the target's «80 %»
    series = [TrendSeries("SLA", [70.0, 86.96], 80.0, "%")]
    fig = trend_figure(MONTHS[:2], series, title="Т", no_data=NO_DATA, target_label="цель")
    labels = [t.get_text() for t in texts(fig)]
    assert "87\u00a0%" in labels and "цель: 80\u00a0%" in labels
    # a value that needs a decimal gives it to its neighbour too: «87.5 %» and «80.0 %»
    series = [TrendSeries("SLA", [70.0, 87.5], 80.0, "%")]
    fig = trend_figure(MONTHS[:2], series, title="Т", no_data=NO_DATA, target_label="цель")
    labels = [t.get_text() for t in texts(fig)]
    assert "87.5\u00a0%" in labels and "цель: 80.0\u00a0%" in labels
    groups = [PeopleGroup("SLA", [100.0, 87.5, 90.0], "%")]
    fig = people_figure(["А", "Б", "В"], groups, title="В", no_data=NO_DATA)
    values = {t.get_text() for t in texts(fig)}
    assert {"100.0\u00a0%", "87.5\u00a0%", "90.0\u00a0%"} <= values
