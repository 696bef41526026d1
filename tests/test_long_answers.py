"""Long answers arrive whole and in order, each part within Telegram's limits."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.chunks import TEXT_LIMIT, size, split_text
from storage.records import Person
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram_objects import parse_html
from tests.harness import BotHarness
from tests.test_hostile_text import _say

GROUP = -1006060
BOSS = 1
LINES = st.lists(
    st.text(st.sampled_from(list("ab <>&;ф🔥")), max_size=300).map(
        lambda s: s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    )
    | st.sampled_from(["<b>title</b>", "<i>a\nb</i>", "x" * 5000, "<b>" + "y " * 3000 + "</b>"]),
    max_size=40,
).map("\n".join)


@given(LINES)
def test_parts_fit_and_keep_every_character_in_order(text: str) -> None:
    parts = split_text(text, 1000)
    for part in parts:
        assert size(part) <= 1000
        parse_html(part)  # every part is valid Telegram HTML on its own
    seen = "".join("".join(parse_html(p)[0].split()) for p in parts)
    assert seen == "".join(parse_html(text)[0].split())  # nothing lost, nothing moved


def test_short_text_is_one_part() -> None:
    assert split_text("a\nb") == ["a\nb"]


async def test_kpi_for_thirty_people_with_three_targets_each(harness: BotHarness) -> None:
    fake: FakeTelegram = harness.fake
    fake.set_admins(GROUP, [BOSS])
    group = fake.group(GROUP, "Большая команда")
    boss = fake.user(BOSS, "Ольга", username="boss")
    await _say(harness, group, boss, "/lead 1")
    now = harness.clock.now()
    for n in range(2, 32):  # joined earlier: a name of Telegram's full length
        person = Person(n, f"Сотрудник {n:02d} " + "Ж" * 50, f"user{n}", "ru")
        await harness.repo.teams.ensure_member(GROUP, person, now)
    office = fake.private_chat(boss)
    for n in range(2, 32):
        for target in (f"leads {n}", f"posts {n}", f"qualified_leads {n}"):
            await _say(harness, office, boss, f"/target {target} month @user{n}")
    parts = await _say(harness, office, boss, "/kpi")
    assert len(parts) > 1
    assert all(size(p.params["text"]) <= TEXT_LIMIT for p in parts)
    text = "\n".join(p.text or "" for p in parts)
    order = [text.index(f"Сотрудник {n:02d}") for n in range(2, 32)]
    assert len(order) == 30
    assert parts[0].message.get("reply_to_message")  # the first part answers the command
