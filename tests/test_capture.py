"""Issue 11, slice by slice: linking a channel, posts, reactions, subscribers, comments,
Business chats, provenance — through the real dispatcher against the fake Bot API."""

from __future__ import annotations

import asyncio
import csv
import io
import threading
import time
from datetime import UTC, date, datetime

from bot.capture.subscribers import FollowerCounts
from kpi.metrics import BUILTIN_METRICS
from kpi.models import Period, PeriodKind
from storage import steps
from storage.capture_units import NewPost
from tests import fake_channel as tg
from tests.harness import BotHarness

GROUP, CHANNEL, TALK = -1007001, -1007002, -1007003
WEEK = Period(PeriodKind.WEEK, date(2026, 11, 16), date(2026, 11, 23))


def at(day: int, hour: int, minute: int = 0) -> int:
    """Unix time of 2026-11-<day> hh:mm UTC (Moscow is UTC+3)."""
    return int(datetime(2026, 11, day, hour, minute, tzinfo=UTC).timestamp())


def setup(harness: BotHarness, *, discussion: bool = True, admin: bool = True):
    fake = harness.fake
    boss = fake.user(1, "Ольга", username="olga")
    anya = fake.user(2, "Аня", username="anya")
    fake.set_admins(GROUP, [1])
    group = fake.group(GROUP, "SMM Север")
    talk = fake.group(TALK, "Север: обсуждение") if discussion else None
    chan = tg.channel(fake, CHANNEL, "Север", "sever_news", subscribers=1000, discussion=talk,
                      admin=admin)  # fmt: skip
    return fake, group, chan, talk, boss, anya


async def totals(harness: BotHarness, period: Period = WEEK) -> dict[str, float]:
    data = await harness.repo.entries.period_data(GROUP, period, BUILTIN_METRICS)
    out = {k: sum(v.values()) for k, v in data.sums.items()}
    out.update({k: v for k, v in data.gauge_last.items()})
    return out


async def test_linking_checks_admin_rights_and_lists_and_unlinks(harness: BotHarness):
    fake, group, _, _, boss, anya = setup(harness, admin=False)
    assert "менеджер" in await harness.say(group, anya, "/channel @sever_news")
    assert "не администратор" in await harness.say(group, boss, "/channel @sever_news")
    fake.set_member_status(CHANNEL, fake.bot_user["id"], "administrator")
    tg.withhold(fake, CHANNEL, "can_invite_users")
    reply = await harness.say(group, boss, "/channel @sever_news")
    assert "подключён" in reply and "can_invite_users" in reply
    assert "Группа обсуждений подключена" in reply and "1\xa0000" in reply
    assert "@sever_news" in await harness.say(group, boss, "/channel")
    assert "не канал" in await harness.say(group, boss, f"/channel {GROUP}")
    assert "отключён" in await harness.say(group, boss, "/channel off @sever_news")
    assert "не подключён" in await harness.say(group, boss, "/channel")
    assert await harness.repo.capture.channels(GROUP) == []


async def test_log_of_a_captured_metric_is_refused_once_a_channel_is_linked(harness: BotHarness):
    _, group, _, _, boss, anya = setup(harness)
    assert "✅" in await harness.say(group, anya, "/log likes 5")
    await harness.say(group, boss, "/channel @sever_news")
    reply = await harness.say(group, anya, "/log likes 5")
    assert "считает сам" in reply and "/log likes 5 vk" in reply
    assert "✅" in await harness.say(group, anya, "/log likes 5 vk")
    assert "✅" in await harness.say(group, anya, "/log views 900")  # views stay typed


async def settle(harness: BotHarness) -> None:
    await harness.fake.wait_idle(timeout=10)


async def test_a_week_of_channel_life_counts_as_worked_out_by_hand(harness: BotHarness):
    fake, group, chan, talk, boss, anya = setup(harness)
    boris = fake.user(3, "Борис", username="boris")
    vera = fake.user(4, "Вера", username="vera")
    fans = [fake.user(100 + i, f"Fan{i}") for i in range(10)]
    # Monday 16.11: link, signatures, invite links.
    fake.now = at(16, 6)
    harness.clock.moment = datetime.fromtimestamp(fake.now, UTC)
    await harness.say(group, boss, "/channel @sever_news")  # 1000 followers read now
    await harness.say(group, anya, "/iam Анна К.")
    await harness.say(group, boris, "/kpi")  # Борис joins the team; credited by his name
    await harness.say(group, vera, "/iam Вера")
    blog = (await harness.say(group, boss, "/invite Блогер")).split(": ")[1].split("\n")[0]
    ads = (await harness.say(group, boss, "/invite Реклама")).split(": ")[1].split("\n")[0]
    assert blog.startswith("https://t.me/+") and ads != blog
    # Posts: Аня's text, Борис's album of three (one post), Вера's, one unsigned (the team).
    fake.now = at(16, 7)
    p1 = tg.post(fake, chan, signature="Анна К.")
    album = [tg.post(fake, chan, signature="Борис", album="a1", kind="photo") for _ in range(3)]
    fake.now = at(17, 7)
    p3 = tg.post(fake, chan, signature="Вера")
    tg.post(fake, chan)
    fake.queue_raw({"edited_channel_post": {**p1["channel_post"], "edit_date": at(17, 8)}})
    fake.redeliver(album[1])  # an album part again: still one post
    # Reactions: the latest total replaces; an older count arriving late is ignored.
    fake.now = at(16, 9)
    tg.reactions(fake, chan, p1["channel_post"]["message_id"], 3, 2)
    fake.now = at(16, 11)
    newer = tg.reactions(fake, chan, p1["channel_post"]["message_id"], 6, 2)
    fake.now = at(16, 10)
    tg.reactions(fake, chan, p1["channel_post"]["message_id"], 4, 1)  # late and stale
    fake.redeliver(newer)
    tg.reactions(fake, chan, album[0]["channel_post"]["message_id"], 10)
    tg.reactions(fake, chan, p3["channel_post"]["message_id"], 3)
    # Tuesday: joins through two links and without one, leaves, a redelivered join.
    fake.now = at(17, 9)
    joined = [tg.join(fake, chan, fans[i], blog) for i in range(3)]
    tg.join(fake, chan, fans[3], ads)
    tg.join(fake, chan, fans[4], ads)
    tg.join(fake, chan, fans[5])
    fake.redeliver(joined[0])
    fake.now = at(17, 15)
    tg.leave(fake, chan, fans[3])
    tg.leave(fake, chan, fans[5])
    await settle(harness)
    # Comments on Аня's post: answered by Аня after 30 min (quoting), then two answered by
    # Борис's one reply to the post after 60 and 50 min; on Вера's post the channel answers
    # after 2 h. The reply to the first one arrives before the comment (out of order).
    t1 = tg.thread_of(fake, chan, p1)
    fake.now = at(16, 12, 30)
    tg.comment(fake, talk, t1, user=anya)  # replies to the post: answers what waits
    fake.now = at(16, 12)
    c1 = tg.comment(fake, talk, t1, user=fans[6])
    fake.now = at(16, 13)
    tg.comment(fake, talk, t1, user=fans[7])
    fake.now = at(16, 13, 10)
    tg.comment(fake, talk, t1, user=fans[8])
    fake.now = at(16, 14)
    tg.comment(fake, talk, t1, user=boris)
    fake.redeliver(c1)
    t3 = tg.thread_of(fake, chan, p3)
    fake.now = at(17, 10)
    tg.comment(fake, talk, t3, user=fans[6])
    fake.now = at(17, 12)
    tg.comment(fake, talk, t3, as_chat=chan)
    # A customer chat through Вера's Business account.
    tg.connect_business(fake, vera, "biz-1")
    await settle(harness)  # connected before the customers write
    customer, other = fake.user(60, "Клиент"), fake.user(61, "Клиентка")
    fake.now = at(19, 6)
    tg.business_message(fake, "biz-1", customer, customer)
    fake.now = at(19, 6, 1)
    tg.business_message(fake, "biz-1", customer, vera, offline=True)  # away message
    fake.now = at(19, 6, 2)
    tg.business_message(fake, "biz-1", customer, vera, by_bot=fake.bot_user)  # a bot answered
    fake.now = at(19, 6, 5)
    tg.business_message(fake, "biz-1", customer, customer)
    fake.now = at(19, 6, 45)
    tg.business_message(fake, "biz-1", customer, vera)  # 45 min after the first
    fake.now = at(19, 12)
    tg.business_message(fake, "biz-1", customer, customer)  # same conversation (same day)
    fake.now = at(19, 12, 10)
    tg.business_message(fake, "biz-1", customer, vera)  # 10 min
    fake.now = at(20, 5)
    tg.business_message(fake, "biz-1", other, other)
    fake.now = at(20, 5, 20)
    tg.business_message(fake, "biz-1", other, vera)  # 20 min
    await settle(harness)
    # Wednesday's day-end count: 1000 + 6 joins − 2 leaves + 3 joins the bot never saw.
    tg.world(fake).counts[CHANNEL] += 3
    harness.clock.moment = datetime(2026, 11, 18, 20, 55, tzinfo=UTC)  # 23:55 in Moscow
    counts = FollowerCounts(harness.repo, harness.bot, harness.clock)
    assert await counts.tick() == 1
    assert await counts.tick() == 0  # once a day
    got = await totals(harness)
    assert got["posts"] == 4
    assert got["likes"] == 6 + 2 + 10 + 3
    assert got["comments"] == 4
    assert got["new_followers"] == 6 + 3 and got["unsubscribes"] == 2
    assert got["followers"] == 1007
    assert got["inbound_chats"] == 2
    # /kpi for the week, worked out by hand.
    harness.clock.moment = datetime(2026, 11, 20, 12, tzinfo=UTC)
    reply = await harness.say(group, boss, "/kpi week")
    for line in ("Публикации: <b>4</b>", "Лайки: <b>21</b>", "Комментарии: <b>4</b>",
                 "Новые подписчики: <b>9</b>", "Отписки: <b>2</b>", "Обращения: <b>2</b>",
                 "Подписчики: <b>1\xa0007</b>", "Медиана ответа: <b>45 мин</b>",
                 "Блогер: +3", "Реклама: +2", "без ссылки: +1"):  # fmt: skip
        assert line in reply, (line, reply)
    # 30, 60, 50, 120 (discussion) and 45, 10, 20 (Business): median 45; per person
    data = await harness.repo.entries.period_data(GROUP, WEEK, BUILTIN_METRICS)
    assert data.durations["response_time"] == {2: [30], 3: [60, 50], CHANNEL: [120],
                                               4: [45, 10, 20]}  # fmt: skip
    assert data.sums["posts"] == {2: 1, 3: 1, 4: 1, CHANNEL: 1}
    assert data.sums["likes"] == {2: 8, 3: 10, 4: 3}
    # The weekly digest on Monday carries the same numbers and the sources.
    harness.clock.moment = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)
    mark = fake.mark()
    await harness.digests.tick()
    sent = await fake.wait_sent(1, since=mark, chat_id=GROUP, timeout=20)
    digest = "\n".join(s.text or "" for s in fake.sent[mark:] if s.chat_id == GROUP) or sent[0].text
    for line in ("Публикации: <b>4</b>", "Лайки: <b>21</b>", "Медиана ответа: <b>45 мин</b>",
                 "Блогер: +3"):  # fmt: skip
        assert line in (digest or ""), (line, digest)


async def test_captured_entries_are_marked_not_undoable_and_only_managers_exclude_them(
    harness: BotHarness,
):
    fake, group, chan, _, boss, anya = setup(harness)
    await harness.say(group, boss, "/channel @sever_news")
    await harness.say(group, anya, "/iam Аня")
    fake.now = at(20, 9)
    p1 = tg.post(fake, chan, signature="Аня")
    await settle(harness)
    history = await harness.say(group, anya, "/history")
    buttons = [b for row in fake.sent[-1].buttons for b in row]
    assert len(buttons) == 1 and "🤖 авто" in buttons[0]["text"], history
    assert "нечего" in await harness.say(group, anya, "/undo")
    mark = fake.mark()
    fake.press_button(fake.sent[-2], buttons[0]["callback_data"], anya)  # her own, but captured
    answer = await fake.wait_calls("answerCallbackQuery", since=len(fake.calls) - 1)
    assert "менеджер" in str(answer[-1].params.get("text", ""))
    assert (await totals(harness, Period(PeriodKind.MONTH, date(2026, 11, 1),
                                        date(2026, 12, 1))))["posts"] == 1  # fmt: skip
    # The CSV export says which entries the bot counted.
    await harness.say(group, boss, "/export")
    document = next(s for s in reversed(fake.sent) if s.method == "sendDocument")
    body = next(iter(document.files.values())).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert any(r["metric"] == "posts" and r["captured"] == "channel" for r in rows), body
    assert all(r["captured"] in ("channel", "subscribers") for r in rows), body
    # A manager excludes it; the post delivered again does not bring it back.
    await harness.say(group, boss, "/captured")
    listed = fake.sent[-1]
    mark = fake.mark()
    fake.press_button(listed, listed.buttons[0][0]["callback_data"], boss)
    await fake.wait_sent(1, since=mark, chat_id=GROUP)
    fake.redeliver(p1)
    await settle(harness)
    month = Period(PeriodKind.MONTH, date(2026, 11, 1), date(2026, 12, 1))
    assert "posts" not in await totals(harness, month)


async def test_redelivered_and_reordered_updates_never_count_twice(harness: BotHarness):
    fake, group, chan, talk, boss, anya = setup(harness)
    fan, fan2 = fake.user(100, "Fan"), fake.user(101, "Fan2")
    fake.now = at(18, 6)
    harness.clock.moment = datetime.fromtimestamp(fake.now, UTC)
    await harness.say(group, boss, "/channel @sever_news")
    link = (await harness.say(group, boss, "/invite Блогер")).split(": ")[1].split("\n")[0]
    await harness.say(group, anya, "/kpi")  # Аня is a member: her comment is a reply
    fake.now = at(18, 7)
    # An album whose first part arrives last, and a reaction count before its post.
    parts = [tg.post(fake, chan, album="b1", kind="photo") for _ in range(3)]
    first = parts[0]["update_id"]
    fake._pending = [q for q in fake._pending if q.update["update_id"] != first]
    await settle(harness)
    fake.now = at(18, 8)
    early = tg.reactions(fake, chan, parts[0]["channel_post"]["message_id"], 7)
    await settle(harness)
    fake.redeliver(parts[0])
    thread = tg.thread_of(fake, chan, parts[0])
    updates = [
        *parts, early,
        tg.join(fake, chan, fan, link), tg.join(fake, chan, fan2), tg.leave(fake, chan, fan2),
        tg.comment(fake, talk, thread, user=fan),
    ]  # fmt: skip
    fake.now = at(18, 9)
    updates.append(tg.comment(fake, talk, thread, user=anya))
    await settle(harness)
    before = await totals(harness)
    assert before == {"posts": 1, "likes": 7, "new_followers": 2, "unsubscribes": 1,
                      "comments": 1, "followers": 1000}  # fmt: skip
    durations = (await harness.repo.entries.period_data(GROUP, WEEK, BUILTIN_METRICS)).durations
    assert durations == {"response_time": {2: [60.0]}}
    for update in reversed(updates):  # everything again, newest first
        fake.redeliver(update)
    await settle(harness)
    assert await totals(harness) == before
    again = (await harness.repo.entries.period_data(GROUP, WEEK, BUILTIN_METRICS)).durations
    assert again == durations
    sources = await harness.repo.capture.sources(GROUP, WEEK)
    assert sources == [(None, 1), ("Блогер", 1)]


async def test_polling_and_webhook_ask_for_the_updates_only_an_admin_bot_gets(
    harness: BotHarness,
):
    polls = await harness.fake.wait_calls("getUpdates")
    asked = set(polls[-1].params["allowed_updates"])
    needed = {"channel_post", "message_reaction_count", "chat_member", "business_connection",
              "business_message", "message"}  # fmt: skip
    assert needed <= asked
    assert needed <= set(harness.dp.resolve_used_update_types())  # what the webhook registers
    assert "edited_channel_post" not in asked  # edits change nothing: not even asked for


async def test_the_demo_team_has_captured_posts_reactions_subscribers_and_reply_times(tmp_path):
    from bot.demo import TEAM_ID, seed
    from storage.repository import Repository

    repo = await Repository.open(tmp_path / "demo.sqlite3")
    try:
        today = await seed(repo, datetime(2026, 11, 30, 12, tzinfo=UTC))
        rows = await repo.db.fetch(
            "SELECT metric, captured, COUNT(*) FROM entries WHERE captured IS NOT NULL"
            " GROUP BY metric, captured"
        )
        kinds = {(r[0], r[1]) for r in rows}
        assert {("posts", "channel"), ("likes", "channel"), ("followers", "subscribers"),
                ("new_followers", "subscribers"), ("comments", "discussion"),
                ("response_time", "discussion"), ("response_time", "business"),
                ("inbound_chats", "business")} <= kinds  # fmt: skip
        week = Period(PeriodKind.WEEK, date(2026, 11, 23), date(2026, 11, 30))
        assert today == date(2026, 11, 30)
        assert {name for name, _ in await repo.capture.sources(TEAM_ID, week)} == {
            "Блогер", "Реклама ВК", None}  # fmt: skip
    finally:
        await repo.close()


async def test_a_channels_next_update_does_not_wait_for_the_write_before(
    harness: BotHarness, monkeypatch
):
    """A channel's posts and reaction totals share one lane (they have no sender). Each
    queues its write in order and lets the lane go on; the counts come out the same."""
    fake, group, chan, _, boss, _ = setup(harness, discussion=False)
    fake.now = at(16, 9)
    await harness.say(group, boss, "/channel @sever_news")
    first = tg.post(fake, chan, signature="Анна К.")
    await settle(harness)
    posted, started, save, end = threading.Event(), threading.Event(), NewPost.save, steps.end

    def noted_save(self: NewPost, conn) -> None:
        posted.set()
        save(self, conn)

    def slow_end(conn, durable, *, commit=True) -> None:  # the writer's thread: a slow disk
        if posted.is_set() and commit:  # the next post's commit
            posted.clear()
            started.set()
            time.sleep(0.5)
        end(conn, durable, commit=commit)

    db, queued = harness.repo.db, []
    queue = db.queue  # every write is queued through it

    def noted_queue(work, *, durable=True):
        queued.append(work.__qualname__)
        return queue(work, durable=durable)

    monkeypatch.setattr(NewPost, "save", noted_save)
    monkeypatch.setattr(steps, "end", slow_end)
    monkeypatch.setattr(db, "queue", noted_queue)
    tg.post(fake, chan)  # one getUpdates batch: the post, a reaction total, a post
    tg.reactions(fake, chan, first["channel_post"]["message_id"], 4)
    tg.post(fake, chan)
    assert await asyncio.to_thread(started.wait, 5)
    await asyncio.sleep(0.2)  # the two updates behind it in the channel's lane ran meanwhile:
    # each queued its write (into the group being committed, or the next one)
    captured = [q for q in queued if not q.startswith(("InboxRepo", "OutboxRepo"))]
    assert len(captured) == 3, queued
    await settle(harness)
    await harness.dp["lanes"].drained()  # each update ends once its write committed
    assert (await totals(harness))["posts"] == 3
    assert (await totals(harness))["likes"] == 4
