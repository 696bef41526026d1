"""Command arguments -> typed values (numbers, durations, dates), or a ParseError with a hint.

Pure: no aiogram, no I/O, no clock (`today` is passed in). The text of every error is the
Fluent message `err-<code>` in bot/locales/<lang>/errors.ftl; `params` fill its variables.
Grammar (SPEC §4): values first, then a date and a platform in any order, then a free note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.parse_words import (
    BAD_NOTE_CHARS,
    MAX_BACK_DAYS,
    ParseError,
    check_value,
    leading_durations,
    looks_like_date,
    parse_day,
    parse_duration_tokens,
    parse_number,
    plain,
    platform_word,
    shown,
    take_number,
)
from kpi.metrics import BUILTIN_METRICS, resolve_metric
from kpi.models import Metric, MetricKind

# The words' grammar lives in bot/parse_words.py; these are this module's API as well.
__all__ = [
    "BAD_NOTE_CHARS", "COMMAND_METRIC", "MAX_BACK_DAYS", "MAX_NOTE", "MAX_VALUES", "ParseError",
    "ParsedEntry", "ParsedLog", "check_value", "parse_command", "parse_day",
    "parse_duration_tokens", "parse_number",
]  # fmt: skip

MAX_NOTE = 500
MAX_VALUES = 50  # reply times in one /resp: more is a paste gone wrong, not a day's work
COMMAND_METRIC = {"lead": "leads", "qlead": "qualified_leads", "post": "posts", "sale": "sales"}
_TOKEN = re.compile(r"\S+")
_LINK = re.compile(r"(?:https?://|t\.me/)", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedEntry:
    metric: str
    value: float


@dataclass(frozen=True)
class ParsedLog:
    items: tuple[ParsedEntry, ...]  # /sale gives sales + revenue; /resp one item per duration
    day: date
    platform: str | None
    note: str | None


def _check_note(note: str) -> str | None:
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise ParseError("note-too-long", max=MAX_NOTE)
    if BAD_NOTE_CHARS.search(note):
        raise ParseError("note-bad-chars")
    return note or None


def _counted(command: str, tokens: list[str]) -> tuple[list[ParsedEntry], int, int | None]:
    """/lead /qlead /post /sale: (items, next token, index of a /post link)."""
    metric = BUILTIN_METRICS[COMMAND_METRIC[command]]
    # The /sale count is one token: `/sale 1 15 000` is one sale for 15 000.
    count, raw, i = take_number(tokens, 0, group=command != "sale") or (1.0, "1", 0)
    items = [ParsedEntry(metric.key, check_value(metric, count, raw))]
    if command == "sale" and (taken := take_number(tokens, i, money=True)):
        revenue, raw, i = taken
        items.append(ParsedEntry("revenue", check_value(BUILTIN_METRICS["revenue"], revenue, raw)))
    if command == "post" and i < len(tokens) and _LINK.match(tokens[i]):
        return items, i + 1, i
    return items, i, None


def _durations_item(metric: Metric, minutes: float, text: str) -> ParsedEntry:
    if minutes > metric.max_value:  # a typo like `31d`: say it in days, not 44 640 minutes
        days = plain(round(metric.max_value / 1440, 2))
        raise ParseError("duration-too-long", value=shown(text), days=days)
    return ParsedEntry(metric.key, check_value(metric, minutes, text))


def _logged(tokens: list[str], custom: dict[str, Metric] | None) -> tuple[list[ParsedEntry], int]:
    """/log <metric> <value>: one item."""
    if len(tokens) < 2:
        raise ParseError("log-usage")
    metric = resolve_metric(tokens[0], custom)
    if metric is None:
        raise ParseError("unknown-metric", word=shown(tokens[0]))
    if metric.kind is MetricKind.DURATION:
        found, i = leading_durations(tokens, 1, single=True)
        if not found:
            raise ParseError("bad-duration", value=shown(tokens[1]))
        return [_durations_item(metric, *found[0])], i
    taken = take_number(tokens, 1, money=metric.kind is MetricKind.MONEY)
    if taken is None:
        raise ParseError("not-a-number", value=shown(tokens[1]))
    value, raw, i = taken
    return [ParsedEntry(metric.key, check_value(metric, value, raw))], i


def parse_command(
    command: str, args: str | None, today: date, custom: dict[str, Metric] | None = None
) -> ParsedLog:
    """The arguments of a logging command; raises ParseError (only) on anything else."""
    text = args or ""
    spans = list(_TOKEN.finditer(text))
    tokens = [m.group() for m in spans]
    link: int | None = None
    if command in COMMAND_METRIC:
        items, i, link = _counted(command, tokens)
    elif command == "resp":
        metric = BUILTIN_METRICS["response_time"]
        found, i = leading_durations(tokens, 0, single=False)
        if not found:
            # Nothing, or a date first: say how /resp goes; a word first: quote it.
            if not tokens or platform_word(tokens[0]) or looks_like_date(tokens[0]):
                raise ParseError("resp-usage")
            raise ParseError("bad-duration", value=shown(tokens[0]))
        if len(found) > MAX_VALUES:
            raise ParseError("too-many-values", max=MAX_VALUES, count=len(found))
        items = [_durations_item(metric, minutes, raw) for minutes, raw in found]
    elif command == "log":
        items, i = _logged(tokens, custom)
    else:
        raise ValueError(f"not a logging command: {command!r}")
    start, day, platform = i, None, None
    while i < len(tokens):  # a date and a platform, in any order, each at most once
        if platform is None and (word := platform_word(tokens[i])):
            platform = word
        elif day is None and (parsed := parse_day(tokens[i], today)) is not None:
            day = parsed
        else:
            break
        i += 1
    rest = text[spans[i].start() :] if i < len(spans) else ""
    if link is not None:  # the /post link opens the note, verbatim if nothing came between
        rest = text[spans[link].start() :] if i == start else f"{tokens[link]} {rest}"
    return ParsedLog(tuple(items), day or today, platform, _check_note(rest))
