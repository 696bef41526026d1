"""Hypothesis-made arguments for every command, through the real dispatcher and SQLite.

Updates go straight into `dp.feed_update` (the replies still travel to the fake over HTTP):
much faster than a round trip through getUpdates. Each input is either stored exactly as
meant or refused with a message that shows an example; never an internal error, and a
refusal leaves every table of the database as it was.

Hundreds of commands go into one group: Telegram's 20 messages a minute are lifted on both
sides (the fake and the bot's limiter), or every confirmation after the first minute would
arrive merged; tests/test_outbox.py is where the limits are tested.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from aiogram.types import Update
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.delivery import RateLimiter
from bot.parsing import BAD_NOTE_CHARS, MAX_NOTE, ParseError, parse_command
from bot.reports import team_metrics
from kpi.metrics import BUILTIN_METRICS
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram_objects import command_entities
from tests.harness import BotHarness

GROUP = -1007878
TODAY = date(2026, 11, 20)  # the harness clock's day in Moscow
BOSS, ANYA = 1, 2  # a group admin (manager) and a specialist
INTERNAL_ERROR = "Что-то пошло не так"
REFUSAL = "Пример"  # every refusal of a logging command shows an example
FAST = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

UNLIMITED = 10**6

# --- feeding updates and reading the database ------------------------------------------------


@pytest.fixture
async def harness(fake: FakeTelegram, tmp_path) -> AsyncIterator[BotHarness]:
    fake.enforce_limits(None, None)
    bot = BotHarness(fake, tmp_path / "kpi.sqlite3", limiter=RateLimiter(UNLIMITED, UNLIMITED))
    await bot.start()
    yield bot
    await bot.stop()


async def _feed(harness: BotHarness, user_id: int, text: str) -> list[str]:
    """`text` from a person in the group, through the dispatcher; the bot's replies there."""
    fake = harness.fake
    chat = fake.group(GROUP, "Команда")
    user = fake.user(user_id, "Ольга" if user_id == BOSS else "Аня", username=f"u{user_id}")
    message: dict[str, Any] = {"message_id": fake.next_message_id(GROUP), "from": user,
                               "chat": chat, "date": fake.now, "text": text}  # fmt: skip
    if entities := command_entities(text):
        message["entities"] = entities
    fake.store_message(message)  # so the bot can reply to it
    update = Update.model_validate(
        {"update_id": 10**6 + message["message_id"], "message": message},
        context={"bot": harness.bot},
    )
    mark = fake.mark()
    await harness.dp.feed_update(harness.bot, update)
    for _ in range(500):  # a confirmation is queued by the handler, sent by the outbox
        if not await harness.repo.outbox.pending():
            break
        await asyncio.sleep(0.01)
    else:
        raise AssertionError(f"confirmation of {text[:80]!r} still queued after 5 s")
    assert not fake.errors
    return [s.text or "" for s in fake.sent[mark:] if s.chat_id == GROUP]


async def _ready(harness: BotHarness) -> None:
    """Both people known to the bot, so later messages write nothing just by arriving."""
    harness.fake.set_admins(GROUP, [BOSS])
    harness.fake.set_member_status(GROUP, ANYA, "member")  # what Telegram confirms to the bot
    for user_id in (BOSS, ANYA):
        if await harness.repo.teams.membership(GROUP, user_id) is None:
            await _feed(harness, user_id, "/help")


def _tables(harness: BotHarness) -> dict[str, list[tuple]]:
    with closing(sqlite3.connect(f"file:{harness.db_path}?mode=ro", uri=True)) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        # month_totals is entries summed by triggers (tests/test_month_totals.py checks it);
        # outbox is the queue of confirmations (tests/test_outbox.py).
        names = [n for n in names if n not in ("month_totals", "outbox")]
        return {n: sorted(conn.execute(f'SELECT * FROM "{n}"'), key=repr) for n in names}


def _new_entries(harness: BotHarness, after_id: int) -> list[tuple]:
    with closing(sqlite3.connect(f"file:{harness.db_path}?mode=ro", uri=True)) as conn:
        return conn.execute(
            "SELECT metric, value, day, platform, note FROM entries WHERE id > ? ORDER BY id",
            (after_id,),
        ).fetchall()


def _last_id(harness: BotHarness) -> int:
    with closing(sqlite3.connect(f"file:{harness.db_path}?mode=ro", uri=True)) as conn:
        return int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM entries").fetchone()[0])


def _changed(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> set[str]:
    return {name for name in after if before.get(name) != after[name]}


def _refused(replies: list[str], text: str) -> None:
    assert replies and not any(r.startswith("✅") for r in replies), (text[:80], replies)
    assert REFUSAL in replies[0], (text[:80], replies)


# --- 1. logging commands with a known meaning -------------------------------------------------

SEPARATORS = (" ", "\u00a0", "\u202f")  # grouped thousands as people type them
# Meant as a number but not one: refused. After /lead (whose count is optional) only the
# number-shaped ones are: `/lead nan` is one lead with the note "nan".
NUMBER_SHAPED = ("1e308", "1e3", "1E-5", "1.2.3", "1,2,3", "12-5")
NOT_NUMBERS = (*NUMBER_SHAPED, "nan", "NaN", "inf", "-inf", "Infinity", "0x10", "--1")
DATES = {  # as typed -> the day meant, or None: no such day / in the future / too old
    "вчера": TODAY - timedelta(days=1), "yesterday": TODAY - timedelta(days=1),
    "20.11": TODAY, "19.11.2026": date(2026, 11, 19), "2026-11-01": date(2026, 11, 1),
    "01.12.25": date(2025, 12, 1), "31.02": None, "29.02.2027": None, "2026-13-01": None,
    "01.01.1900": None, "21.11": None, "2027-01-01": None,
}  # fmt: skip
DURATIONS = {"15m": 15, "1ч30м": 90, "90": 90, "1:30": 90, "2h": 120, "45мин": 45,
             "1,5ч": 90, "30s": 0.5, "0": 0, "720h": 43200, "721h": None, "1:99": None,
             "-5m": None, "99999999h": None}  # fmt: skip
NOTE_WORDS = ("из", "note", "🔥🔥", "שלום", "\u202eRTL", "'; DROP TABLE entries;--",
              "<b>жирно</b>", "&amp;", "x\x00y", "مرحبا", "１２３")  # fmt: skip
PLATFORMS = {"vk": "vk", "#inst": "inst", "TG": "tg"}


@dataclass(frozen=True)
class Meant:
    text: str
    items: list[tuple[str, float]] | None  # None: must be refused
    day: date
    platform: str | None
    note: str | None


@st.composite
def typed_number(
    draw: st.DrawFn, grouping: bool = True, odd: tuple[str, ...] = NUMBER_SHAPED
) -> tuple[str, float | None]:
    """(as typed, the value meant); None for forms the bot must refuse."""
    form = draw(st.sampled_from(["plain", "plus", "grouped", "decimal", "negative", "odd"]))
    n = draw(st.integers(0, 10**4) | st.integers(0, 10**25))
    if form == "plus":
        return f"+{n}", float(n)
    if form == "grouped" and grouping and n >= 1000:
        sep = draw(st.sampled_from(SEPARATORS))
        return f"{n:,}".replace(",", sep), float(n)
    if form == "decimal":
        return f"{n}{draw(st.sampled_from(',.'))}5", n + 0.5
    if form == "negative":
        return f"{draw(st.sampled_from('-−'))}{max(n, 1)}", -float(max(n, 1))
    if form == "odd":
        return draw(st.sampled_from(odd)), None
    return str(n), float(n)


def _fits(metric: str, value: float | None) -> bool:
    m = BUILTIN_METRICS[metric]
    return value is not None and 0 <= value <= m.max_value and (not m.integer or value % 1 == 0)


@st.composite
def logging_case(draw: st.DrawFn) -> Meant:
    kind = draw(st.sampled_from(["lead", "qlead", "post", "sale", "resp", "log"]))
    words: list[str] = []
    ok = True
    if kind == "resp":
        typed, minutes = draw(st.sampled_from(sorted(DURATIONS.items())))
        words, items = [typed], [("response_time", minutes)]
        ok = minutes is not None
    elif kind == "log":
        metric = draw(st.sampled_from(["views", "followers", "revenue", "likes"]))
        typed, value = draw(typed_number(odd=NOT_NUMBERS))
        words, items = [metric, typed], [(metric, value)]
        ok = _fits(metric, value)
    else:
        metric = {"lead": "leads", "qlead": "qualified_leads", "post": "posts", "sale": "sales"}
        count = draw(st.none() | typed_number(grouping=kind != "sale"))
        typed, value = count or ("", 1.0)
        words, items = [typed] if count else [], [(metric[kind], value)]
        ok = _fits(metric[kind], value) and (count is None or value is not None)
        if kind == "sale" and count and draw(st.booleans()):
            typed, revenue = draw(typed_number())
            words.append(typed)
            items.append(("revenue", revenue))
            ok = ok and _fits("revenue", revenue)
    day, platform = TODAY, None
    extras = []
    if draw(st.booleans()):
        typed, meant_day = draw(st.sampled_from(sorted(DATES.items())))
        extras.append(typed)
        ok, day = ok and meant_day is not None, meant_day or TODAY
    if draw(st.booleans()):
        typed, platform = draw(st.sampled_from(sorted(PLATFORMS.items())))
        extras.append(typed)
    words += draw(st.permutations(extras))
    note = None
    if draw(st.booleans()):
        long = st.sampled_from([MAX_NOTE - 1, MAX_NOTE, MAX_NOTE + 1, 4000]).map("я".__mul__)
        tail = st.text(max_size=30) | long
        note = f"{draw(st.sampled_from(NOTE_WORDS))} {draw(tail)}".strip()
        words.append(note)
        ok = ok and len(note) <= MAX_NOTE and not BAD_NOTE_CHARS.search(note)
    text = " ".join([f"/{kind}", *words])
    return Meant(text, [(m, float(v or 0)) for m, v in items] if ok else None, day, platform, note)


@FAST
@given(case=logging_case())
async def test_logged_values_round_trip_or_are_refused(harness: BotHarness, case: Meant):
    await _ready(harness)
    before, last = _tables(harness), _last_id(harness)
    replies = await _feed(harness, ANYA, case.text)
    assert not any(INTERNAL_ERROR in r for r in replies), (case.text[:80], replies)
    if case.items is None:
        _refused(replies, case.text)
        assert _tables(harness) == before
        return
    assert replies and replies[0].startswith("✅"), (case.text[:80], replies)
    day = case.day.isoformat()
    meant = [(metric, value, day, case.platform, case.note) for metric, value in case.items]
    assert _new_entries(harness, last) == meant
    assert _changed(before, _tables(harness)) == {"entries"}


# --- 2. anything at all, for every command ----------------------------------------------------

COMMANDS = ("lead", "qlead", "post", "sale", "resp", "log", "kpi", "me", "top", "target",
            "targets", "history", "undo", "remind", "report", "metric", "export")  # fmt: skip
LOGGING = {"lead", "qlead", "post", "sale", "resp", "log"}
MAY_CHANGE = {"undo": {"entries"}, "target": {"targets"}, "remind": {"users"},
              "metric": {"team_metrics"}} | {c: {"entries"} for c in LOGGING}  # fmt: skip
NASTY = st.sampled_from([
    "-1", "1e308", "nan", "inf", "−5", "99999999999999999999", "0", "1,5", "12 500", "9" * 400,
    "'; DROP TABLE entries;--", "\x00", "🔥🔥", "שלום", "\u202eRTL", "31.02", "29.02.2027",
    "00.00", "2026-13-01", "вчера", "01.01.1900", "leads", "followers", "vk", "@nobody", "@u2",
    "week", "quarter", "month", "1:99", "1ч 30м", "x" * 4096, "<b>", "&amp;", "..", "01.11..",
    "15m", "19:30", "off", "on", "add", "counter", "resp", "churn", "5%", "1h",
])  # fmt: skip
ARGS = st.one_of(
    st.text(max_size=60),
    st.lists(NASTY | st.text(max_size=8), max_size=5).map(" ".join),
)


@FAST
@given(command=st.sampled_from(COMMANDS), args=ARGS, sender=st.sampled_from([BOSS, ANYA]))
async def test_any_arguments_are_stored_or_refused(harness: BotHarness, command, args, sender):
    await _ready(harness)
    text = f"/{command} {args}".strip()[:4096]
    before, last = _tables(harness), _last_id(harness)
    custom = {k: m for k, m in (await team_metrics(harness.repo, GROUP)).items() if m.custom_name}
    replies = await _feed(harness, sender, text)
    assert replies, f"no reply to {text[:80]!r}"
    assert not any(INTERNAL_ERROR in r for r in replies), (text[:80], replies)
    changed = _changed(before, _tables(harness))
    assert changed <= MAY_CHANGE.get(command, set()), (text[:80], changed)
    if command not in LOGGING:
        return
    parts = text.split(maxsplit=1)  # as aiogram's CommandObject splits it
    try:
        parsed = parse_command(command, parts[1] if len(parts) > 1 else None, TODAY, custom)
    except ParseError:
        _refused(replies, text)
        assert not changed
        return
    day = parsed.day.isoformat()
    meant = [(i.metric, i.value, day, parsed.platform, parsed.note) for i in parsed.items]
    assert _new_entries(harness, last) == meant, text[:80]
    assert replies[0].startswith("✅"), (text[:80], replies)
