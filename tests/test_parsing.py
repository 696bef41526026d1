"""Command arguments: numbers, durations, dates, notes — accepted forms and refusals."""

from __future__ import annotations

import contextlib
import math
import re
import time
from datetime import date
from pathlib import Path

import pytest
from fluent.runtime import FluentBundle, FluentResource
from fluent.syntax import FluentParser
from fluent.syntax.ast import Junk, Message
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parsing import (
    MAX_BACK_DAYS,
    MAX_NOTE,
    ParsedEntry,
    ParsedLog,
    ParseError,
    parse_command,
    parse_day,
    parse_duration_tokens,
    parse_number,
)
from kpi.metrics import BUILTIN_METRICS, PLATFORMS
from kpi.models import Metric, MetricKind

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 22)  # a Sunday
NEW_YEAR = date(2026, 1, 2)
CUSTOM = {
    "stories": Metric("stories", MetricKind.COUNTER, 1_000, custom_name="Сторис"),
    "first_reply": Metric("first_reply", MetricKind.DURATION, 600, integer=False, custom_name="1"),
}
COMMANDS = ("lead", "qlead", "post", "sale", "resp", "log")


def refused(call, *args) -> ParseError:
    with pytest.raises(ParseError) as error:
        call(*args)
    return error.value


# --- numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "value"),
    [("3", 3), ("+3", 3), ("0", 0), ("1,5", 1.5), ("1.5", 1.5), (" 7 ", 7), ("12 500", 12500),
     ("12\u00a0500", 12500), ("12\u202f500", 12500), ("12\u2009500", 12500),
     ("1 234 567,5", 1234567.5), ("+1 000", 1000), ("99999999999999999999", 1e20)],
)  # fmt: skip
def test_numbers(token, value):
    assert parse_number(token) == value


@pytest.mark.parametrize(
    ("token", "code"),
    [("abc", "not-a-number"), ("nan", "not-a-number"), ("NaN", "not-a-number"),
     ("inf", "not-a-number"), ("-inf", "not-a-number"), ("Infinity", "not-a-number"),
     ("1e9", "not-a-number"), ("1E9", "not-a-number"), ("", "not-a-number"),
     ("   ", "not-a-number"), ("1,2,3", "not-a-number"), ("12 50", "not-a-number"),
     ("1234 567", "not-a-number"), ("12  500", "not-a-number"), ("١٢", "not-a-number"),
     ("0x10", "not-a-number"), ("3 шт", "not-a-number"), ("-3", "value-negative"),
     ("\u22123", "value-negative"), ("-1 500", "value-negative"), ("9" * 400, "number-too-large")],
)  # fmt: skip
def test_bad_numbers(token, code):
    assert refused(parse_number, token).code == code


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 10**15),
    st.sampled_from([" ", "\u00a0", "\u202f", "\u2009"]),
    st.sampled_from(["", ",5", ".25"]),
)
def test_number_round_trips_grouped_integers(n, sep, fraction):
    text = f"{n:,}".replace(",", sep) + fraction
    expected = n + (float("0." + fraction[1:]) if fraction else 0)
    assert parse_number(text) == pytest.approx(expected, rel=1e-15)


# --- durations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("15m", [15]), ("15м", [15]), ("15мин", [15]), ("15 мин", [15]), ("15 мин.", [15]),
     ("2h", [120]), ("2ч", [120]), ("1.5h", [90]), ("1,5ч", [90]), ("1,5 ч", [90]),
     ("1h30m", [90]), ("1ч30м", [90]), ("1ч 30м", [90]), ("1 ч 30 мин", [90]), ("1ч30", [90]),
     ("1H30M", [90]), ("90", [90]), ("0", [0]), ("1:30", [90]), ("0:05", [5]), ("1d", [1440]),
     ("1д", [1440]), ("2 дня", [2880]), ("30s", [0.5]), ("30с", [0.5]), ("30 сек", [0.5]),
     ("15m, 1h30m 40", [15, 90, 40]), ("15m,40", [15, 40]), ("15m ,40", [15, 40]),
     ("1ч, 30м", [60, 30]), ("2h 15", [120, 15]), ("15m; 40", [15, 40]), ("", [])],
)  # fmt: skip
def test_durations(text, minutes):
    assert parse_duration_tokens(text.split()) == minutes


@pytest.mark.parametrize(
    "text", ["abc", "15x", "1:75", "мин", "15m abc", "1e3", "-5m", "1ч30м40", "15 s", "m15"]
)
def test_bad_durations(text):
    assert refused(parse_duration_tokens, text.split()).code == "bad-duration"


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "today", "expected"),
    [("сегодня", TODAY, TODAY), ("Today", TODAY, TODAY), ("вчера", TODAY, date(2026, 11, 21)),
     ("yesterday", TODAY, date(2026, 11, 21)), ("позавчера", TODAY, date(2026, 11, 20)),
     ("20.11", TODAY, date(2026, 11, 20)), ("22.11", TODAY, TODAY),
     ("20.11.2026", TODAY, date(2026, 11, 20)), ("20.11.26", TODAY, date(2026, 11, 20)),
     ("2026-11-20", TODAY, date(2026, 11, 20)), ("01.01", TODAY, date(2026, 1, 1)),
     ("21.11.2025", TODAY, date(2025, 11, 21)),  # exactly 366 days back
     # around the new year: a dd.mm far ahead is last year's
     ("30.12", NEW_YEAR, date(2025, 12, 30)), ("31.12", NEW_YEAR, date(2025, 12, 31)),
     ("01.01", NEW_YEAR, date(2026, 1, 1)), ("02.01", NEW_YEAR, NEW_YEAR),
     ("02.07", NEW_YEAR, date(2025, 7, 2)), ("31.12.25", NEW_YEAR, date(2025, 12, 31)),
     ("позавчера", NEW_YEAR, date(2025, 12, 31)), ("29.02", date(2028, 3, 1), date(2028, 2, 29)),
     ("29.02.2024", date(2025, 1, 10), date(2024, 2, 29)),
     # not dates at all: the caller reads them as something else
     ("заметка", TODAY, None), ("1.5", TODAY, None), ("12", TODAY, None), ("tg", TODAY, None),
     ("20/11", TODAY, None), ("2026-1-5", TODAY, None), ("20.11.", TODAY, None)],
)  # fmt: skip
def test_dates(token, today, expected):
    assert parse_day(token, today) == expected


@pytest.mark.parametrize(
    ("token", "today", "code"),
    [("23.11", TODAY, "date-future"), ("30.12", TODAY, "date-future"),
     ("2026-11-23", TODAY, "date-future"), ("20.11.99", TODAY, "date-future"),
     ("03.01", NEW_YEAR, "date-future"), ("01.07", NEW_YEAR, "date-future"),  # 180 days ahead
     ("31.02", TODAY, "date-invalid"), ("29.02", TODAY, "date-invalid"),
     ("00.00", TODAY, "date-invalid"), ("2026-13-01", TODAY, "date-invalid"),
     ("0000-01-01", TODAY, "date-invalid"), ("32.12.2025", NEW_YEAR, "date-invalid"),
     ("20.11.2025", TODAY, "date-too-old"), ("01.01.2024", TODAY, "date-too-old"),
     ("01.01.1900", TODAY, "date-too-old"), ("31.12.2024", NEW_YEAR, "date-too-old")],
)  # fmt: skip
def test_bad_dates(token, today, code):
    assert refused(parse_day, token, today).code == code


# --- whole commands -------------------------------------------------------------------------

Y = date(2026, 11, 21)
L = "leads"


@pytest.mark.parametrize(
    ("command", "args", "items", "day", "platform", "note"),
    [("lead", None, [(L, 1)], TODAY, None, None),
     ("lead", "", [(L, 1)], TODAY, None, None),
     ("lead", "3", [(L, 3)], TODAY, None, None),
     ("lead", "+3", [(L, 3)], TODAY, None, None),
     ("lead", "0", [(L, 0)], TODAY, None, None),
     ("lead", "3 вчера tg из рассылки, «весна»", [(L, 3)], Y, "tg", "из рассылки, «весна»"),
     ("lead", "3 #VK 20.11", [(L, 3)], date(2026, 11, 20), "vk", None),
     ("lead", "звонок с сайта", [(L, 1)], TODAY, None, "звонок с сайта"),
     ("lead", "вчера", [(L, 1)], Y, None, None),
     ("lead", "20.11", [(L, 1)], date(2026, 11, 20), None, None),
     ("lead", "2гис звонок", [(L, 1)], TODAY, None, "2гис звонок"),
     ("lead", "3, из рассылки", [(L, 3)], TODAY, None, "из рассылки"),
     ("lead", "2 1 500 подписчиков", [(L, 2)], TODAY, None, "1 500 подписчиков"),
     ("lead", "1 200", [(L, 1200)], TODAY, None, None),  # `1 200` is one number
     ("lead", "2  из\nрассылки \t", [(L, 2)], TODAY, None, "из\nрассылки"),
     ("lead", "2 вчера вчера", [(L, 2)], Y, None, "вчера"),
     ("qlead", "2 tg", [("qualified_leads", 2)], TODAY, "tg", None),
     ("post", "2 https://t.me/x/1 анонс", [("posts", 2)], TODAY, None, "https://t.me/x/1 анонс"),
     ("post", "t.me/x/1", [("posts", 1)], TODAY, None, "t.me/x/1"),
     ("post", "1 https://vk.com/w вчера vk акция", [("posts", 1)], Y, "vk",
      "https://vk.com/w акция"),
     ("post", "1 вчера http://a.b", [("posts", 1)], Y, None, "http://a.b"),
     ("sale", "1 15 000", [("sales", 1), ("revenue", 15000)], TODAY, None, None),
     ("sale", "1 15\u00a0000", [("sales", 1), ("revenue", 15000)], TODAY, None, None),
     ("sale", "2", [("sales", 2)], TODAY, None, None),
     ("sale", "12 500", [("sales", 12), ("revenue", 500)], TODAY, None, None),
     ("sale", "1 1500,50 вчера", [("sales", 1), ("revenue", 1500.5)], Y, None, None),
     ("sale", "1 15000₽ клиент", [("sales", 1), ("revenue", 15000)], TODAY, None, "клиент"),
     ("sale", "1 15 000 руб. tg", [("sales", 1), ("revenue", 15000)], TODAY, "tg", None),
     ("sale", "20.11", [("sales", 1)], date(2026, 11, 20), None, None),
     ("sale", "1 99.90", [("sales", 1), ("revenue", 99.9)], TODAY, None, None),  # not a date
     ("sale", "1 12.10", [("sales", 1)], date(2026, 10, 12), None, None),  # a date wins
     ("sale", "1 вчера", [("sales", 1)], Y, None, None),
     ("resp", "15m", [("response_time", 15)], TODAY, None, None),
     ("resp", "15m 1ч 30м 40 #vk", [("response_time", v) for v in (15, 90, 40)], TODAY, "vk", None),
     ("resp", "15m, 1h30m 40", [("response_time", v) for v in (15, 90, 40)], TODAY, None, None),
     ("resp", "0 вчера", [("response_time", 0)], Y, None, None),
     ("resp", "40 с сайта", [("response_time", 40)], TODAY, None, "с сайта"),
     ("resp", "1:30 tg вчера жалоба", [("response_time", 90)], Y, "tg", "жалоба"),
     ("log", "followers 20 450 vk", [("followers", 20450)], TODAY, "vk", None),
     ("log", "Подписчики 100", [("followers", 100)], TODAY, None, None),
     ("log", "ОХВАТ 12\u202f500 вчера", [("views", 12500)], Y, None, None),
     ("log", "response_time 1h", [("response_time", 60)], TODAY, None, None),
     ("log", "resp 1ч 30м вчера", [("response_time", 90)], Y, None, None),
     ("log", "resp 15m 40", [("response_time", 15)], TODAY, None, "40"),
     ("log", "revenue 12 500,50", [("revenue", 12500.5)], TODAY, None, None),
     ("log", "stories 4 inst", [("stories", 4)], TODAY, "inst", None),
     ("log", "first_reply 2h", [("first_reply", 120)], TODAY, None, None)],
)  # fmt: skip
def test_commands(command, args, items, day, platform, note):
    parsed = parse_command(command, args, TODAY, CUSTOM)
    assert parsed == ParsedLog(tuple(ParsedEntry(*i) for i in items), day, platform, note)


@pytest.mark.parametrize(
    ("command", "args", "code"),
    [("lead", "1,5", "value-not-whole"), ("lead", "1.5", "value-not-whole"),
     ("lead", "-3", "value-negative"), ("lead", "\u22123", "value-negative"),
     ("lead", "1e9", "not-a-number"), ("lead", "3,5,6", "not-a-number"),
     ("lead", "100000", "value-too-large"), ("lead", "12 500", "value-too-large"),
     ("lead", "9" * 400, "number-too-large"), ("post", "1001", "value-too-large"),
     ("lead", "2 25.11", "date-future"), ("lead", "31.02", "date-invalid"),
     ("lead", "2 tg 01.01.2020", "date-too-old"),
     ("lead", "1 " + "x" * (MAX_NOTE + 1), "note-too-long"), ("lead", "1 a\x00b", "note-bad-chars"),
     ("lead", "1 a\x1bb", "note-bad-chars"), ("lead", "1 \ud800", "note-bad-chars"),
     ("lead", "1 a\x85b", "note-bad-chars"),
     ("sale", "1 -500", "value-negative"), ("sale", "1,5", "value-not-whole"),
     ("sale", "1 99 999 999 999", "value-too-large"),
     ("resp", None, "resp-usage"), ("resp", "  ", "resp-usage"),
     ("resp", "вчера 15m", "resp-usage"),
     ("resp", "abc", "bad-duration"), ("resp", "15m,звонок", "bad-duration"),
     ("resp", "31d", "duration-too-long"), ("resp", "15m 1000h", "duration-too-long"),
     ("log", None, "log-usage"), ("log", "leads", "log-usage"), ("log", "foo", "log-usage"),
     ("log", "foo 3", "unknown-metric"), ("log", "leads abc", "not-a-number"),
     ("log", "leads вчера", "not-a-number"), ("log", "leads 1,5", "value-not-whole"),
     ("log", "stories 1,5", "value-not-whole"), ("log", "resp abc", "bad-duration"),
     ("log", "resp 15m,40", "bad-duration"), ("log", "first_reply 11h", "duration-too-long")],
)  # fmt: skip
def test_refusals(command, args, code):
    assert refused(parse_command, command, args, TODAY, CUSTOM).code == code


def test_error_params_quote_what_was_wrong():
    assert refused(parse_command, "lead", "100000", TODAY).params == {
        "value": "100000", "max": 10_000}  # fmt: skip
    assert refused(parse_command, "log", "Фолловеры 3", TODAY).params == {"word": "Фолловеры"}
    assert refused(parse_command, "lead", "1 " + "я" * 600, TODAY).params == {"max": MAX_NOTE}
    assert refused(parse_day, "01.01.2020", TODAY).params == {
        "value": "01.01.2020", "days": MAX_BACK_DAYS}  # fmt: skip
    assert refused(parse_command, "resp", "31d", TODAY).params == {"value": "31d", "days": 30}
    long = refused(parse_command, "log", "x" * 100 + "\x00 1", TODAY).params["word"]
    assert len(long) <= 30 and "\x00" not in long


@pytest.mark.parametrize(
    ("command", "args"),
    [("resp", "1" * 20_000 + "x"), ("log", "resp " + "1" * 20_000 + "x"),
     ("lead", "1 " + "000 " * 5_000), ("resp", "1 ч, " * 4_000), ("lead", "1 " + "x" * 20_000)],
)  # fmt: skip
def test_long_input_is_handled_fast(command, args):
    started = time.perf_counter()
    with contextlib.suppress(ParseError):
        parse_command(command, args, TODAY)
    assert time.perf_counter() - started < 1  # linear: a quadratic scan takes ~20 s here


def test_unknown_command_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_command("kpi", "week", TODAY)


# --- any input: a ParsedLog or a ParseError, nothing else -----------------------------------

TOKENS = ["1", "12", "500", "000", "1,5", "-3", "\u22125", "+3", "0", "вчера", "20.11", "31.02",
          "29.02", "2026-13-01", "01.01.1900", "tg", "#vk", "x", "15m", "1ч", "30м", "мин", ",",
          "1:30", "1:99", "leads", "followers", "resp", "revenue", "stories", "nan", "inf", "1e308",
          "9" * 400, "'; DROP TABLE entries;--", "🔥", "👩‍💻", "\u202eRTL", "שלום", "https://t.me/x",
          "₽", "руб.", "\x00", "\ud800", "\n", "<b>", "&amp;"]  # fmt: skip
ANY_TEXT = st.one_of(
    st.text(max_size=80),
    st.text(st.characters(exclude_categories=()), max_size=40),  # surrogates, controls too
    st.lists(st.sampled_from(TOKENS) | st.text(max_size=6), max_size=8).map(" ".join),
    st.none(),
)


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(COMMANDS), ANY_TEXT, st.sampled_from([TODAY, NEW_YEAR]))
def test_any_text_parses_or_raises_parse_error(command, args, today):
    try:
        parsed = parse_command(command, args, today, CUSTOM)
    except ParseError as error:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", error.code)
        return
    assert parsed.items
    for item in parsed.items:
        metric = CUSTOM.get(item.metric) or BUILTIN_METRICS[item.metric]
        assert math.isfinite(item.value) and 0 <= item.value <= metric.max_value
        assert not metric.integer or item.value.is_integer()
    assert 0 <= (today - parsed.day).days <= MAX_BACK_DAYS
    assert parsed.platform is None or parsed.platform in PLATFORMS
    if parsed.note is not None:
        assert parsed.note == parsed.note.strip() and 0 < len(parsed.note) <= MAX_NOTE
        assert parsed.note in (args or "") or parsed.note.startswith(("http", "t.me"))


# --- error texts ----------------------------------------------------------------------------


def _bundle(lang: str) -> FluentBundle:
    bundle = FluentBundle([lang], use_isolating=False)  # as bot.i18n builds it
    source = (ROOT / f"bot/locales/{lang}/errors.ftl").read_text(encoding="utf-8")
    bundle.add_resource(FluentResource(source))
    return bundle


def _message_ids(lang: str) -> set[str]:
    source = (ROOT / f"bot/locales/{lang}/errors.ftl").read_text(encoding="utf-8")
    resource = FluentParser().parse(source)
    assert not [e for e in resource.body if isinstance(e, Junk)], lang  # valid Fluent syntax
    return {e.id.name for e in resource.body if isinstance(e, Message)}


def test_error_files_are_valid_fluent_with_the_same_messages():
    assert _message_ids("ru") == _message_ids("en")


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_every_error_text_formats_on_one_line_with_an_example(lang):
    bundle = _bundle(lang)
    sample = {"value": "1,5", "word": "foo", "token": "foo", "max": 10_000, "days": 366}
    sample["count"] = 51
    for key in _message_ids(lang):
        text, errors = bundle.format_pattern(bundle.get_message(key).value, sample)
        assert not errors, (key, errors)
        assert "\n" not in text and "/" in text, key  # one line, with a command to copy


def test_every_raised_code_has_a_text_in_both_languages():
    modules = ("bot/parsing.py", "bot/parse_words.py")
    source = "".join((ROOT / name).read_text(encoding="utf-8") for name in modules)
    codes = set(re.findall(r'ParseError\(\s*"([a-z-]+)"', source))
    assert len(codes) >= 14, codes
    for lang in ("ru", "en"):
        missing = {c for c in codes if f"err-{c}" not in _message_ids(lang)}
        assert not missing, (lang, missing)


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize(
    ("command", "args"),
    [("lead", "1e9"), ("lead", "9" * 400), ("lead", "-1"), ("lead", "1,5"), ("lead", "10001"),
     ("resp", "31d"), ("resp", "x"), ("resp", None), ("log", None), ("log", "foo 1"),
     ("lead", "25.11"), ("lead", "01.01.2000"), ("lead", "31.02"), ("lead", "1 " + "x" * 501),
     ("lead", "1 \x00")],
)  # fmt: skip
def test_raised_params_fill_the_text(lang, command, args):
    error = refused(parse_command, command, args, TODAY)
    bundle = _bundle(lang)
    message = bundle.get_message(f"err-{error.code}")
    text, errors = bundle.format_pattern(message.value, error.params)
    assert not errors and "{" not in text, (error.code, errors)


def test_resp_takes_at_most_fifty_values():
    today = date(2026, 11, 20)
    assert len(parse_command("resp", " ".join(["15m"] * 50), today).items) == 50
    with pytest.raises(ParseError) as error:
        parse_command("resp", " ".join(["15m"] * 51), today)
    assert error.value.code == "too-many-values"
