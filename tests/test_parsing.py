"""Command arguments: numbers, durations, dates, notes — accepted forms and refusals."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from fluent.runtime import FluentBundle, FluentResource
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parsing import ParseError, parse_command, parse_day, parse_duration_tokens, parse_number

TODAY = date(2026, 11, 22)  # a Sunday


def items(command: str, args: str | None, today: date = TODAY):
    parsed = parse_command(command, args, today)
    return [(i.metric, i.value) for i in parsed.items], parsed


@pytest.mark.parametrize(
    ("token", "value"),
    [("3", 3), ("+3", 3), ("1,5", 1.5), ("1.5", 1.5), ("12 500", 12500), ("12\u00a0500", 12500),
     ("12\u202f500", 12500), ("1 234 567,5", 1234567.5)],
)  # fmt: skip
def test_numbers(token, value):
    assert parse_number(token) == value


@pytest.mark.parametrize(
    ("token", "code"),
    [("abc", "not-a-number"), ("nan", "not-a-number"), ("inf", "not-a-number"),
     ("1e9", "not-a-number"), ("", "not-a-number"), ("-3", "value-negative")],
)  # fmt: skip
def test_bad_numbers(token, code):
    with pytest.raises(ParseError) as error:
        parse_number(token)
    assert error.value.code == code


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("15m", [15]), ("15м", [15]), ("15мин", [15]), ("15 мин", [15]), ("2h", [120]),
     ("2ч", [120]), ("1.5h", [90]), ("1,5ч", [90]), ("1h30m", [90]), ("1ч30м", [90]),
     ("1ч 30м", [90]), ("90", [90]), ("1:30", [90]), ("1d", [1440]), ("30s", [0.5]),
     ("15m, 1h30m 40", [15, 90, 40]), ("2h 15", [120, 15])],
)  # fmt: skip
def test_durations(text, minutes):
    assert parse_duration_tokens(text.split()) == minutes


@pytest.mark.parametrize(
    ("token", "today", "expected"),
    [("сегодня", TODAY, TODAY), ("yesterday", TODAY, date(2026, 11, 21)),
     ("вчера", TODAY, date(2026, 11, 21)), ("позавчера", TODAY, date(2026, 11, 20)),
     ("20.11", TODAY, date(2026, 11, 20)), ("20.11.2026", TODAY, date(2026, 11, 20)),
     ("20.11.26", TODAY, date(2026, 11, 20)), ("2026-11-20", TODAY, date(2026, 11, 20)),
     ("30.12", date(2026, 1, 2), date(2025, 12, 30)), ("01.01", date(2026, 1, 2),
     date(2026, 1, 1)), ("заметка", TODAY, None)],
)  # fmt: skip
def test_dates(token, today, expected):
    assert parse_day(token, today) == expected


@pytest.mark.parametrize(
    ("token", "code"),
    [("25.11", "date-future"), ("2026-11-23", "date-future"), ("31.02", "date-invalid"),
     ("01.01.2024", "date-too-old"), ("2025-11-20", "date-too-old")],
)  # fmt: skip
def test_bad_dates(token, code):
    with pytest.raises(ParseError) as error:
        parse_day(token, TODAY)
    assert error.value.code == code


def test_command_forms():
    assert items("lead", None)[0] == [("leads", 1)]
    found, parsed = items("lead", "3 вчера tg из рассылки, «весна»")
    assert found == [("leads", 3)] and parsed.day == date(2026, 11, 21)
    assert parsed.platform == "tg" and parsed.note == "из рассылки, «весна»"
    found, parsed = items("lead", "звонок с сайта")
    assert found == [("leads", 1)] and parsed.note == "звонок с сайта"
    assert items("lead", "20.11")[1].day == date(2026, 11, 20)
    found, parsed = items("post", "2 https://t.me/x/1 анонс")
    assert found == [("posts", 2)] and parsed.note == "https://t.me/x/1 анонс"
    assert items("sale", "1 15 000")[0] == [("sales", 1), ("revenue", 15000)]
    assert items("sale", "2")[0] == [("sales", 2)]
    assert items("resp", "15m 1ч 30м 40 #vk")[0] == [("response_time", v) for v in (15, 90, 40)]
    found, parsed = items("log", "followers 20 450 vk")
    assert found == [("followers", 20450)] and parsed.platform == "vk"
    assert items("log", "Подписчики 100")[0] == [("followers", 100)]
    assert items("log", "response_time 1h")[0] == [("response_time", 60)]


@pytest.mark.parametrize(
    ("command", "args", "code"),
    [("lead", "1,5", "value-not-whole"), ("lead", "-3", "value-negative"),
     ("lead", "100000", "value-too-large"), ("lead", "2 25.11", "date-future"),
     ("lead", "1 " + "x" * 501, "note-too-long"), ("lead", "1 a\x00b", "note-bad-chars"),
     ("resp", None, "resp-usage"), ("resp", "abc", "bad-duration"), ("log", None, "log-usage"),
     ("log", "leads", "log-usage"), ("log", "foo 3", "unknown-metric"),
     ("log", "leads abc", "not-a-number"), ("resp", "31d", "value-too-large")],
)  # fmt: skip
def test_refusals(command, args, code):
    with pytest.raises(ParseError) as error:
        parse_command(command, args, TODAY)
    assert error.value.code == code


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["lead", "qlead", "post", "sale", "resp", "log"]),
    st.text(max_size=80) | st.lists(st.sampled_from(
        ["1", "12", "500", "1,5", "-3", "вчера", "20.11", "31.02", "tg", "15m", "1ч", "30м",
         "leads", "followers", "nan", "'; DROP TABLE entries;--", "🔥", "\u202e", "1e308"]),
        max_size=6).map(" ".join),
)  # fmt: skip
def test_any_text_parses_or_raises_parse_error(command, args):
    try:
        parsed = parse_command(command, args, TODAY)
    except ParseError:
        return
    for item in parsed.items:
        assert item.value >= 0 and item.value == item.value  # finite, not NaN
    assert parsed.day <= TODAY


def test_every_error_code_has_a_text_in_both_languages():
    source = Path("bot/parsing.py").read_text(encoding="utf-8")
    codes = set(re.findall(r'ParseError\(\s*"([a-z-]+)"', source)) | {"kpi-args"}
    for lang in ("ru", "en"):
        bundle = FluentBundle([lang], use_isolating=False)
        for path in Path(f"bot/locales/{lang}").glob("*.ftl"):
            bundle.add_resource(FluentResource(path.read_text(encoding="utf-8")))
        for code in codes:
            assert bundle.has_message(f"err-{code}"), (lang, code)
            message = bundle.get_message(f"err-{code}")
            sample = {"value": "x", "max": 10, "word": "x", "days": 366, "token": "x"}
            _, errors = bundle.format_pattern(message.value, sample)
            assert not errors, (lang, code, errors)
