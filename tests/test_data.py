"""Issue 5, data safety: /export to CSV, `kpibot import` from it, online backups and restore."""

from __future__ import annotations

import asyncio
import codecs
import csv
import io
import shutil
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

from bot.__main__ import main
from bot.clock import FixedClock
from bot.config import Settings
from bot.csvio import COLUMNS, CsvEntry, read_csv, write_csv
from bot.scheduler import Digests, backup_if_due, create_scheduler
from bot.texts import number
from kpi.models import MetricKind, Period, PeriodKind
from storage.backup import backup, newest
from storage.repository import Repository
from storage.targets import custom_metric
from tests.fake_telegram import FakeTelegram, Sent
from tests.harness import BotHarness

GROUP, OTHER = -1005005, -1006006
NOTE = 'Из рассылки, "весенняя"\nакция'
SUMMED = ("leads", "posts", "views", "revenue")
HISTORY = Period(PeriodKind.CUSTOM, date(2026, 1, 1), date(2026, 11, 1))


async def _team(harness: BotHarness, chat_id: int = GROUP, title: str = "SMM"):
    fake = harness.fake
    boss = fake.user(1, "Ольга", username="olga")
    anya = fake.user(2, "Аня", username="anya")
    group = fake.group(chat_id, title)
    fake.set_admins(chat_id, [1])
    await harness.say(group, boss, "/kpi")  # the bot meets the team and its manager
    return group, boss, anya


def _file(sent: Sent) -> bytes:
    (data,) = sent.files.values()  # the one uploaded part, whatever aiogram named it
    return data


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


async def _export(harness: BotHarness, chat, user, args: str = ""):
    mark = harness.fake.mark()
    harness.fake.send_message(chat, user, f"/export {args}".strip())
    return (await harness.fake.wait_sent(1, since=mark, chat_id=chat["id"]))[0]


async def test_manager_exports_a_csv_excel_opens(harness: BotHarness):
    group, boss, anya = await _team(harness)
    await harness.say(group, anya, f"/lead 2 вчера {NOTE}")
    await harness.say(group, anya, "/resp 1ч30м")
    await harness.say(group, boss, "/post 1 vk")
    await harness.say(group, boss, "/lead 7")
    await harness.say(group, boss, "/undo")  # deleted entries stay out of the export

    sent = await _export(harness, group, boss)
    assert sent.method == "sendDocument"
    data = _file(sent)
    assert data.startswith(codecs.BOM_UTF8)
    rows = _csv_rows(data)
    assert tuple(rows[0]) == COLUMNS
    assert [(r["date"], r["person"], r["metric"], r["value"], r["platform"], r["note"])
            for r in rows] == [
        ("2026-11-19", "Аня", "leads", "2", "", NOTE),
        ("2026-11-20", "Аня", "response_time", "90", "", ""),
        ("2026-11-20", "Ольга", "posts", "1", "vk", ""),
    ]  # fmt: skip
    assert rows[0]["person_id"] == "2" and rows[0]["username"] == "anya"
    assert rows[0]["entry_id"].isdigit() and rows[0]["created_at"].startswith("2026-11-20T12:00")
    assert sent.message["document"]["file_name"] == "kpi-smm-2026-11-19-2026-11-20.csv"
    assert "всё время · 3 записи" in str(sent.text)

    sent = await _export(harness, group, boss, "month @anya")
    assert [r["metric"] for r in _csv_rows(_file(sent))] == ["leads", "response_time"]
    assert sent.message["document"]["file_name"] == "kpi-smm-2026-11-01-2026-11-30.csv"
    sent = await _export(harness, harness.fake.private_chat(boss), boss, "week")  # private: ok
    assert sent.method == "sendDocument" and len(_csv_rows(_file(sent))) == 3


async def test_export_is_for_managers_only(harness: BotHarness):
    group, _, anya = await _team(harness)
    fake = harness.fake
    await harness.say(group, anya, "/lead 3 секретная заметка")
    assert "менеджеры" in await harness.say(group, anya, "/export")
    assert "менеджеры" in await harness.say(fake.private_chat(anya), anya, "/export")
    stranger = fake.user(9, "Чужой")
    reply = await harness.say(fake.private_chat(stranger), stranger, "/export")
    assert "не в команде" in reply and "секрет" not in reply and "SMM" not in reply
    assert not [c for c in fake.calls if c.method == "sendDocument"]


def _history(n: int, *, bad: int | None = None) -> tuple[bytes, dict[str, float]]:
    """n rows over Jan–Oct 2026 by 12 people; `bad`: the file line whose value is negative."""
    rows, totals = [], dict.fromkeys(SUMMED, 0.0)
    for i in range(n):
        metric = (*SUMMED, "response_time")[i % 5]
        value = i % 17 + (0.25 if metric in ("revenue", "response_time") else 0)
        if bad is not None and i + 2 == bad:  # the header is line 1
            value = -3
        elif metric in totals:
            totals[metric] += value
        day = HISTORY.start + timedelta(days=i % HISTORY.days)
        note = "партия, «тест»" if i % 9 == 0 else None
        rows.append(CsvEntry(day, 500 + i % 12, f"Сотрудник {i % 12}", metric, value, note=note))
    return write_csv(rows), totals


def _cli(*argv: object) -> int:
    return main([str(a) for a in argv])


async def test_import_10000_rows_in_one_transaction(harness: BotHarness, tmp_path, capsys):
    group, boss, _ = await _team(harness)
    data, totals = _history(10_000)
    source = tmp_path / "history.csv"
    source.write_bytes(data)
    db = harness.db_path
    before = await harness.entries(GROUP)
    job = asyncio.create_task(
        asyncio.to_thread(_cli, "import", source, "--team", GROUP, "--db", db)
    )
    seen = set()
    while not job.done():  # the running bot reads meanwhile: all or nothing, never a part
        seen.add(await harness.entries(GROUP))
        await asyncio.sleep(0.002)
    assert await job == 0, capsys.readouterr()
    assert "imported 10000 entries" in capsys.readouterr().out
    assert seen <= {before, before + 10_000}
    assert await harness.entries(GROUP) == before + 10_000
    for metric, total in totals.items():
        assert await harness.repo.entries.total(GROUP, metric, HISTORY) == pytest.approx(total)
    # New to the bot, so added by name, but not a member: the file did not ask for it.
    assert await harness.repo.teams.membership(GROUP, 511) is None
    assert (await harness.repo.teams.person(511)).full_name == "Сотрудник 11"
    reply = await harness.say(group, boss, "/kpi 01.01..31.10")
    assert f"Лиды: <b>{number(totals['leads'], 'ru')}</b>" in reply


async def test_one_bad_line_imports_nothing(harness: BotHarness, tmp_path, capsys):
    await _team(harness)
    data, _ = _history(10_000, bad=5000)
    source = tmp_path / "history.csv"
    source.write_bytes(data)
    code = await asyncio.to_thread(_cli, "import", source, "--team", GROUP, "--db", harness.db_path)
    err = capsys.readouterr().err
    assert code == 1
    assert f"{source}:5000: value: -3 is negative" in err.splitlines()
    assert "nothing imported" in err and await harness.entries(GROUP) == 0

    code = await asyncio.to_thread(_cli, "import", source, "--team", -42, "--db", harness.db_path)
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "no team -42" in err


def test_read_csv_reports_every_problem_by_line():
    custom = {"stories": custom_metric("stories", MetricKind.COUNTER, "Сторис")}
    lines = [
        "date,person_id,person,metric,value,platform,note",
        "2026-11-01,7,Аня,stories,2,vk,ok",  # a team's own metric
        '20.11.2026,7,Аня,лиды,"1 500",,Excel\'s date and grouping',
        "2026-11-01,7,Аня,reels,2,,",
        "2026-11-01,7,Аня,leads,много,,",
        "2026-11-01,7,Аня,leads,1.5,,",
        "2026-11-01,7,Аня,posts,5000,,",
        "2026-02-30,7,Аня,leads,1,,",
        "2026-11-21,7,Аня,leads,1,,",
        "2026-11-01,x,Аня,leads,1,,",
        f"2026-11-01,7,Аня,leads,1,,{'я' * 501}",
        "2026-11-01,7,Аня,leads,1,,bell\x07",
        "2026-11-01,7,Аня,leads,1,myspace,",
        "2026-11-01,7,Аня,leads,1",
    ]
    result = read_csv("\n".join(lines).encode(), date(2026, 11, 20), custom)
    assert [(r.line, r.metric, r.value) for r in result.rows] == [
        (2, "stories", 2), (3, "leads", 1500)]  # fmt: skip
    reasons = dict(result.errors)
    assert sorted(reasons) == list(range(4, 15))
    for line, words in {
        4: "unknown metric", 5: "not a number", 6: "not a whole number", 7: "over the maximum",
        8: "not a date", 9: "in the future", 10: "not a Telegram user id",
        11: "longer than 500", 12: "control characters", 13: "unknown platform", 14: "columns",
    }.items():  # fmt: skip
        assert words in reasons[line], (line, reasons[line])
    semicolons = "\ufeffdate;person_id;metric;value\n01.11.2026;7;response_time;1ч 30м\n"
    assert read_csv(semicolons.encode(), date(2026, 11, 20)).rows[0].value == 90


async def test_export_then_import_into_a_fresh_team(harness: BotHarness, tmp_path, capsys):
    group, boss, anya = await _team(harness)
    for text in ("/lead 3 30.10 =SUM(A1) не формула", f"/lead 2 {NOTE}", "/sale 2 15 000",
                 "/resp 15m 40m", "/log followers 20 450 vk", "/post 1 вчера"):  # fmt: skip
        await harness.say(group, anya, text)
    source = tmp_path / "export.csv"
    source.write_bytes(_file(await _export(harness, group, boss)))
    assert "'=SUM(A1)" in source.read_text(encoding="utf-8-sig")  # no formula in Excel
    await _team(harness, OTHER, "Новая команда")
    db = harness.db_path
    assert await asyncio.to_thread(_cli, "import", source, "--team", OTHER, "--db", db) == 0
    metrics = {"leads", "sales", "revenue", "posts", "response_time", "followers"}
    everything = Period(PeriodKind.CUSTOM, date(2026, 1, 1), date(2026, 12, 1))
    here = await harness.repo.entries.export_rows(OTHER)
    assert [(e.note, e.platform) for e, _, _ in here if e.note or e.platform] == [
        ("=SUM(A1) не формула", None), (NOTE, None), (None, "vk")]  # fmt: skip
    for metric in metrics:
        assert await harness.repo.entries.total(OTHER, metric, everything) == (
            await harness.repo.entries.total(GROUP, metric, everything)
        )
    # Аня is known to the bot (a member of GROUP): her rows do not make her one of OTHER.
    assert await harness.repo.teams.membership(OTHER, 2) is None
    # The same file again, into either team, changes nothing: every row is already there.
    for team in (GROUP, OTHER):
        before = await harness.repo.entries.count(include_deleted=True)
        capsys.readouterr()
        assert await asyncio.to_thread(_cli, "import", source, "--team", team, "--db", db) == 0
        assert "nothing new to import" in capsys.readouterr().out
        assert await harness.repo.entries.count(include_deleted=True) == before


async def test_backup_while_writing_then_restore(fake: FakeTelegram, tmp_path, capsys):
    first = BotHarness(fake, tmp_path / "live.sqlite3")
    await first.start()
    try:
        group, _, anya = await _team(first)
        await first.say(group, anya, "/lead 5")

        stop = asyncio.Event()

        async def write() -> None:  # one entry per transaction until told to stop
            i = 0
            while not stop.is_set():
                await first.repo.entries.save(GROUP, 2, [("posts", 1.0)], date(2026, 11, 20),
                                              first.clock.now(), note=f"#{i}")  # fmt: skip
                i += 1

        async def count_reaches(n: int) -> None:
            while await first.entries(GROUP) < n:
                await asyncio.sleep(0.005)

        writer = asyncio.create_task(write())
        await count_reaches(30)
        folder = tmp_path / "backups"
        args = ("backup", folder, "--db", first.db_path)
        assert await asyncio.to_thread(_cli, *args) == 0
        await count_reaches(await first.entries(GROUP) + 5)  # still writing after the copy
        stop.set()
        await writer
        live = await first.entries(GROUP)
    finally:
        await first.stop()
    copy = Path(capsys.readouterr().out.strip())
    assert copy.parent == folder and copy.name.startswith("kpi-")
    with sqlite3.connect(f"{copy.as_uri()}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file
    fresh = tmp_path / "restored" / "kpi.sqlite3"  # the restore procedure: copy over the path
    fresh.parent.mkdir()
    shutil.copy(copy, fresh)

    restored = await Repository.open(copy)
    try:
        saved = await restored.entries.count(GROUP)
        assert 30 <= saved < live
        notes = [e.note for e, _, _ in await restored.entries.export_rows(GROUP) if e.note]
        assert notes == [f"#{i}" for i in range(saved - 1)]  # a snapshot: no gaps, no halves
        november = Period(PeriodKind.MONTH, date(2026, 11, 1), date(2026, 12, 1))
        assert await restored.entries.total(GROUP, "leads", november) == 5
    finally:
        await restored.close()

    second = BotHarness(fake, fresh)
    await second.start()
    try:
        assert await second.entries(GROUP) == saved
        assert "Лиды: <b>5</b>" in await second.say(group, anya, "/kpi")
    finally:
        await second.stop()


async def test_backups_keep_the_newest_and_run_when_due(tmp_path):
    repo = await Repository.open(tmp_path / "kpi.sqlite3")
    await repo.close()
    folder, start = tmp_path / "b", datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    for hour in range(5):
        await backup(tmp_path / "kpi.sqlite3", folder, start + timedelta(hours=hour), keep=3)
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"kpi-20261120-0{h}0000.sqlite3" for h in (5, 6, 7)]
    assert newest(folder) == start + timedelta(hours=4)

    clock, day = FixedClock(start + timedelta(hours=5)), timedelta(hours=24)
    job = (tmp_path / "kpi.sqlite3", folder, clock, day, 3)
    assert await backup_if_due(*job) is None  # the newest one is an hour old
    clock.moment = start + timedelta(hours=28)
    assert await backup_if_due(*job) == folder / "kpi-20261121-070000.sqlite3"
    assert len(list(folder.iterdir())) == 3


def test_scheduler_backs_up_only_when_backup_dir_is_set(tmp_path, monkeypatch):
    settings = Settings(_env_file=None, bot_token="1:x")  # type: ignore[call-arg]
    clock = FixedClock(datetime(2026, 11, 20, tzinfo=UTC))
    digests = cast(Digests, SimpleNamespace(tick=lambda: None, clock=clock))
    assert create_scheduler(digests, settings, "kpi.sqlite3").get_job("backup") is None
    settings.backup_dir = tmp_path / "b"
    assert create_scheduler(digests, settings, ":memory:").get_job("backup") is None
    assert create_scheduler(digests, settings, "kpi.sqlite3").get_job("backup") is not None
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BACKUP_DIR", raising=False)
    assert _cli("backup", "--db", tmp_path / "kpi.sqlite3") == 2  # where to?
