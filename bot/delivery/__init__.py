"""Sending to Telegram within its limits: the shared rate limiter (limiter.py), pacing and
retries for every reply at the root (retry.py), long texts and digests (send.py), and the
outbox of logging confirmations (outbox.py; confirm.py sends them, confirmations.py words
them, sent_rows.py records those sent straight away; imported where used)."""

from bot.delivery.limiter import MINUTE, SECOND, RateLimiter
from bot.delivery.retry import (
    ChatGone,
    Delivery,
    Failed,
    Refused,
    Uncertain,
    call,
    classify,
    delivered,
    install,
    paced,
)
from bot.delivery.send import TEXT_LIMIT, send_album_and_text, split_text

__all__ = [
    "MINUTE", "SECOND", "TEXT_LIMIT", "ChatGone", "Delivery", "Failed", "RateLimiter",
    "Refused", "Uncertain", "call", "classify", "delivered", "install", "paced",
    "send_album_and_text", "split_text",
]  # fmt: skip
