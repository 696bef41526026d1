"""Pure maths of captured Telegram activity: reply-time pairing, new conversations, and the
daily follower count reconciled with the joins and leaves seen (SPEC §10).

Times are Unix seconds as Telegram gives them; nothing here reads a clock or a database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Role = Literal["in", "out", "team"]  # a non-member/customer; a member; the channel/anonymous
CONVERSATION_GAP = 24 * 3600  # a customer writing after this much silence opens a new chat


@dataclass(frozen=True)
class Said:
    """One message of a thread or customer chat: who and when, never what."""

    message_id: int
    at: int
    role: Role
    user_id: int
    reply_to: int | None = None


@dataclass(frozen=True)
class Answer:
    asked: Said  # the comment or the customer's first waiting message
    answered: Said  # the first reply by the team

    @property
    def minutes(self) -> float:
        return max(0, self.answered.at - self.asked.at) / 60


def _ordered(said: Iterable[Said]) -> list[Said]:
    return sorted(said, key=lambda s: (s.at, s.message_id))


def answer_comments(thread: Iterable[Said]) -> list[Answer]:
    """Each non-member comment with the team's first reply after it.

    A reply that quotes a waiting comment answers that comment; a reply to the post answers
    every comment still waiting. The result does not depend on the order updates arrived in.
    """
    waiting: dict[int, Said] = {}
    answers = []
    for said in _ordered(thread):
        if said.role == "in":
            waiting[said.message_id] = said
        elif said.reply_to in waiting:
            answers.append(Answer(waiting.pop(said.reply_to), said))
        elif said.reply_to is None or said.reply_to not in {a.asked.message_id for a in answers}:
            answers += [Answer(asked, said) for asked in waiting.values()]
            waiting.clear()
    return answers


def answer_customers(chat: Iterable[Said]) -> list[Answer]:
    """From the customer's first unanswered message to the member's next reply."""
    answers, first = [], None
    for said in _ordered(chat):
        if said.role == "in":
            first = first or said
        elif first is not None:
            answers.append(Answer(first, said))
            first = None
    return answers


def new_conversations(chat: Iterable[Said], gap: int = CONVERSATION_GAP) -> list[Said]:
    """Customer messages that open a conversation: the chat's first, or after `gap` of quiet."""
    opened, last = [], None
    for said in _ordered(chat):
        if said.role == "in" and (last is None or said.at - last > gap):
            opened.append(said)
        last = said.at
    return opened


def missed_moves(before: int, after: int, joins: int, leaves: int) -> tuple[int, int]:
    """(joins, leaves) the updates missed between two follower counts.

    The counts are the truth; what the seen joins and leaves do not explain is added as
    joins (the channel grew more) or leaves (it shrank more).
    """
    unexplained = (after - before) - (joins - leaves)
    return (unexplained, 0) if unexplained > 0 else (0, -unexplained)
