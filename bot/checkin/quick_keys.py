"""The persistent reply keyboard in the private chat: the person's four most used actions."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import KeyboardButton, ReplyKeyboardMarkup

from bot import texts as fmt
from bot.i18n import Texts
from kpi.models import Metric, MetricKind

# Counters a «+1» press logs at once, with the command it stands for.
PLUS_ONE = {"leads": "lead", "posts": "post", "qualified_leads": "qlead", "sales": "sale"}
DEFAULT_ORDER = ("leads", "posts", "response_time")


@dataclass(frozen=True)
class QuickAction:
    label: str
    kind: str  # plus: log 1 at once | pad: open the check-in on the metric | kpi: the month
    metric: str = ""


def _action(key: str, metric: Metric, t: Texts, metrics: dict[str, Metric]) -> QuickAction:
    if key in PLUS_ONE:
        return QuickAction(t.plain(f"keys-plus-{key}"), "plus", key)
    if metric.kind is MetricKind.DURATION:
        return QuickAction(t.plain("keys-time", name=fmt.metric_label(key, t, metrics)), "pad", key)
    return QuickAction(t.plain("keys-pad", name=fmt.metric_label(key, t, metrics)), "pad", key)


def actions(used: list[str], metrics: dict[str, Metric], t: Texts) -> list[QuickAction]:
    """Three metric actions (most used first, then the common ones) and «📊 KPI»."""
    keys = [k for k in dict.fromkeys([*used, *DEFAULT_ORDER]) if k in metrics][:3]
    return [
        *(_action(k, metrics[k], t, metrics) for k in keys),
        QuickAction(t.plain("keys-kpi"), "kpi"),
    ]


def match(text: str, metrics: dict[str, Metric], t: Texts) -> QuickAction | None:
    """The action a key's text stands for (any metric's key: the keyboard may be older than
    the person's latest habits)."""
    kpi = QuickAction(t.plain("keys-kpi"), "kpi")
    candidates = [kpi, *(_action(k, m, t, metrics) for k, m in metrics.items())]
    return next((a for a in candidates if a.label == text), None)


def keyboard(quick: list[QuickAction]) -> ReplyKeyboardMarkup:
    buttons = [KeyboardButton(text=a.label) for a in quick]
    return ReplyKeyboardMarkup(
        keyboard=[buttons[:2], buttons[2:]], is_persistent=True, resize_keyboard=True
    )
