"""Sending what does not fit one message: a digest's
charts as an album and then its text. Pacing and retries happen in `Delivery` (retry.py)."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import Bot
from aiogram.types import BufferedInputFile, InputMediaPhoto

from bot.chunks import TEXT_LIMIT, split_text
from bot.delivery.retry import Failed, Uncertain, delivered

__all__ = ["TEXT_LIMIT", "send_album_and_text", "split_text"]  # split_text: bot/chunks.py

async def send_album_and_text(
    bot: Bot, chat_id: int, charts: Sequence[tuple[str, bytes]], text: str
) -> list[int]:
    """Charts as one album (a single photo when there is one), then the text.

    Failed means nothing arrived. Once a part is in the chat a later refusal is Uncertain:
    sending the whole digest again would repeat what is already there.
    """
    ids: list[int] = []
    if len(charts) > 1:
        media = [InputMediaPhoto(media=BufferedInputFile(png, name)) for name, png in charts]
        sent = await delivered(bot.send_media_group(chat_id, media))
        ids += [m.message_id for m in sent]
    elif charts:
        name, png = charts[0]
        photo = await delivered(bot.send_photo(chat_id, BufferedInputFile(png, name)))
        ids.append(photo.message_id)
    for chunk in split_text(text):
        try:
            message = await delivered(bot.send_message(chat_id, chunk))
        except Failed as exc:
            if ids:
                raise Uncertain(f"partly delivered (messages {ids}): {exc}") from exc
            raise
        ids.append(message.message_id)
    return ids
