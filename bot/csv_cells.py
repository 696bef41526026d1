"""One cell of a CSV row (bot/csvio.py): each parser returns what is stored or raises
ValueError with the reason the import shows on that line; the writers keep a spreadsheet from
reading a cell as a formula or a number as `1e-05`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from bot.parsing import (
    BAD_NOTE_CHARS,
    MAX_NOTE,
    ParseError,
    check_value,
    parse_duration_tokens,
    parse_number,
)
from kpi.metrics import PLATFORMS, resolve_metric
from kpi.models import Metric, MetricKind

OLDEST = date(2000, 1, 1)  # an earlier date is a typo, not history
MAX_USER_ID = 2**52  # Telegram: a user id has at most 52 significant bits
MAX_ENTRY_ID = 2**63 - 1  # SQLite's INTEGER
_YES, _NO = {"yes", "y", "да", "1", "true", "+"}, {"no", "n", "нет", "0", "false", "-", ""}
_ASCII_DIGITS = re.compile(r"[0-9]{1,30}")
MAX_NAME = 128
_FORMULA = ("=", "+", "-", "@", "\t", "\r")  # a cell starting so is a formula to a spreadsheet
_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_USERNAME = re.compile(r"^[A-Za-z0-9_]{1,32}$")


def metric(raw: str, custom: Mapping[str, Metric] | None) -> Metric:
    found = resolve_metric(raw, dict(custom or {})) if raw else None
    if found is None:
        raise ValueError(f"unknown metric {raw!r}" if raw else "empty")
    return found


def value(raw: str, metric: Metric) -> float:
    if not raw:
        raise ValueError("empty")
    try:
        try:
            value = parse_number(raw)
        except ParseError as error:
            if metric.kind is not MetricKind.DURATION or error.code != "not-a-number":
                raise
            minutes = parse_duration_tokens(raw.split())  # `1ч 30м` in a reply-time column
            if len(minutes) != 1:
                raise
            value = minutes[0]
        return check_value(metric, value, raw)
    except ParseError as error:
        raw_shown = shown(raw)
        reasons = {
            "not-a-number": f"{raw_shown!r} is not a number",
            "bad-duration": f"{raw_shown!r} is not a number",
            "value-negative": f"{raw_shown} is negative",
            "value-not-whole": f"{raw_shown} is not a whole number ({metric.key} counts events)",
            "value-too-large": f"{raw_shown} is over the maximum for {metric.key}"
            f" ({plain_number(metric.max_value)})",
            "number-too-large": f"{raw_shown} is over the maximum for {metric.key}"
            f" ({plain_number(metric.max_value)})",
        }
        raise ValueError(reasons.get(error.code, f"{raw_shown!r}: {error.code}")) from None


def day(raw: str, today: date) -> date:
    dmy = _DMY.match(raw)
    try:
        if dmy:
            day = date(int(dmy.group(3)), int(dmy.group(2)), int(dmy.group(1)))
        else:
            day = date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{raw!r} is not a date (write 2026-11-20)") from None
    if day > today:
        raise ValueError(f"{day.isoformat()} is in the future")
    if day < OLDEST:
        raise ValueError(f"{day.isoformat()} is before {OLDEST.isoformat()}")
    return day


def person_id(raw: str) -> int:
    if not _ASCII_DIGITS.fullmatch(raw) or not 0 < int(raw) < MAX_USER_ID:
        raise ValueError(f"{shown(raw)!r} is not a Telegram user id" if raw else "empty")
    return int(raw)


def name(raw: str) -> str:
    text = unguarded(raw)
    if len(text) > MAX_NAME or BAD_NOTE_CHARS.search(text) or "\n" in text:
        raise ValueError(f"longer than {MAX_NAME} characters or has control characters")
    return text


def username(raw: str) -> str | None:
    name = raw.removeprefix("@")
    if name and not _USERNAME.match(name):
        raise ValueError(f"{raw!r} is not a Telegram username")
    return name or None


def platform(raw: str) -> str | None:
    word = raw.lower().removeprefix("#")
    if word and word not in PLATFORMS:
        raise ValueError(f"unknown platform {raw!r} (known: {', '.join(sorted(PLATFORMS))})")
    return word or None


def note(raw: str) -> str | None:
    text = unguarded(raw)
    if len(text) > MAX_NOTE:
        raise ValueError(f"longer than {MAX_NOTE} characters")
    if BAD_NOTE_CHARS.search(text):
        raise ValueError("has control characters")
    return text or None


def entry_id(raw: str) -> int | None:
    if raw and (not _ASCII_DIGITS.fullmatch(raw) or not 0 < int(raw) <= MAX_ENTRY_ID):
        raise ValueError(f"{shown(raw)!r} is not an entry number")
    return int(raw) if raw else None


def member(raw: str) -> bool:
    word = raw.lower()
    if word not in _YES | _NO:
        raise ValueError(f"{shown(raw)!r}: write yes or leave it empty")
    return word in _YES


def instant(raw: str, today: date) -> datetime | None:
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):  # 0001-01-01T00:00+05:00 is before year 1 in UTC
        raise ValueError(f"{shown(raw)!r} is not an ISO date and time") from None
    if not OLDEST <= moment.date() <= today + timedelta(days=1):
        raise ValueError(f"{moment.isoformat()} is not when an entry could have been logged")
    return moment


def shown(raw: str) -> str:
    return raw if len(raw) <= 40 else raw[:39] + "…"


def plain_number(value: float) -> str:
    """`3`, `1.5`, never `1e-05`: what parse_number reads back, to the last digit."""
    value = float(value)
    if value.is_integer():
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def guarded(text: str) -> str:
    """A leading `'` keeps a spreadsheet from running `=…` typed into a note as a formula."""
    return "'" + text if text.startswith(_FORMULA) else text


def unguarded(raw: str) -> str:
    return raw[1:] if raw.startswith("'") and raw[1:].startswith(_FORMULA) else raw
