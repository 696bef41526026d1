"""Sending logging confirmations: one alone, or several merged into one message, and how it
ended (bot/delivery/outbox.py decides what to send when and records the outcome)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiogram import Bot
from aiogram.types import ReplyParameters

from bot.delivery.confirmations import merged_text
from bot.delivery.lean import SendMessageForId
from bot.delivery.retry import ChatGone, Failed, Refused, Uncertain, delivered
from bot.delivery.send import split_text
from bot.i18n import Translator
from storage.outbox import Confirmation

log = logging.getLogger("bot.delivery.outbox")  # what operators filter the outbox by


@dataclass(frozen=True)
class Outcome:
    """How a send ended: sent, uncertain (a timeout: it may have arrived), failed (refused for
    good), or None: Telegram kept failing for now, to be tried again later."""

    state: str | None
    message_id: int | None = None
    error: str | None = None


async def send_confirmations(
    bot: Bot, chat_id: int, items: list[Confirmation], translator: Translator
) -> Outcome:
    """One confirmation, or several as one merged message replying to the latest command."""
    latest = items[-1]
    t = translator.bind(latest.language)
    text = latest.text if len(items) == 1 else merged_text(items, t)
    reply = ReplyParameters(message_id=latest.message_id, allow_sending_without_reply=True)
    sent: list[int] = []
    try:
        for chunk in split_text(text):
            message = await delivered(
                bot(
                    SendMessageForId(
                        chat_id=chat_id,
                        text=chunk,
                        message_thread_id=latest.thread_id,
                        reply_parameters=reply,
                    )
                )
            )
            sent.append(message.message_id)
    except (ChatGone, Uncertain, Failed) as exc:
        count = len(items)
        if isinstance(exc, Uncertain) or sent:  # it may be in the chat: never twice
            log.warning("outbox: %s confirmation(s) to %s uncertain: %s", count, chat_id, exc)
            return Outcome("uncertain", error=str(exc))
        if isinstance(exc, (ChatGone, Refused)):  # 403 or another 4xx: for good
            log.warning("outbox: %s confirmation(s) to %s refused: %s", count, chat_id, exc)
            return Outcome("failed", error=str(exc))
        log.warning("outbox: chat %s unreachable, trying again later: %s", chat_id, exc)
        return Outcome(None)
    except Exception:  # a bug: log it, keep the confirmation, carry on with the others
        log.exception("outbox: sending to %s failed", chat_id)
        return Outcome(None)
    return Outcome("sent", message_id=sent[0])
