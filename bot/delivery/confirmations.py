"""What the outbox stores for a confirmation and how merged confirmations read: pure functions.

A confirmation is queued with its own text (sent as it is when it goes alone) and its part of
a merged message, as JSON: per metric what was added and the person's running total, already
formatted in the team's language. Names (people, custom metrics) stay raw in the JSON and
reach the message only as Fluent arguments, which the Translator escapes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from aiogram.types import Message

from bot import texts as fmt
from bot.i18n import Html, Texts
from bot.logbook import Recorded
from bot.views import value_text
from kpi.models import Metric, MetricKind
from storage.outbox import Confirmation
from storage.records import Person


def confirmation(
    message: Message, revision: int, person: Person, t: Texts, text: str, now: datetime
) -> Confirmation:
    """The outbox row for one handled logging command; its `merge` part comes from
    `merge_part` when it is queued (a confirmation sent straight away never merges)."""
    thread = message.message_thread_id if message.is_topic_message else None
    return Confirmation(
        message.chat.id, message.message_id, revision, thread, person.id, person.display,
        t.lang, text, "", now,
    )  # fmt: skip


def merge_part(rec: Recorded, t: Texts, currency: str, custom: dict[str, Metric]) -> str:
    """A confirmation's part of a merged message, as stored in the outbox (JSON)."""
    merge = {"edited": bool(rec.result.replaced), "lines": merge_lines(rec, t, currency, custom)}
    return json.dumps(merge, ensure_ascii=False, separators=(",", ":"))


def merge_lines(
    rec: Recorded, t: Texts, currency: str, custom: dict[str, Metric]
) -> list[dict[str, object]]:
    period = fmt.period_label(rec.period, t)
    lines: list[dict[str, object]] = []
    for run in rec.running:
        name = fmt.metric_name(run.metric.key, t, custom)
        kind = run.metric.kind
        if kind is MetricKind.GAUGE:
            shown = value_text(run.metric, run.added[-1], t, currency)
            lines.append({"kind": "gauge", "name": name, "added": [shown], "period": period})
            continue
        added = [value_text(run.metric, v, t, currency) for v in run.added]
        if kind is not MetricKind.DURATION:  # one command's values count as one addition
            added = [value_text(run.metric, sum(run.added), t, currency)]
        mine = value_text(run.metric, run.mine, t, currency) if run.mine is not None else "—"
        lines.append({
            "kind": "median" if kind is MetricKind.DURATION else "sum",
            "name": name, "added": added, "total": mine, "period": period,
        })  # fmt: skip
    return lines


def merged_text(items: Sequence[Confirmation], t: Texts) -> str:
    """One message for several confirmations: each person once, in the order they first
    appear, with every value they logged and their running total after the last one."""
    people: dict[int, tuple[str, bool, dict[tuple[str, str, str], dict]]] = {}
    for item in items:
        data = json.loads(item.merge)
        name, edited, metrics = people.get(item.user_id, (item.person, False, {}))
        for line in data["lines"]:
            key = (line["kind"], line["name"], line["period"])
            slot = metrics.setdefault(key, {"added": [], "total": None})
            slot["added"] += line["added"]
            slot["total"] = line.get("total")
        people[item.user_id] = (name, edited or data["edited"], metrics)
    lines = []
    for name, edited, metrics in people.values():
        parts = [_part(kind, metric, period, slot, t) for (kind, metric, period), slot in
                 metrics.items()]  # fmt: skip
        lines.append(
            t("outbox-person", person=name, items=Html("; ".join(parts)),
              edited="yes" if edited else "no")
        )  # fmt: skip
    return t("outbox-merged", count=len(items), people=Html("\n".join(lines)))


def _part(kind: str, name: str, period: str, slot: dict, t: Texts) -> str:
    added: list[str] = slot["added"]
    if kind == "gauge":
        return t("outbox-gauge", name=name, value=added[-1])
    if kind == "median":
        return t("outbox-median", name=name, values=", ".join(added), median=slot["total"],
                 period=period)  # fmt: skip
    return t("outbox-sum", name=name, values=", +".join(added), total=slot["total"],
             period=period)  # fmt: skip
