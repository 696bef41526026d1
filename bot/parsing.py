"""Command arguments -> typed values (numbers, durations, dates), or a ParseError with a hint.

Pure: no aiogram, no clock (`today` is passed in). The text of every error lives in
bot/locales/<lang>/errors.ftl as `err-<code>`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta

from kpi.metrics import BUILTIN_METRICS, PLATFORMS, resolve_metric
from kpi.models import Metric, MetricKind

MAX_NOTE = 500
MAX_BACK_DAYS = 366
_GROUP_SEPARATORS = "\u00a0\u202f\u2009"
_NUMBER = re.compile(r"^[+]?(\d+)(?:[.,](\d+))?$")
_HEAD_GROUP = re.compile(r"^\d{1,3}$")
_TAIL_GROUP = re.compile(r"^\d{3}(?:[.,]\d+)?$")
# Longest units first: otherwise "мин" would match as "м" and leave "ин".
_DURATION_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*(часов|часа|час|мин|min|сек|sec|д|d|ч|h|м|m|с|s)")
_UNIT_MINUTES = {
    "д": 1440, "d": 1440, "ч": 60, "h": 60, "час": 60, "часа": 60, "часов": 60,
    "м": 1, "m": 1, "мин": 1, "min": 1, "с": 1 / 60, "s": 1 / 60, "сек": 1 / 60, "sec": 1 / 60,
}  # fmt: skip
_LIST_COMMA = re.compile(r",(?!\d)|(?<!\d),")
_CLOCK = re.compile(r"^(\d{1,3}):([0-5]\d)$")
_UNIT_ONLY = re.compile(r"^(мин|min|м|m|ч|h|час|часа|часов|сек|sec|с|s|д|d)$")
_DMY = re.compile(r"^(\d{1,2})[./](\d{1,2})(?:[./](\d{2}|\d{4}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_RELATIVE = {"сегодня": 0, "today": 0, "вчера": 1, "yesterday": 1, "позавчера": 2}
_LINK = re.compile(r"^(https?://|t\.me/)", re.IGNORECASE)
BAD_NOTE_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
COMMAND_METRIC = {"lead": "leads", "qlead": "qualified_leads", "post": "posts", "sale": "sales"}


class ParseError(Exception):
    def __init__(self, code: str, **params: str | int | float):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class ParsedEntry:
    metric: str
    value: float


@dataclass(frozen=True)
class ParsedLog:
    items: tuple[ParsedEntry, ...]
    day: date
    platform: str | None
    note: str | None


def _shorten(token: str) -> str:
    return token if len(token) <= 30 else token[:29] + "…"


def parse_number(token: str) -> float:
    """`3`, `1,5`, `1.5`, `12 500` (any space-like group separator), `+3`."""
    text = token.strip()
    for sep in _GROUP_SEPARATORS:
        text = text.replace(sep, " ")
    if re.fullmatch(r"[+]?\d{1,3}( \d{3})+([.,]\d+)?", text):
        text = text.replace(" ", "")
    if text.startswith("-") and _NUMBER.match(text[1:]):
        raise ParseError("value-negative", value=_shorten(token))
    match = _NUMBER.match(text)
    if not match:
        raise ParseError("not-a-number", value=_shorten(token))
    value = float(match.group(1) + ("." + match.group(2) if match.group(2) else ""))
    if not math.isfinite(value):
        raise ParseError("not-a-number", value=_shorten(token))
    return value


def _looks_numeric(token: str) -> bool:
    return bool(_NUMBER.match(token.lstrip("-"))) or bool(re.fullmatch(r"-?\d+([.,]\d+)?", token))


def _take_number(tokens: list[str], *, group: bool = True) -> tuple[float, int] | None:
    """A number at the start of tokens (merging `12 500` groups); (value, tokens used)."""
    if not tokens or not _looks_numeric(tokens[0]):
        return None
    used = 1
    if group and _HEAD_GROUP.match(tokens[0]):
        while used < len(tokens) and _TAIL_GROUP.match(tokens[used]):
            used += 1
            if "," in tokens[used - 1] or "." in tokens[used - 1]:
                break
    return parse_number(" ".join(tokens[:used])), used


def _duration(token: str) -> float | None:
    """Minutes in one token, or None if it is not a duration."""
    text = token.lower().replace(",", ".")
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    clock = _CLOCK.match(text)
    if clock:
        return int(clock.group(1)) * 60 + int(clock.group(2))
    pos, total, found = 0, 0.0, False
    for part in _DURATION_PART.finditer(text):
        if part.start() != pos:
            return None
        total += float(part.group(1)) * _UNIT_MINUTES[part.group(2)]
        pos, found = part.end(), True
    return total if found and pos == len(text) else None


def _hours_only(token: str) -> bool:
    return bool(re.fullmatch(r"\d+([.,]\d+)?\s*(ч|h|час|часа|часов)", token.lower()))


def _minutes_only(token: str) -> bool:
    return bool(re.fullmatch(r"\d+\s*(м|m|мин|min)", token.lower()))


def parse_duration_tokens(tokens: list[str]) -> list[float]:
    """`15m 1ч 30м 90 1:30` -> [15, 90, 90, 90]; raises on a token that is no duration."""
    # A comma separates replies ("15m, 40") unless it is a decimal comma ("1,5ч").
    parts = [p for t in tokens for p in _LIST_COMMA.split(t) if p]
    merged: list[str] = []
    for part in parts:
        if _UNIT_ONLY.match(part.lower()) and merged and re.fullmatch(r"\d+([.,]\d+)?", merged[-1]):
            merged[-1] += part  # `15 мин`
        elif merged and _minutes_only(part) and _hours_only(merged[-1]):
            merged[-1] += part  # `1ч 30м`
        else:
            merged.append(part)
    values = []
    for part in merged:
        value = _duration(part)
        if value is None:
            raise ParseError("bad-duration", value=_shorten(part))
        values.append(value)
    return values


def parse_day(token: str, today: date) -> date | None:
    """`вчера`, `20.11`, `20.11.2026`, `2026-11-20`…; None when the token is not a date."""
    word = token.lower()
    if word in _RELATIVE:
        return today - timedelta(days=_RELATIVE[word])
    dmy, iso = _DMY.match(word), _ISO.match(word)
    if not dmy and not iso:
        return None
    try:
        if iso:
            day = date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        else:
            year_text = dmy.group(3)  # type: ignore[union-attr]
            year = today.year if not year_text else int(year_text)
            year += 2000 if year_text and len(year_text) == 2 else 0
            day = date(year, int(dmy.group(2)), int(dmy.group(1)))  # type: ignore[union-attr]
            if not year_text and (day - today).days > 180:
                day = day.replace(year=day.year - 1)  # 30.12 logged on 2 January
    except ValueError:
        raise ParseError("date-invalid", value=_shorten(token)) from None
    if day > today:
        raise ParseError("date-future", value=_shorten(token))
    if (today - day).days > MAX_BACK_DAYS:
        raise ParseError("date-too-old", value=_shorten(token), days=MAX_BACK_DAYS)
    return day


def check_value(metric: Metric, value: float, raw: str) -> float:
    if value < 0:
        raise ParseError("value-negative", value=_shorten(raw))
    if metric.integer and value != int(value):
        raise ParseError("value-not-whole", value=_shorten(raw))
    if value > metric.max_value:
        raise ParseError("value-too-large", value=_shorten(raw), max=int(metric.max_value))
    return value


def _modifiers(tokens: list[str], today: date) -> tuple[date, str | None, list[str]]:
    """Date and platform in any order at the front; the rest is the note."""
    day, platform = today, None
    seen_day = seen_platform = False
    while tokens:
        word = tokens[0].lower().lstrip("#") if tokens[0].startswith("#") else tokens[0].lower()
        if not seen_platform and word in PLATFORMS:
            platform, seen_platform = word, True
        elif not seen_day and (parsed := parse_day(tokens[0], today)) is not None:
            day, seen_day = parsed, True
        else:
            break
        tokens = tokens[1:]
    return day, platform, tokens


def _note(words: list[str], raw_tail: str) -> str | None:
    note = raw_tail.strip() if words else ""
    if not note:
        return None
    if len(note) > MAX_NOTE:
        raise ParseError("note-too-long", max=MAX_NOTE)
    if BAD_NOTE_CHARS.search(note):
        raise ParseError("note-bad-chars")
    return note


def _tail(args: str, words_left: list[str], all_words: list[str]) -> str:
    """The note verbatim: the original text after the words that were consumed."""
    consumed = len(all_words) - len(words_left)
    rest = args
    for word in all_words[:consumed]:
        rest = rest[rest.index(word) + len(word) :]
    return rest


def parse_command(
    command: str, args: str | None, today: date, custom: dict[str, Metric] | None = None
) -> ParsedLog:
    text = args or ""
    words = text.split()
    tokens = list(words)
    items: list[ParsedEntry] = []
    prefix_note: str | None = None
    if command in COMMAND_METRIC:
        metric = BUILTIN_METRICS[COMMAND_METRIC[command]]
        is_date = bool(tokens) and "." in tokens[0] and bool(_DMY.match(tokens[0]))
        taken = None if is_date else _take_number(tokens, group=command != "sale")
        count, used = taken if taken else (1.0, 0)
        raw = " ".join(tokens[:used]) or "1"
        tokens = tokens[used:]
        items.append(ParsedEntry(metric.key, check_value(metric, count, raw)))
        if command == "sale" and (revenue := _take_number(tokens)) is not None:
            raw = " ".join(tokens[: revenue[1]])
            items.append(
                ParsedEntry("revenue", check_value(BUILTIN_METRICS["revenue"], revenue[0], raw))
            )
            tokens = tokens[revenue[1] :]
        if command == "post" and tokens and _LINK.match(tokens[0]):
            prefix_note, tokens = tokens[0], tokens[1:]
    elif command == "resp":
        metric = BUILTIN_METRICS["response_time"]
        end = 0
        while (
            end < len(tokens)
            and parse_day(tokens[end], today) is None
            and (tokens[end].lower().lstrip("#") not in PLATFORMS)
        ):
            end += 1
        durations = _leading_durations(tokens[:end])
        if not durations[0]:
            raise ParseError("resp-usage") if not tokens else ParseError(
                "bad-duration", value=_shorten(tokens[0]))  # fmt: skip
        items += [ParsedEntry(metric.key, check_value(metric, v, str(v))) for v in durations[0]]
        tokens = tokens[durations[1] :]
    elif command == "log":
        if len(tokens) < 2:
            raise ParseError("log-usage")
        metric = resolve_metric(tokens[0], custom)
        if metric is None:
            raise ParseError("unknown-metric", word=_shorten(tokens[0]))
        tokens = tokens[1:]
        if metric.kind is MetricKind.DURATION:
            values, used = _leading_durations(tokens)
            if not values:
                raise ParseError("bad-duration", value=_shorten(tokens[0]))
            items += [ParsedEntry(metric.key, check_value(metric, v, tokens[0])) for v in values]
        else:
            taken = _take_number(tokens)
            if taken is None:
                raise ParseError("not-a-number", value=_shorten(tokens[0]))
            value, used = taken
            items.append(
                ParsedEntry(metric.key, check_value(metric, value, " ".join(tokens[:used])))
            )
        tokens = tokens[used:]
    else:
        raise ParseError("log-usage")
    day, platform, rest = _modifiers(tokens, today)
    note = _note(rest, _tail(text, rest, words))
    if prefix_note:
        note = _note([prefix_note], f"{prefix_note} {note or ''}")
    return ParsedLog(tuple(items), day, platform, note)


def _leading_durations(tokens: list[str]) -> tuple[list[float], int]:
    """The longest run of duration tokens at the front: (minutes, tokens used)."""
    for end in range(len(tokens), 0, -1):
        try:
            return parse_duration_tokens(tokens[:end]), end
        except ParseError:
            continue
    return [], 0
