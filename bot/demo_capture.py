"""`kpibot demo`, the Telegram part: the sample team's channel, its discussion group and a
member's Business chats, fed through the same capture storage the live updates use, so the
digests show posts, reactions, subscribers (by source) and reply times the bot counted."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kpi.capture import Said
from kpi.periods import local_today
from storage.capture import Channel, Connection
from storage.repository import Repository

CHANNEL_ID = -1001000000777
DISCUSSION_ID = -1001000000778
CAPTURED = frozenset({"posts", "likes", "comments", "followers", "unsubscribes"})
SOURCES = ("https://t.me/+demoBlogger", "https://t.me/+demoVkAds")
CAPTURE_WEEKS = 6  # the channel was linked six weeks ago; older numbers were typed


async def seed_capture(
    repo: Repository, team_id: int, people: list[tuple[int, str]], first: date, last: date,
    followers: int, now: datetime, seed: int = 11,
) -> None:  # fmt: skip
    """Captured activity from `first` to `last` (inclusive), starting at `followers`."""
    rng = random.Random(seed)
    team = await repo.teams.get(team_id)
    assert team is not None
    tz = team.settings.timezone
    capture = repo.capture
    await capture.link(Channel(CHANNEL_ID, team_id, "Север", "sever_smm", DISCUSSION_ID, True),
                       people[0][0], now)  # fmt: skip
    for link, name in zip(SOURCES, ("Блогер", "Реклама ВК"), strict=True):
        await capture.add_link(link, CHANNEL_ID, name, people[0][0], now)
    await capture.connect(Connection("demo-business", people[0][0], team_id, True))
    await capture.count(team_id, CHANNEL_ID, first - timedelta(days=1), followers, now)

    def day_of(at: int) -> date:
        return local_today(datetime.fromtimestamp(at, UTC), tz)

    message_id, fan = 1, 10_000_000
    day = first
    while day <= last:
        morning = int(datetime.combine(day, time(9), ZoneInfo(tz)).timestamp())
        for _ in range(rng.choice((1, 2, 2, 3)) if day.weekday() < 5 else rng.choice((0, 1))):
            author = rng.choice(people)
            at = morning + rng.randint(0, 9 * 3600)
            await capture.post(team_id, CHANNEL_ID, message_id, None, day, author[1], now)
            await capture.reactions(team_id, CHANNEL_ID, message_id, rng.randint(40, 160),
                                    at + 3600, now)  # fmt: skip
            await capture.thread(DISCUSSION_ID, message_id, CHANNEL_ID, message_id)
            for k in range(rng.randint(0, 4)):  # comments, each answered by a member
                asked = at + rng.randint(600, 7200)
                fan += 1
                comment = message_id * 100 + 2 * k
                answered = asked + int(rng.lognormvariate(3.2, 0.7) * 60)
                for said in (Said(comment, asked, "in", fan),
                             Said(comment + 1, answered, "out", rng.choice(people)[0], comment)):
                    await capture.talk(said, DISCUSSION_ID, message_id, "discussion", team_id,
                                       CHANNEL_ID, now, day_of)  # fmt: skip
            message_id += 1
        for source in (*SOURCES, None):  # joins by link and otherwise, and a few leaves
            for _ in range(rng.randint(0, 12 if source else 20)):
                fan += 1
                followers += 1
                await capture.move(team_id, CHANNEL_ID, fan, morning + rng.randint(0, 50_000),
                                   1, source, day, now)  # fmt: skip
        for _ in range(rng.randint(2, 9)):
            followers -= 1
            await capture.move(team_id, CHANNEL_ID, fan - rng.randint(0, 500),
                               morning + rng.randint(0, 50_000), -1, None, day, now)  # fmt: skip
        for chat in range(rng.randint(0, 3) if day.weekday() < 5 else 0):  # customer chats
            customer = 20_000_000 + day.toordinal() * 10 + chat
            asked = morning + rng.randint(0, 8 * 3600)
            for said in (Said(1, asked, "in", customer),
                         Said(2, asked + int(rng.lognormvariate(3.0, 0.6) * 60), "out",
                              people[0][0])):  # fmt: skip
                await capture.talk(said, customer, customer, "business", team_id,
                                   people[0][0], now, day_of)  # fmt: skip
        await capture.count(team_id, CHANNEL_ID, day, followers, now, final=True)
        day += timedelta(days=1)

