"""Last resort: log the failure with the update, tell the person nothing was saved."""

from __future__ import annotations

import logging

from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.types import ErrorEvent

from bot.i18n import Translator
from bot.routing import Router

log = logging.getLogger(__name__)

# Telegram refused or lost a request: mostly the reply, sent after the entry was committed,
# so "nothing was saved" would be false (and Telegram is likely to refuse that notice too).
TELEGRAM_TROUBLE = (TelegramServerError, TelegramRetryAfter, TelegramNetworkError)


async def on_error(event: ErrorEvent, translator: Translator) -> bool:
    if isinstance(event.exception, TELEGRAM_TROUBLE):
        log.warning("update %s: Telegram failed: %s", event.update.update_id, event.exception)
        return True
    log.exception("update %s failed", event.update.update_id, exc_info=event.exception)
    message = event.update.message or event.update.edited_message
    if message is not None and message.from_user is not None:
        t = translator.bind(translator.language(message.from_user.language_code))
        try:
            await message.reply(t("error-internal"))
        except Exception:  # the reply itself may be what failed
            log.warning("could not report the error to chat %s", message.chat.id)
    return True


def create_router() -> Router:
    router = Router(name="errors")
    router.errors.register(on_error)
    return router
