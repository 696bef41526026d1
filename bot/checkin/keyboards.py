"""The check-in's buttons: the metric list, the number pad, and their callback data.

Callback data is untrusted: a client can send any string of up to 64 bytes. CheckinButton
parses the fields by type; `valid()` checks the action and its argument; the handler then
checks the check-in's owner and version against SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Texts
from kpi.metrics import CUSTOM_KEY_RE
from storage.checkin import Checkin

QUICK_MINUTES = ("5", "15", "30", "60", "120")
MAX_DIGITS = 9
# action -> what its argument may be
_ARGS = {
    "m": "metric", "d": "digit", "b": "", "ok": "", "q": "quick", "x": "", "more": "",
    "day": "day", "done": "",
}  # fmt: skip


class CheckinButton(CallbackData, prefix="ck"):
    c: int  # the check-in's id
    v: int  # its version when the button was drawn
    a: str  # action: see _ARGS
    x: str = ""  # the action's argument

    def valid(self) -> bool:
        kind = _ARGS.get(self.a)
        if kind is None:
            return False
        if kind == "metric":
            return bool(CUSTOM_KEY_RE.match(self.x))  # built-in keys fit it too
        if kind == "digit":
            return len(self.x) == 1 and self.x.isdigit()
        if kind == "quick":
            return self.x in QUICK_MINUTES
        if kind == "day":
            return self.x in ("t", "y")
        return self.x == ""


def _button(text: str, ci: Checkin, action: str, arg: str = "") -> InlineKeyboardButton:
    data = CheckinButton(c=ci.id, v=ci.version, a=action, x=arg).pack()
    return InlineKeyboardButton(text=text, callback_data=data)


def metric_list(
    ci: Checkin,
    shown: Sequence[tuple[str, str]],
    has_more: bool,
    is_today: bool,
    t: Texts,
) -> InlineKeyboardMarkup:
    """A button per metric (key, plain label), two a row; «Ещё…»; the day switch, «Готово»."""
    rows: list[list[InlineKeyboardButton]] = []
    buttons = [_button(label, ci, "m", key) for key, label in shown]
    rows += [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    if has_more:
        rows.append([_button(t.plain("checkin-more"), ci, "more")])
    switch = (
        _button(t.plain("checkin-yesterday"), ci, "day", "y")
        if is_today
        else _button(t.plain("checkin-today"), ci, "day", "t")
    )
    rows.append([switch, _button(t.plain("checkin-done"), ci, "done")])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def number_pad(ci: Checkin, duration: bool, t: Texts) -> InlineKeyboardMarkup:
    """0–9, ⌫, ✅; durations also get quick choices (5м … 2ч)."""
    rows: list[list[InlineKeyboardButton]] = []
    if duration:
        rows.append([_button(t.plain(f"checkin-quick-{m}"), ci, "q", m) for m in QUICK_MINUTES])
    for line in ("123", "456", "789"):
        rows.append([_button(d, ci, "d", d) for d in line])
    rows.append([_button("⌫", ci, "b"), _button("0", ci, "d", "0"), _button("✅", ci, "ok")])
    rows.append([_button(t.plain("checkin-back"), ci, "x")])
    return InlineKeyboardMarkup(inline_keyboard=rows)
