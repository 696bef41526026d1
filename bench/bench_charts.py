"""Render time and PNG size of each digest chart at the size sent to Telegram.

Realistic worst case: 20 KPIs, 12 people with long Russian names, 12 periods. Prints the
median and p95 of the whole call (figure + draw + PNG), the median with the text cache
emptied before every call (a chart whose strings were never seen: the worst case for a
digest), then where the time goes: building the figure (which measures the layout-deciding
texts) versus drawing and encoding, and how many glyphs were drawn.

Usage: python bench/bench_charts.py [-n 30] [--out DIR] [--profile attainment|trend|people]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import matplotlib
from matplotlib.text import Text

from kpi import chart_render, chart_text
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

KPI_NAMES = [
    "Лиды из соцсетей",
    "Публикации",
    "Охват публикаций",
    "Вовлечённость (ER)",
    "Новые подписчики",
    "Ответы в срок (SLA)",
    "Среднее время ответа",
    "Сторис",
    "Рилсы и короткие видео",
    "Рекламный бюджет",
    "Стоимость лида",
    "Клики по ссылкам",
    "Упоминания бренда",
    "Отзывы",
    "Заявки с сайта после публикаций в Telegram-канале",
    "Комментарии",
    "Репосты",
    "Прямые эфиры",
    "Коллаборации с блогерами",
    "Рассылки",
]
PEOPLE = [
    "Анна Смирнова",
    "Константин Вознесенский-Щербаков",
    "Мария Иванова",
    "Пётр Кузнецов",
    "Екатерина Александровна Преображенская",
    "Олег Попов",
    "Юлия Соколова",
    "Дмитрий Лебедев",
    "Светлана Новикова",
    "Alexander Montgomery-Smith",
    "Ирина Морозова",
    "Никита Волков",
]
STATUSES = [Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK, Status.TOO_EARLY]
LEGEND = {
    Status.ON_TRACK: "в графике",
    Status.AT_RISK: "под угрозой",
    Status.OFF_TRACK: "отстаём",
    Status.TOO_EARLY: "рано судить",
    Status.NO_DATA: "нет данных",
}


def attainment_args() -> tuple[tuple, dict]:
    bars = []
    for i, name in enumerate(KPI_NAMES):
        pct = None if i in (5, 13) else [41.0, 87.5, 104.0, 260.0, 12.0, 133.0, 0.0][i % 7]
        target = 120 + 10 * i
        caption = "—" if pct is None else f"{round(target * pct / 100)} / {target}"
        bars.append(
            AttainmentBar(
                name, pct, STATUSES[i % 4] if pct is not None else Status.NO_DATA, caption
            )
        )
    return (bars,), {
        "title": "Выполнение целей · неделя 12–18 мая",
        "no_data": "нет данных",
        "legend": LEGEND,
    }


def trend_args() -> tuple[tuple, dict]:
    months = [
        "июн 25",
        "июл 25",
        "авг 25",
        "сен 25",
        "окт 25",
        "ноя 25",
        "дек 25",
        "янв 26",
        "фев 26",
        "мар 26",
        "апр 26",
        "май 26",
    ]
    series = [
        TrendSeries("Лиды", [30, 42, None, 51, 48, 60, 72, 66, None, 80, 91, 97], 90, ""),
        TrendSeries("Публикации", [20, 22, 25, 19, 24, 30, 28, 31, 27, 33, 35, 29], 30, ""),
        TrendSeries("Ответы в срок", [88, 91.5, 79, 95, 97, 93, 90, 99, 96, 94, 98, 92.5], 95, "%"),
        TrendSeries(
            "Рекламный бюджет",
            [
                120000,
                95000,
                130000,
                142000,
                110000,
                98000,
                150000,
                160500,
                145000,
                139000,
                171000,
                168000,
            ],
            None,
            "₽",
        ),
    ]
    return (months, series), {
        "title": "Динамика за 12 месяцев",
        "no_data": "нет данных",
        "target_label": "цель",
    }


def people_args() -> tuple[tuple, dict]:
    leads = [31, 12, 25, None, 40, 7, 18, 22, 0, 15, 9, 27]
    posts = [12, 30, 8, 14, 11, 9, 20, 6, 13, 17, None, 10]
    sla = [98.5, 91, 100, 75, 88, None, 96, 99, 93.2, 80, 97, 100]
    groups = [
        PeopleGroup("Лиды", leads, ""),
        PeopleGroup("Публикации", posts, ""),
        PeopleGroup("Ответы в срок", sla, "%"),
    ]
    return (PEOPLE, groups), {"title": "Вклад команды · май 2026", "no_data": "нет данных"}


CHARTS: dict[str, tuple[Callable[..., bytes], Callable[[], tuple[tuple, dict]]]] = {
    "attainment": (attainment_chart, attainment_args),
    "trend": (trend_chart, trend_args),
    "people": (people_chart, people_args),
}
FIGURES = {"attainment": attainment_figure, "trend": trend_figure, "people": people_figure}


def cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            return next(ln.split(":", 1)[1].strip() for ln in info if ln.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def median_ms(func: Callable[[], object], n: int) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def forget() -> None:
    """Empty the text caches: the next chart's strings have never been seen."""
    chart_text.TEXT_CACHE.clear()
    chart_text.LAYOUTS.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=30, help="timed renders per chart")
    parser.add_argument("--out", type=Path, help="also save one PNG of each chart here")
    parser.add_argument("--profile", choices=CHARTS, help="cProfile one chart instead")
    args = parser.parse_args()
    print(
        f"matplotlib {matplotlib.__version__}, Python {platform.python_version()}, {cpu()}, "
        f"{os.cpu_count()} CPUs, N={args.n} after 3 warm-ups"
    )
    if args.profile:
        func, make = CHARTS[args.profile]
        a, kw = make()
        func(*a, **kw)
        with cProfile.Profile() as prof:
            for _ in range(args.n):
                func(*a, **kw)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
        return
    for name, (func, make) in CHARTS.items():
        a, kw = make()
        for _ in range(3):
            png = func(*a, **kw)
        times = []
        for _ in range(args.n):
            start = time.perf_counter()
            png = func(*a, **kw)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        cold = median_ms(lambda: (forget(), func(*a, **kw)), args.n)  # noqa: B023
        fig = FIGURES[name](*a, **kw)
        build = median_ms(lambda: FIGURES[name](*a, **kw), max(5, args.n // 3))  # noqa: B023
        finish = median_ms(lambda: chart_render.to_png(fig), max(5, args.n // 3))  # noqa: B023
        drawn = [t.get_text() for t in fig.findobj(Text) if t.get_visible()]
        glyphs = sum(len(t.replace("\n", "").replace(" ", "")) for t in drawn)
        width, height = int(fig.bbox.width), int(fig.bbox.height)  # as Agg truncates
        print(
            f"{name:<11} median {statistics.median(times):5.1f} ms  p95 {p95:5.1f} ms  "
            f"cold {cold:5.1f} ms  "
            f"PNG {len(png) / 1024:5.1f} KiB {width}x{height}  "
            f"[build+measure {build:.0f} ms, draw+encode {finish:.0f} ms, {glyphs} glyphs]"
        )
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"{name}.png").write_bytes(png)


if __name__ == "__main__":
    main()
