"""Issue 3 end to end: managers set targets, specialists log, /kpi /top /targets show status."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.harness import BotHarness

GROUP = -1003131


async def test_targets_status_top_and_refusal(harness: BotHarness):
    fake = harness.fake
    boss = fake.user(1, "Ольга", username="olga", language_code="ru")
    anya = fake.user(2, "Аня", username="anya", language_code="ru")
    boris = fake.user(3, "Борис", username="boris", language_code="ru")
    group = fake.group(GROUP, "SMM")
    fake.set_admins(GROUP, [1])
    # Friday 20 Nov 2026: day 20 of 30; Mon–Fri workdays left: 20, 23–27, 30 = 7
    harness.clock.moment = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

    refused = await harness.say(group, anya, "/target leads 120 month")
    assert "менеджеры" in refused
    assert await harness.repo.targets.all(GROUP) == []

    reply = await harness.say(group, boss, "/target leads 120 month")
    assert "Лиды ≥ 120" in reply
    reply = await harness.say(group, boss, "/target response_time 1h")
    assert "Медиана ответа ≤ 1 ч" in reply
    reply = await harness.say(group, boss, "/target leads 50 month @anya")
    assert "для Аня" in reply

    await harness.say(group, anya, "/lead 30")
    await harness.say(group, boris, "/lead 18")
    await harness.say(group, anya, "/resp 20m 40m")

    text = await harness.say(group, boris, "/kpi")
    goals, _, rest = text.partition("Лиды: <b>48</b>")
    assert rest, text
    # 48 of 120 = 40 %; pace 120 × 20/30 = 80; forecast 48 / (20/30) = 72 → 60 % → off track
    # need (120 − 48) / 7 = 10,3 a day
    assert "❌ Лиды: 48 / 120 (40\u00a0%)" in goals
    assert "темп 80" in goals and "прогноз 72" in goals
    assert "ещё 10,3 в день, осталось 7 рабочих дней" in goals
    assert "✅ Медиана ответа: 30 мин / ≤1 ч" in goals
    # the person's own target, shown with the team's
    assert "Аня — Лиды: 30 / 50 (60\u00a0%)" in goals

    top = await harness.say(group, boss, "/top leads")
    assert top.index("Аня — 30") < top.index("Борис — 18")

    me = await harness.say(group, anya, "/me")
    assert "Аня — Лиды: 30 / 50" in me and "❌ Лиды: 48" not in me


async def test_target_history_judges_past_periods_by_their_target(harness: BotHarness):
    fake = harness.fake
    boss = fake.user(1, "Ольга", username="olga", language_code="ru")
    group = fake.group(GROUP, "SMM")
    fake.set_admins(GROUP, [1])
    harness.clock.moment = datetime(2026, 10, 15, 9, 0, tzinfo=UTC)
    await harness.say(group, boss, "/target leads 100 month")
    harness.clock.moment = datetime(2026, 11, 15, 9, 0, tzinfo=UTC)
    await harness.say(group, boss, "/target leads 200 month")
    await harness.say(group, boss, "/lead 5 10.10")
    october = await harness.say(group, boss, "/kpi 01.10..31.10")
    assert "/ 200" not in october  # a custom range has no target verdict
    targets = await harness.say(group, boss, "/targets")
    assert "5 / 100" not in targets and "/ 200" in targets


async def test_settings_buttons_change_language_for_managers_only(harness: BotHarness):
    fake = harness.fake
    boss = fake.user(1, "Ольга", language_code="ru")
    anya = fake.user(2, "Аня", language_code="ru")
    group = fake.group(GROUP, "SMM")
    fake.set_admins(GROUP, [1])
    assert "менеджеры" in await harness.say(group, anya, "/settings")
    mark = fake.mark()
    fake.send_message(group, boss, "/settings")
    menu = (await fake.wait_sent(1, since=mark, chat_id=GROUP))[0]
    assert "Europe/Moscow" in menu.message["text"]
    language = next(b for row in menu.buttons for b in row if "Язык" in b["text"])
    mark = fake.mark()
    fake.press_button(menu.message, language["callback_data"], boss)
    options = (await fake.wait_sent(1, since=mark, chat_id=GROUP))[0]
    english = next(b for row in options.buttons for b in row if b["text"] == "English")
    mark = fake.mark()
    fake.press_button(options.message, english["callback_data"], anya)  # not a manager
    answers = await fake.wait_calls("answerCallbackQuery", 2)  # the boss's press, then Аня's
    assert any("менеджеры" in a.params.get("text", "") for a in answers)
    team = await harness.repo.teams.get(GROUP)
    assert team is not None and team.settings.language == "ru"
    fake.press_button(options.message, english["callback_data"], boss)
    saved = (await fake.wait_sent(1, since=mark, chat_id=GROUP))[0]
    assert "Language: English" in saved.message["text"]
    assert "Leads" in await harness.say(group, anya, "/lead 1")


async def test_settings_digest_time_moves_the_weekly_digest(harness: BotHarness):
    fake = harness.fake
    boss = fake.user(1, "Ольга", language_code="ru")
    group = fake.group(GROUP, "SMM")
    fake.set_admins(GROUP, [1])
    mark = fake.mark()
    fake.send_message(group, boss, "/settings")
    menu = (await fake.wait_sent(1, since=mark, chat_id=GROUP))[0]
    button = next(b for row in menu.buttons for b in row if "Время отчётов" in b["text"])
    mark = fake.mark()
    fake.press_button(menu.message, button["callback_data"], boss)
    options = (await fake.wait_sent(1, since=mark, chat_id=GROUP))[0]
    noon = next(b for row in options.buttons for b in row if b["text"] == "12:00")
    mark = fake.mark()
    fake.press_button(options.message, noon["callback_data"], boss)
    saved = (await fake.wait_sent(1, since=mark, chat_id=GROUP))[0]
    assert "Еженедельный отчёт: Пн, 12:00" in saved.message["text"]
    team = await harness.repo.teams.get(GROUP)
    assert team is not None and team.schedule.digest_time == "12:00"
