"""The bot's session (bot/session.py): a request without a file is one JSON body, with the
bot's defaults filled in as aiogram's form has them; a request with a file stays multipart."""

from __future__ import annotations

import json

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.methods import GetUpdates, SendMessage, SendPhoto
from aiogram.types import BufferedInputFile, ReplyParameters
from aiohttp import FormData

from bot.session import Session

TOKEN = "42:TEST"


def _bot() -> Bot:
    default = DefaultBotProperties(parse_mode="HTML", link_preview_is_disabled=True)
    return Bot(TOKEN, session=Session(), default=default)


def _form_fields(bot: Bot, method: SendMessage) -> dict[str, object]:
    """What aiogram's own form sends, decoded as the Bot API would."""
    form = super(Session, bot.session).build_form_data(bot, method)  # type: ignore[arg-type]
    fields: dict[str, object] = {}
    for options, _, value in form._fields:
        text = str(value)
        try:
            fields[options["name"]] = json.loads(text)
        except ValueError:
            fields[options["name"]] = text
    return fields


async def test_a_reply_goes_as_json_with_the_same_fields_as_aiograms_form():
    bot = _bot()
    try:
        method = SendMessage(
            chat_id=-1001,
            text="<b>Q&A</b> «Лиды»",
            message_thread_id=None,
            reply_parameters=ReplyParameters(message_id=7, allow_sending_without_reply=True),
        )
        body = bot.session.build_form_data(bot, method)
        assert not isinstance(body, FormData)
        assert body.content_type == "application/json"
        sent = json.loads(body._value)
        assert sent == {
            "chat_id": -1001,
            "text": "<b>Q&A</b> «Лиды»",
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
            "reply_parameters": {
                "message_id": 7,
                "allow_sending_without_reply": True,
                "quote_parse_mode": "HTML",
            },
            "disable_web_page_preview": True,
        }
        assert sent == _form_fields(bot, method)
        polling = bot.session.build_form_data(
            bot, GetUpdates(offset=5, timeout=30, allowed_updates=["message", "chat_member"])
        )
        assert json.loads(polling._value) == {
            "offset": 5,
            "timeout": 30,
            "allowed_updates": ["message", "chat_member"],
        }
    finally:
        await bot.session.close()


async def test_a_request_with_a_file_stays_multipart():
    bot = _bot()
    try:
        photo = SendPhoto(chat_id=-1001, photo=BufferedInputFile(b"\x89PNG", "chart.png"))
        form = bot.session.build_form_data(bot, photo)
        assert isinstance(form, FormData)
        assert form().content_type.startswith("multipart/form-data")
    finally:
        await bot.session.close()
