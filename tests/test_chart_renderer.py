"""Charts are rendered one digest at a time, and matplotlib loads only when one is drawn."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

import bot.digest
import kpi.charts
from bot.digest import ChartRenderer
from tests.harness import BotHarness
from tests.processes import ROOT

MONDAY_10_01 = datetime(2026, 11, 23, 7, 1, tzinfo=UTC)  # the weekly digest is due in Moscow
GROUPS = (-1004301, -1004302, -1004303, -1004304, -1004305)


class Overlap:
    """Wraps a job and records the most calls that were running at once."""

    def __init__(self, job):
        self.job = job
        self.running = self.most = self.calls = 0
        self.lock = threading.Lock()

    def __call__(self, *args):
        with self.lock:
            self.running += 1
            self.calls += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(0.02)  # long enough for a second lane to arrive meanwhile
            return self.job(*args)
        finally:
            with self.lock:
                self.running -= 1


async def test_renderer_runs_one_job_at_a_time_in_order():
    renderer = ChartRenderer()
    job = Overlap(lambda x: x * 2)
    try:
        results = await asyncio.gather(*(renderer.run(job, i) for i in range(6)))
    finally:
        renderer.close()
    assert results == [0, 2, 4, 6, 8, 10] and job.most == 1
    assert await renderer.run(job, 21) == 42  # after close: a new thread, for a restarted bot
    renderer.close()


async def test_fan_out_renders_one_digest_at_a_time(harness: BotHarness, monkeypatch):
    fake = harness.fake
    anya = fake.user(31, "Аня", username="anya", language_code="ru")
    harness.clock.moment = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    for chat_id in GROUPS:
        group = fake.group(chat_id, f"Команда {chat_id}")
        fake.set_admins(chat_id, [31])
        await harness.say(group, anya, "/lead 12")
    render = Overlap(bot.digest._render)
    monkeypatch.setattr(bot.digest, "_render", render)
    harness.clock.moment = MONDAY_10_01
    mark = len(fake.calls)
    await harness.digests.tick()
    albums = [c for c in fake.calls[mark:] if c.method == "sendMediaGroup" and c.status == 200]
    assert sorted(int(c.params["chat_id"]) for c in albums) == sorted(GROUPS)
    assert render.calls == len(GROUPS) and render.most == 1


async def test_the_chart_thread_is_warmed_minutes_before_a_digest_falls_due(
    harness: BotHarness, monkeypatch
):
    fake = harness.fake
    anya = fake.user(31, "Аня", username="anya", language_code="ru")
    harness.clock.moment = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    group = fake.group(GROUPS[0], "Команда")
    fake.set_admins(GROUPS[0], [31])
    await harness.say(group, anya, "/lead 12")
    drawn: list[str] = []

    def warm_up():  # the real drawing, noting the thread it ran in
        drawn.append(threading.current_thread().name)
        real_warm_up()

    real_warm_up = kpi.charts.warm_up
    monkeypatch.setattr(kpi.charts, "warm_up", warm_up)
    renderer, mark = harness.digests.charts, len(fake.calls)
    harness.clock.moment = MONDAY_10_01 - timedelta(minutes=11)  # 09:50 in Moscow: not yet
    await harness.digests.tick()
    assert drawn == [] and not renderer.warm
    harness.clock.moment = MONDAY_10_01 - timedelta(minutes=2)  # 09:59: due at 10:00
    await harness.digests.tick()
    await harness.digests.tick()  # warmed once
    assert len(drawn) == 1 and drawn[0].startswith("charts") and renderer.warm
    assert not [c for c in fake.calls[mark:] if c.method == "sendMediaGroup"]
    harness.clock.moment = MONDAY_10_01
    await harness.digests.tick()
    assert [c.params["chat_id"] for c in fake.calls[mark:] if c.method == "sendMediaGroup"]
    renderer.close()  # a restarted dispatcher's new thread starts cold
    assert not renderer.warm


def test_report_and_scheduled_digests_share_the_dispatchers_renderer(harness: BotHarness):
    assert isinstance(harness.dp["charts"], ChartRenderer)


@pytest.mark.parametrize("module", ["bot.factory", "bot.__main__"])
def test_start_up_does_not_import_matplotlib(module):
    check = (
        f"import sys, {module}; "
        "loaded = [m for m in ('matplotlib', 'numpy', 'kpi.charts') if m in sys.modules]; "
        "assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", check], cwd=ROOT, check=True, timeout=60)


def test_drawing_a_chart_does_not_import_matplotlibs_figure_or_axes():
    # kpi/chart_sheet.py: a Figure would bring Axes and the rest (~7.6 MiB) into the bot.
    check = (
        "import sys; from kpi.charts import people_chart, PeopleGroup; "
        "png = people_chart(['A'], [PeopleGroup('L', [1.0], '')], title='t', no_data='-'); "
        "loaded = [m for m in ('matplotlib.figure', 'matplotlib.axes') if m in sys.modules]; "
        "assert png.startswith(b'\\x89PNG') and not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", check], cwd=ROOT, check=True, timeout=60)
