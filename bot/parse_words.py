"""One word of a command: numbers, durations, dates and platforms, or a ParseError.

Pure, as bot/parsing.py (which puts the words together into a command): no I/O, no clock.
"""

from __future__ import annotations

import math
import re
from datetime import date, timedelta

from kpi.metrics import PLATFORMS
from kpi.models import Metric

MAX_BACK_DAYS = 366
FUTURE_GUESS_DAYS = 180  # a dd.mm further ahead than this is last year's (30.12 typed on 2.01)
# C0/C1 controls except tab, LF and CR (a newline from Windows clients); lone surrogates,
# which JSON can carry but UTF-8 (SQLite, Telegram) cannot.
BAD_NOTE_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")

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


class ParseError(Exception):
    def __init__(self, code: str, **params: str | int | float):
        super().__init__(code, params)
        self.code = code
        self.params = params


def shown(token: str) -> str:
    """A token as an error message quotes it: short, without control characters."""
    token = BAD_NOTE_CHARS.sub("\ufffd", token)
    return token if len(token) <= 30 else token[:29] + "…"


def plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def parse_number(token: str) -> float:
    """`3`, `+3`, `1,5`, `1.5`, `12 500` (space, NBSP, narrow NBSP or thin space groups)."""
    text = token.strip()
    negative = text.startswith(("-", "\u2212"))  # typographic minus too
    body = text[1:] if negative else text
    if not (_PLAIN.fullmatch(body) or _GROUPED.fullmatch(body)):
        raise ParseError("not-a-number", value=shown(token))
    if negative:
        raise ParseError("value-negative", value=shown(token))
    value = float(_NOT_NUMERAL.sub("", body).replace(",", "."))
    if not math.isfinite(value):  # hundreds of digits overflow a float
        raise ParseError("number-too-large", value=shown(token))
    return value


def check_value(metric: Metric, value: float, raw: str) -> float:
    """A value against the catalog: not negative, whole for counters, at most the maximum."""
    if math.isnan(value):
        raise ParseError("not-a-number", value=shown(raw))
    if value < 0:
        raise ParseError("value-negative", value=shown(raw))
    if value > metric.max_value:
        raise ParseError("value-too-large", value=shown(raw), max=plain(metric.max_value))
    if metric.integer and not float(value).is_integer():
        raise ParseError("value-not-whole", value=shown(raw))
    return value


def _bare(token: str, money: bool) -> str:
    token = _TRAILING_PUNCT.sub("", token)
    return _CURRENCY_SUFFIX.sub("", token) if money else token


def take_number(
    tokens: list[str], i: int, *, group: bool = True, money: bool = False
) -> tuple[float, str, int] | None:
    """The number at tokens[i], `12 500` merged: (value, as typed, next index); None if none."""
    parts = [_bare(tokens[i], money)] if i < len(tokens) else [""]
    if not _NUMERIC_LIKE.fullmatch(parts[0]) or looks_like_date(tokens[i]):
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
        if platform_word(tokens[i]) or looks_like_date(tokens[i]):
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
    found, end = leading_durations(tokens, 0, single=False)
    if end < len(tokens):
        raise ParseError("bad-duration", value=shown(tokens[end]))
    return [minutes for minutes, _ in found]


def leading_durations(
    tokens: list[str], start: int, *, single: bool
) -> tuple[list[tuple[float, str]], int]:
    """Durations from tokens[start] up to the first non-duration: ((minutes, text)…, next)."""
    found: list[tuple[float, str]] = []
    end = start
    for text, first, last, _ in _duration_groups(tokens, start):
        minutes = _duration(text)
        # The rest of a token already taken (`15m,звонок`, or `/log resp 15m,40`): no note there.
        if first < end and (single or minutes is None):
            raise ParseError("bad-duration", value=shown(tokens[first]))
        if minutes is None or (single and found):
            break
        found.append((minutes, text))
        end = last + 1
    return found, end


def platform_word(token: str) -> str | None:
    word = token.lower().removeprefix("#")
    return word if word in PLATFORMS else None


def looks_like_date(token: str) -> bool:
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
        raise ParseError("date-invalid", value=shown(token)) from None
    if day > today:
        raise ParseError("date-future", value=shown(token))
    if (today - day).days > MAX_BACK_DAYS:
        raise ParseError("date-too-old", value=shown(token), days=MAX_BACK_DAYS)
    return day
