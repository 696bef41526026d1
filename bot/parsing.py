"""Command arguments -> typed values (numbers, durations, dates), or a ParseError with a hint.

Pure: no aiogram, no I/O, no clock (`today` is passed in). The text of every error is the
Fluent message `err-<code>` in bot/locales/<lang>/errors.ftl; `params` fill its variables.
Grammar (SPEC §4): values first, then a date and a platform in any order, then a free note.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta

from kpi.metrics import BUILTIN_METRICS, PLATFORMS, resolve_metric
from kpi.models import Metric, MetricKind

MAX_NOTE = 500
MAX_VALUES = 50  # reply times in one /resp: more is a paste gone wrong, not a day's work
MAX_BACK_DAYS = 366
FUTURE_GUESS_DAYS = 180  # a dd.mm further ahead than this is last year's (30.12 typed on 2.01)
COMMAND_METRIC = {"lead": "leads", "qlead": "qualified_leads", "post": "posts", "sale": "sales"}
# C0/C1 controls except tab, LF and CR (a newline from Windows clients); lone surrogates,
# which JSON can carry but UTF-8 (SQLite, Telegram) cannot.
BAD_NOTE_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

_TOKEN = re.compile(r"\S+")
_PLAIN = re.compile(r"\+?[0-9]+(?:[.,][0-9]+)?")
_GROUPED = re.compile(r"\+?[0-9]{1,3}(?:[ \u00a0\u202f\u2009][0-9]{3})+(?:[.,][0-9]+)?")
_NOT_NUMERAL = re.compile(r"[^0-9.,]")
# Meant as a number even if malformed (`1e9`, `3,5,6`): refused, not taken as a note.
_NUMERIC_LIKE = re.compile(r"[+\-\u2212]?[0-9][0-9.,eE+\-\u2212]*")
_GROUP_HEAD = re.compile(r"\+?[0-9]{1,3}")
_GROUP_TAIL = re.compile(r"[0-9]{3}(?:[.,][0-9]+)?")  # a decimal part ends the number
_TRAILING_PUNCT = re.compile(r"(?<=[0-9])[,;:.]$")  # `/lead 3, из рассылки`
_CURRENCY = re.compile(r"(?:₽|р|руб|rub|\$|€)\.?", re.IGNORECASE)
_CURRENCY_SUFFIX = re.compile(r"(?<=[0-9])(?:₽|р|руб|rub|\$|€)\.?$", re.IGNORECASE)

_UNIT_WORDS = {
    1440: "д d дн день дня дней day days",
    60: "ч h час часа часов hr hrs hour hours",
    1: "м m мин минута минуту минуты минут min mins",
    1 / 60: "с s сек секунд sec secs",
}
_UNITS = {word: minutes for minutes, words in _UNIT_WORDS.items() for word in words.split()}


def _alt(words: list[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))  # longest first: `мин` before `м`


_NUM = r"[0-9]+(?:[.,][0-9]+)?"
_DURATION_PART = re.compile(rf"({_NUM})({_alt(list(_UNITS))})\.?")
_HOURS_ONLY = re.compile(rf"{_NUM}(?:{_alt(_UNIT_WORDS[60].split())})\.?")
_MINUTES_ONLY = re.compile(rf"[0-9]+(?:{_alt(_UNIT_WORDS[1].split())})\.?")
# A unit typed apart from its number (`15 мин`); not the bare `с`/`s`: «40 с сайта» is Russian.
_UNIT_ONLY = re.compile(rf"(?:{_alt([u for u in _UNITS if u not in ('с', 's')])})\.?")
_BARE = re.compile(_NUM)
_CLOCK = re.compile(r"([0-9]{1,3}):([0-5][0-9])")
_HOUR_REST = re.compile(r"[0-5]?[0-9]")  # `1ч30`: minutes after hours, unit left out
_LIST_SEP = re.compile(r";|,(?![0-9])|(?<![0-9]),")  # `15m, 40`; `1,5ч` is a decimal comma

_RELATIVE = {"сегодня": 0, "today": 0, "вчера": 1, "yesterday": 1, "позавчера": 2}
# Two-digit month, so `1.5` stays a number and `3.5 часа` in a note stays text.
_DMY = re.compile(r"([0-9]{1,2})\.([0-9]{2})(?:\.([0-9]{2}|[0-9]{4}))?")
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_LINK = re.compile(r"(?:https?://|t\.me/)", re.IGNORECASE)


class ParseError(Exception):
    def __init__(self, code: str, **params: str | int | float):
        super().__init__(code, params)
        self.code = code
        self.params = params


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


def _show(token: str) -> str:
    """A token as an error message quotes it: short, without control characters."""
    token = BAD_NOTE_CHARS.sub("\ufffd", token)
    return token if len(token) <= 30 else token[:29] + "…"


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def parse_number(token: str) -> float:
    """`3`, `+3`, `1,5`, `1.5`, `12 500` (space, NBSP, narrow NBSP or thin space groups)."""
    text = token.strip()
    negative = text.startswith(("-", "\u2212"))  # typographic minus too
    body = text[1:] if negative else text
    if not (_PLAIN.fullmatch(body) or _GROUPED.fullmatch(body)):
        raise ParseError("not-a-number", value=_show(token))
    if negative:
        raise ParseError("value-negative", value=_show(token))
    value = float(_NOT_NUMERAL.sub("", body).replace(",", "."))
    if not math.isfinite(value):  # hundreds of digits overflow a float
        raise ParseError("number-too-large", value=_show(token))
    return value


def check_value(metric: Metric, value: float, raw: str) -> float:
    """A value against the catalog: not negative, whole for counters, at most the maximum."""
    if math.isnan(value):
        raise ParseError("not-a-number", value=_show(raw))
    if value < 0:
        raise ParseError("value-negative", value=_show(raw))
    if value > metric.max_value:
        raise ParseError("value-too-large", value=_show(raw), max=_plain(metric.max_value))
    if metric.integer and not float(value).is_integer():
        raise ParseError("value-not-whole", value=_show(raw))
    return value


def _bare(token: str, money: bool) -> str:
    token = _TRAILING_PUNCT.sub("", token)
    return _CURRENCY_SUFFIX.sub("", token) if money else token


def _take_number(
    tokens: list[str], i: int, *, group: bool = True, money: bool = False
) -> tuple[float, str, int] | None:
    """The number at tokens[i], `12 500` merged: (value, as typed, next index); None if none."""
    parts = [_bare(tokens[i], money)] if i < len(tokens) else [""]
    if not _NUMERIC_LIKE.fullmatch(parts[0]) or _looks_like_date(tokens[i]):
        return None
    end = i + 1
    if group and _GROUP_HEAD.fullmatch(tokens[i]):
        while end < len(tokens) and _GROUP_TAIL.fullmatch(bare := _bare(tokens[end], money)):
            parts.append(bare)
            end += 1
            if bare != tokens[end - 1] or not bare.isdigit():
                break  # `500₽`, `500,` or `500,50` ends the number
    if money and end < len(tokens) and parts[-1] == tokens[end - 1]:
        end += bool(_CURRENCY.fullmatch(_bare(tokens[end], False)))  # `15 000 руб.`
    return parse_number(" ".join(parts)), " ".join(tokens[i:end]), end


def _duration(text: str) -> float | None:
    """Minutes in one duration text (`90`, `1:30`, `1ч30м`, `1.5h`, `30s`), or None."""
    text = text.lower()
    if _BARE.fullmatch(text):
        return float(text.replace(",", "."))
    if clock := _CLOCK.fullmatch(text):
        return int(clock.group(1)) * 60 + int(clock.group(2))
    total, pos, unit = 0.0, 0, 0.0
    while part := _DURATION_PART.match(text, pos):  # not finditer: quadratic on `111…1x`
        unit = _UNITS[part.group(2)]
        total += float(part.group(1).replace(",", ".")) * unit
        pos = part.end()
    rest = text[pos:]
    if pos and rest and unit == 60 and _HOUR_REST.fullmatch(rest):
        return total + int(rest)
    return total if pos and not rest else None


def _duration_groups(tokens: list[str], start: int) -> list[tuple[str, int, int, bool]]:
    """(text, first token, last token, joined to the previous); `15 мин`, `1ч 30м` joined."""
    groups: list[tuple[str, int, int, bool]] = []
    joinable = False  # no separator between the previous piece and this one
    for i in range(start, len(tokens)):
        if _platform(tokens[i]) or _looks_like_date(tokens[i]):
            break
        for j, piece in enumerate(_LIST_SEP.split(tokens[i])):
            joinable = joinable and not j and bool(groups)
            if not piece:
                continue
            if joinable and _UNIT_ONLY.fullmatch(piece.lower()) and _BARE.fullmatch(groups[-1][0]):
                text, first, _, joined = groups.pop()
                groups.append((text + piece, first, i, joined))
            else:
                groups.append((piece, i, i, joinable))
            if (
                len(groups) > 1
                and groups[-1][3]
                and _HOURS_ONLY.fullmatch(groups[-2][0].lower())
                and _MINUTES_ONLY.fullmatch(groups[-1][0].lower())
            ):
                minutes, hours = groups.pop(), groups.pop()
                groups.append((hours[0] + minutes[0], hours[1], minutes[2], hours[3]))
            joinable = True
    return groups


def parse_duration_tokens(tokens: list[str]) -> list[float]:
    """`["15m,", "1ч", "30м", "40"]` -> [15, 90, 40] minutes; every token must be a duration."""
    found, end = _leading_durations(tokens, 0, single=False)
    if end < len(tokens):
        raise ParseError("bad-duration", value=_show(tokens[end]))
    return [minutes for minutes, _ in found]


def _leading_durations(
    tokens: list[str], start: int, *, single: bool
) -> tuple[list[tuple[float, str]], int]:
    """Durations from tokens[start] up to the first non-duration: ((minutes, text)…, next)."""
    found: list[tuple[float, str]] = []
    end = start
    for text, first, last, _ in _duration_groups(tokens, start):
        minutes = _duration(text)
        # The rest of a token already taken (`15m,звонок`, or `/log resp 15m,40`): no note there.
        if first < end and (single or minutes is None):
            raise ParseError("bad-duration", value=_show(tokens[first]))
        if minutes is None or (single and found):
            break
        found.append((minutes, text))
        end = last + 1
    return found, end


def _platform(token: str) -> str | None:
    word = token.lower().removeprefix("#")
    return word if word in PLATFORMS else None


def _looks_like_date(token: str) -> bool:
    """A date, maybe a wrong one (`31.02`); `99.90` or `1.5` are numbers."""
    word = token.lower()
    dmy = _DMY.fullmatch(word)
    plausible = dmy and 0 < int(dmy.group(1)) < 32 and 0 < int(dmy.group(2)) < 13
    return word in _RELATIVE or bool(plausible or _ISO.fullmatch(word))


def parse_day(token: str, today: date) -> date | None:
    """`вчера`, `20.11`, `20.11.26`, `20.11.2026`, `2026-11-20`…; None if not a date at all."""
    word = token.lower()
    if word in _RELATIVE:
        return today - timedelta(days=_RELATIVE[word])
    dmy, iso = _DMY.fullmatch(word), _ISO.fullmatch(word)
    try:
        if iso:
            day = date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        elif dmy and dmy.group(3):
            year = int(dmy.group(3)) + (2000 if len(dmy.group(3)) == 2 else 0)
            day = date(year, int(dmy.group(2)), int(dmy.group(1)))
        elif dmy:
            day = date(today.year, int(dmy.group(2)), int(dmy.group(1)))
            if (day - today).days > FUTURE_GUESS_DAYS:
                day = day.replace(year=day.year - 1)
        else:
            return None
    except ValueError:
        raise ParseError("date-invalid", value=_show(token)) from None
    if day > today:
        raise ParseError("date-future", value=_show(token))
    if (today - day).days > MAX_BACK_DAYS:
        raise ParseError("date-too-old", value=_show(token), days=MAX_BACK_DAYS)
    return day


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
    count, raw, i = _take_number(tokens, 0, group=command != "sale") or (1.0, "1", 0)
    items = [ParsedEntry(metric.key, check_value(metric, count, raw))]
    if command == "sale" and (taken := _take_number(tokens, i, money=True)):
        revenue, raw, i = taken
        items.append(ParsedEntry("revenue", check_value(BUILTIN_METRICS["revenue"], revenue, raw)))
    if command == "post" and i < len(tokens) and _LINK.match(tokens[i]):
        return items, i + 1, i
    return items, i, None


def _durations_item(metric: Metric, minutes: float, text: str) -> ParsedEntry:
    if minutes > metric.max_value:  # a typo like `31d`: say it in days, not 44 640 minutes
        days = _plain(round(metric.max_value / 1440, 2))
        raise ParseError("duration-too-long", value=_show(text), days=days)
    return ParsedEntry(metric.key, check_value(metric, minutes, text))


def _logged(tokens: list[str], custom: dict[str, Metric] | None) -> tuple[list[ParsedEntry], int]:
    """/log <metric> <value>: one item."""
    if len(tokens) < 2:
        raise ParseError("log-usage")
    metric = resolve_metric(tokens[0], custom)
    if metric is None:
        raise ParseError("unknown-metric", word=_show(tokens[0]))
    if metric.kind is MetricKind.DURATION:
        found, i = _leading_durations(tokens, 1, single=True)
        if not found:
            raise ParseError("bad-duration", value=_show(tokens[1]))
        return [_durations_item(metric, *found[0])], i
    taken = _take_number(tokens, 1, money=metric.kind is MetricKind.MONEY)
    if taken is None:
        raise ParseError("not-a-number", value=_show(tokens[1]))
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
        found, i = _leading_durations(tokens, 0, single=False)
        if not found:
            # Nothing, or a date first: say how /resp goes; a word first: quote it.
            if not tokens or _platform(tokens[0]) or _looks_like_date(tokens[0]):
                raise ParseError("resp-usage")
            raise ParseError("bad-duration", value=_show(tokens[0]))
        if len(found) > MAX_VALUES:
            raise ParseError("too-many-values", max=MAX_VALUES, count=len(found))
        items = [_durations_item(metric, minutes, raw) for minutes, raw in found]
    elif command == "log":
        items, i = _logged(tokens, custom)
    else:
        raise ValueError(f"not a logging command: {command!r}")
    start, day, platform = i, None, None
    while i < len(tokens):  # a date and a platform, in any order, each at most once
        if platform is None and (word := _platform(tokens[i])):
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
