"""The /settings menu: options per setting, and turning a pressed button into a stored value."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import texts as fmt
from bot.i18n import Texts
from storage.records import Team

TIMEZONES = (
    "Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk",
    "Asia/Novosibirsk", "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok",
    "Asia/Magadan", "Asia/Kamchatka", "Europe/Minsk", "Asia/Almaty", "Asia/Tashkent",
    "Europe/Berlin", "UTC",
)  # fmt: skip
CURRENCIES = ("RUB", "USD", "EUR", "KZT", "BYN", "UZS")
SLA_MINUTES = (30, 60, 120, 240, 480, 1440, 2880)
RISK_PCT = (5, 10, 15, 20, 25, 30)
DIGEST_TIMES = ("09:00", "10:00", "11:00", "12:00", "15:00", "17:00", "18:00", "19:00")
REMINDER_TIMES = ("16:00", "17:00", "18:00", "19:00", "20:00", "21:00")
FIELDS = ("timezone", "language", "sla", "currency", "risk", "workdays", "digest_day",
          "digest_time", "reminder_time")  # fmt: skip


class SettingsCb(CallbackData, prefix="set"):
    team_id: int
    field: str  # "menu" for the main screen, else one of FIELDS
    value: str = ""  # empty: show the options; else the chosen option


def summary(team: Team, t: Texts) -> str:
    s = team.settings
    days = ", ".join(t(f"weekday-{d}") for d in sorted(s.workdays)) or "—"
    return t(
        "settings-summary",
        team=team.title,
        timezone=s.timezone,
        language=t(f"language-{s.language}"),
        sla=fmt.duration(s.sla_minutes, t),
        currency=s.currency,
        risk=fmt.number(s.risk_pct, t.lang, 0),
        workdays=days,
        digest_day=t(f"weekday-{team.schedule.digest_weekday}"),
        digest_time=team.schedule.digest_time,
        reminder_time=team.schedule.reminder_time,
    )


def main_menu(team_id: int, t: Texts) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for field in FIELDS:
        builder.button(text=t(f"settings-btn-{field}"), callback_data=SettingsCb(
            team_id=team_id, field=field))  # fmt: skip
    builder.adjust(2)
    return builder.as_markup()


def options(team: Team, field: str, t: Texts) -> InlineKeyboardMarkup:
    s = team.settings
    choices: list[tuple[str, str]]
    if field == "timezone":
        choices = [(z, z) for z in TIMEZONES]
    elif field == "language":
        choices = [("ru", t("language-ru")), ("en", t("language-en"))]
    elif field == "sla":
        choices = [(str(m), fmt.duration(m, t)) for m in SLA_MINUTES]
    elif field == "currency":
        choices = [(c, c) for c in CURRENCIES]
    elif field == "risk":
        choices = [(str(p), f"{p}\u00a0%") for p in RISK_PCT]
    elif field == "digest_day":
        choices = [(str(d), t(f"weekday-{d}")) for d in range(7)]
    elif field == "digest_time":
        choices = [(x.replace(":", ""), x) for x in DIGEST_TIMES]  # ":" separates callback fields
    elif field == "reminder_time":
        choices = [(x.replace(":", ""), x) for x in REMINDER_TIMES]
    else:  # workdays: each button toggles one day
        choices = [
            (str(d), ("✅ " if d in s.workdays else "▫️ ") + t(f"weekday-{d}")) for d in range(7)
        ]
    builder = InlineKeyboardBuilder()
    for value, label in choices:
        builder.button(
            text=label, callback_data=SettingsCb(team_id=team.id, field=field, value=value)
        )
    builder.button(text=t("settings-back"), callback_data=SettingsCb(team_id=team.id, field="menu"))
    builder.adjust(2 if field in ("language", "currency", "risk") else 3)
    return builder.as_markup()


def to_update(team: Team, field: str, value: str) -> dict[str, object] | None:
    """The column values a pressed option stores; None for a value not on offer."""
    if field == "timezone" and value in TIMEZONES:
        return {"timezone": value}
    if field == "language" and value in ("ru", "en"):
        return {"language": value}
    if field == "currency" and value in CURRENCIES:
        return {"currency": value}
    if field == "sla" and value.isdigit() and int(value) in SLA_MINUTES:
        return {"sla_minutes": float(value)}
    if field == "risk" and value.isdigit() and int(value) in RISK_PCT:
        return {"risk_pct": float(value)}
    if field == "digest_day" and value.isdigit() and int(value) < 7:
        return {"digest_weekday": int(value)}
    clock = f"{value[:2]}:{value[2:]}"
    if field == "digest_time" and clock in DIGEST_TIMES:
        return {"digest_time": clock}
    if field == "reminder_time" and clock in REMINDER_TIMES:
        return {"reminder_time": clock}
    if field == "workdays" and value.isdigit() and int(value) < 7:
        days = set(team.settings.workdays) ^ {int(value)}
        return {"workdays": frozenset(days)} if days else None  # keep at least one workday
    return None
