"""kpi/capture.py: reply-time pairing, new conversations, reconciling follower counts."""

from __future__ import annotations

import itertools

from kpi.capture import (
    Said,
    answer_comments,
    answer_customers,
    missed_moves,
    new_conversations,
)

MIN = 60


def _pairs(answers):
    return sorted((a.asked.message_id, a.answered.message_id, a.minutes) for a in answers)


def test_a_quoted_reply_answers_its_comment_and_a_reply_to_the_post_answers_all_waiting():
    thread = [
        Said(1, 0, "in", 50),
        Said(2, 10 * MIN, "in", 51),
        Said(3, 30 * MIN, "out", 7, reply_to=1),  # quotes comment 1 only
        Said(4, 40 * MIN, "in", 52),
        Said(5, 70 * MIN, "team", -100),  # to the post: 2 and 4 wait
        Said(6, 80 * MIN, "out", 8, reply_to=2),  # 2 was answered already
    ]
    assert _pairs(answer_comments(thread)) == [(1, 3, 30), (2, 5, 60), (4, 5, 30)]
    for order in itertools.permutations(thread):  # arrival order does not matter
        assert _pairs(answer_comments(order)) == [(1, 3, 30), (2, 5, 60), (4, 5, 30)]


def test_a_member_talking_first_answers_nothing_and_nothing_waits_forever():
    assert answer_comments([Said(1, 0, "out", 7), Said(2, 60, "in", 50)]) == []


def test_customers_wait_from_their_first_unanswered_message():
    chat = [Said(1, 0, "in", 60), Said(2, 5 * MIN, "in", 60), Said(3, 45 * MIN, "out", 4),
            Said(4, 50 * MIN, "out", 4), Said(5, 60 * MIN, "in", 60),
            Said(6, 70 * MIN, "out", 4)]  # fmt: skip
    assert _pairs(answer_customers(reversed(chat))) == [(1, 3, 45), (5, 6, 10)]


def test_a_conversation_opens_on_the_first_message_or_after_a_day_of_quiet():
    day = 24 * 3600
    chat = [Said(1, 0, "in", 60), Said(2, 60, "out", 4), Said(3, day, "in", 60),
            Said(4, 3 * day, "in", 60), Said(5, 3 * day + 5, "in", 60)]  # fmt: skip
    assert [s.message_id for s in new_conversations(chat)] == [1, 4]


def test_the_daily_count_explains_missed_joins_and_leaves():
    assert missed_moves(1000, 1007, joins=6, leaves=2) == (3, 0)
    assert missed_moves(1000, 1001, joins=6, leaves=2) == (0, 3)
    assert missed_moves(1000, 1004, joins=6, leaves=2) == (0, 0)
