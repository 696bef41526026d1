"""Secrets out of everything the bot prints: log lines, tracebacks, one-line errors.

aiohttp's errors carry the request URL, and aiogram puts the token in the path
(`/bot<token>/getMe`), so a refused connection or a proxy answering garbage would print
BOT_TOKEN into a log that many people read. `kpibot run` puts a Redactor on the root
logging handlers and passes every one-line error through it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from bot.config import Settings

MASK = "<redacted>"
MIN_SECRET = 8  # a shorter piece would blank out ordinary words (and is no secret anyway)
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


class Redactor(logging.Filter):
    """Replaces each secret with MASK: as a filter on a handler, in every record it emits."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Longest first: the whole token goes before its secret half.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    @classmethod
    def for_settings(cls, settings: Settings) -> Redactor:
        """The bot token (whole, and the part after `:` on its own) and the webhook secret."""
        whole, parts = [], []
        if settings.bot_token is not None:
            token = settings.bot_token.get_secret_value()
            whole.append(token)
            parts.append(token.partition(":")[2])
        if settings.webhook_secret is not None:
            parts.append(settings.webhook_secret.get_secret_value())
        return cls([*whole, *(s for s in parts if len(s) >= MIN_SECRET)])

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def line(self, text: str) -> str:
        """One line for the operator: redacted, and aiohttp's multi-line messages joined."""
        return _LINE_BREAKS.sub(" ", self(text)).strip()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken logging call: still shown (by logging), still redacted
            message = f"{record.msg} {record.args!r}"
        # The formatted message replaces msg/args, so the formatter does not format it again.
        record.msg, record.args = self(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self(record.exc_text)
        if record.stack_info:
            record.stack_info = self(record.stack_info)
        return True

    def install(self, logger: logging.Logger) -> None:
        """On every handler of `logger` (the root): records of all loggers pass them."""
        for handler in logger.handlers:
            handler.addFilter(self)
