"""Issue 12: the check-in's pure parts — metric order and callback data checks."""

from __future__ import annotations

from datetime import date

from bot.checkin.flow import expected_metrics
from bot.checkin.keyboards import CheckinButton
from kpi.metrics import BUILTIN_METRICS
from kpi.models import Direction, PeriodKind, Target

DAY = date(2026, 11, 20)


def _target(kpi: str, user_id: int | None = None, since: date = date(2026, 11, 1)) -> Target:
    return Target(1, kpi, PeriodKind.MONTH, 10, Direction.AT_LEAST, since, user_id, 1)


def test_targets_first_then_used_then_the_common_ones():
    targets = [_target("sales"), _target("response_median", user_id=7), _target("views", 8)]
    shown, rest = expected_metrics(BUILTIN_METRICS, targets, ["likes", "sales"], 7, DAY)
    # the person's own target, the team's, then what they used; someone else's target is not theirs
    assert shown == ["response_time", "sales", "likes"]
    assert "views" in rest and set(shown).isdisjoint(rest)
    assert set(shown) | set(rest) == set(BUILTIN_METRICS)


def test_a_newcomer_gets_the_common_three_and_a_future_target_waits():
    shown, _ = expected_metrics(BUILTIN_METRICS, [_target("sales", since=date(2026, 12, 1))],
                                [], 7, DAY)  # fmt: skip
    assert shown == ["leads", "posts", "response_time"]


def test_callback_data_is_checked_field_by_field():
    ok = CheckinButton(c=1, v=2, a="d", x="7")
    assert ok.valid() and CheckinButton.unpack(ok.pack()) == ok
    for bad in (
        CheckinButton(c=1, v=2, a="d", x="77"),
        CheckinButton(c=1, v=2, a="m", x="Leads; DROP"),
        CheckinButton(c=1, v=2, a="q", x="7"),
        CheckinButton(c=1, v=2, a="rm", x=""),
        CheckinButton(c=1, v=2, a="ok", x="1"),
        CheckinButton(c=1, v=2, a="day", x="tomorrow"),
    ):
        assert not bad.valid(), bad
