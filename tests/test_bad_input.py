"""Hypothesis-made arguments for every command, through the real dispatcher and SQLite.

Each input is either stored as meant or refused with a message; never an internal error, and
a refusal leaves the database as it was.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.harness import BotHarness

GROUP = -1007878
COMMANDS = ("lead", "qlead", "post", "sale", "resp", "log", "kpi", "me", "top", "target",
            "targets", "history", "undo", "remind", "report", "metric", "export")  # fmt: skip
NASTY = st.sampled_from([
    "-1", "1e308", "nan", "inf", "−5", "99999999999999999999", "0", "1,5", "12 500",
    "'; DROP TABLE entries;--", "\x00", "🔥🔥", "שלום", "\u202eRTL", "31.02", "29.02.2027",
    "00.00", "2026-13-01", "вчера", "01.01.1900", "leads", "followers", "vk", "@nobody",
    "week", "quarter", "1:99", "1ч 30м", "x" * 4096, "<b>", "&amp;",
])  # fmt: skip
ARGS = st.one_of(
    st.text(max_size=60),
    st.lists(NASTY | st.text(max_size=8), max_size=5).map(" ".join),
)
INTERNAL_ERROR = "Что-то пошло не так"


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(command=st.sampled_from(COMMANDS), args=ARGS)
async def test_any_arguments_are_stored_or_refused(harness: BotHarness, command, args):
    fake = harness.fake
    user = fake.user(2, "Аня", username="anya", language_code="ru")
    group = fake.group(GROUP, "Команда")
    text = f"/{command} {args}".strip()[:4096]
    before = await harness.repo.entries.count(include_deleted=True)
    mark = fake.mark()
    fake.send_message(group, user, text)
    await fake.wait_idle(10)
    replies = [s.text or "" for s in fake.sent[mark:]]
    assert replies, f"no reply to {text[:80]!r}"
    assert not any(INTERNAL_ERROR in r for r in replies), (text[:80], replies)
    after = await harness.repo.entries.count(include_deleted=True)
    if not any(r.startswith("✅") for r in replies):
        assert after == before, (text[:80], replies)
    assert not fake.errors
