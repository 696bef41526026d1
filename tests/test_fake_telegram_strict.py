"""The fake refuses what Telegram refuses, with Telegram's error texts (issue 10 §1).

Driven through the real aiogram Bot over HTTP, as the bot under test meets them. The texts come
from tdlib's parse_html, the Bot API server's answers seen in the wild, and the Bot API docs
(see tests/fake_limits.py and tests/fake_html.py).
"""

from __future__ import annotations

import asyncio

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from tests.fake_limits import RateLimits
from tests.fake_telegram import FakeTelegram

AMP = 'Character "&" at byte offset {} must be escaped as &amp; (it starts no HTML entity)'
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (64).to_bytes(4, "big") * 2 + b"tail"


@pytest.fixture
async def bot(fake: FakeTelegram):
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
    bot = Bot(fake.token, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    yield bot
    await bot.session.close()


def buttons(*row: InlineKeyboardButton) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[list(row)])


async def refused(call, description: str) -> None:
    """The call fails with a 400 whose description is exactly `description`."""
    with pytest.raises(TelegramBadRequest) as caught:
        await call
    assert caught.value.message == description


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("Q&A", AMP.format(1)),
        ("a > b", 'Character ">" at byte offset 2 must be escaped as &gt;'),
        ("&nbsp;x", AMP.format(0)),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("Аня <3", "Unclosed start tag at byte offset 7"),
        ("<script>alert(1)</script>", 'Unsupported start tag "script" at byte offset 0'),
        ("<b><i>test</b></i>",
         'Unmatched end tag at byte offset 10, expected "</i>", found "</b>"'),
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<tg-emoji emoji-id="x">🙂</tg-emoji>', "Invalid custom emoji identifier specified"),
    ],
)  # fmt: skip
async def test_html_outside_telegrams_grammar_is_refused(fake, bot, html, error):
    async with asyncio.timeout(10):
        chat = fake.private_chat(fake.user(1, "Аня"))
        fake.chats[chat["id"]] = chat
        await refused(bot.send_message(1, html), f"Bad Request: can't parse entities: {error}")


async def test_every_telegram_tag_and_entity_is_accepted(fake, bot):
    async with asyncio.timeout(10):
        fake.render_html = True
        team = fake.group()
        html = (
            "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s>"
            "<strike>k</strike><del>d</del><tg-spoiler>t</tg-spoiler>"
            '<span class="tg-spoiler">p</span><a href="https://t.me/x?a=1&amp;b=2">a</a>'
            '<code>c</code><pre><code class="language-python">x</code></pre>'
            "<blockquote>q</blockquote><blockquote expandable>x</blockquote>"
            '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> &lt;&gt;&amp;&quot;&#60;&#x3E;'
        )
        message = await bot.send_message(team["id"], html)
        assert message.text == 'bsieunskdtpacxqx👍 <>&"<>'
        kinds = {e.type for e in message.entities}
        assert kinds == {
            "bold", "italic", "underline", "strikethrough", "spoiler", "text_link", "code", "pre",
            "blockquote", "expandable_blockquote", "custom_emoji",
        }  # fmt: skip
        assert next(e for e in message.entities if e.type == "pre").language == "python"


async def test_captions_and_edits_are_parsed_too(fake, bot):
    async with asyncio.timeout(10):
        team = fake.group()
        photo = BufferedInputFile(PNG, "chart.png")
        error = "Bad Request: can't parse entities: "
        amp = AMP.format(1)
        await refused(bot.send_photo(team["id"], photo, caption="R&D"), error + amp)
        album = [InputMediaPhoto(media=photo, caption="ok"),
                 InputMediaPhoto(media=photo, caption="<x>")]  # fmt: skip
        await refused(
            bot.send_media_group(team["id"], album),
            error + 'Unsupported start tag "x" at byte offset 0',
        )
        sent = await bot.send_photo(team["id"], photo, caption="KPI")
        await refused(
            bot.edit_message_caption(chat_id=team["id"], message_id=sent.message_id, caption="R&D"),
            error + amp,
        )
        edited = await bot.edit_message_caption(
            chat_id=team["id"], message_id=sent.message_id, caption="R&amp;D"
        )
        assert edited.caption == "R&amp;D" and fake.sent[-1].method == "editMessageCaption"
        text = await bot.send_message(team["id"], "x")
        await refused(
            bot.edit_message_text("a & b", chat_id=team["id"], message_id=text.message_id),
            error + AMP.format(2),
        )


async def test_text_caption_and_answer_lengths(fake, bot):
    async with asyncio.timeout(10):
        team = fake.group()
        await bot.send_message(team["id"], "я" * 4096)
        await bot.send_message(team["id"], "<b>" + "x" * 4096 + "</b>")  # counted after parsing
        await refused(bot.send_message(team["id"], "x" * 4097), "Bad Request: message is too long")
        await refused(  # UTF-16 units: an emoji is two
            bot.send_message(team["id"], "👍" * 2049), "Bad Request: message is too long"
        )
        await refused(
            bot.send_message(team["id"], "<b> </b>"), "Bad Request: message text is empty"
        )
        photo = BufferedInputFile(PNG, "chart.png")
        await bot.send_photo(team["id"], photo, caption="c" * 1024)
        too_long = "Bad Request: message caption is too long"
        await refused(bot.send_photo(team["id"], photo, caption="c" * 1025), too_long)
        album = [InputMediaPhoto(media=photo), InputMediaPhoto(media=photo, caption="c" * 1025)]
        await refused(bot.send_media_group(team["id"], album), too_long)

        yes = buttons(InlineKeyboardButton(text="Да", callback_data="yes"))
        await bot.send_message(team["id"], "?", reply_markup=yes)
        message = fake.sent[-1]
        for n, length in enumerate((201, 200)):
            update = fake.press_button(message, "yes", fake.user(n + 1))
            query_id = update["callback_query"]["id"]
            answer = bot.answer_callback_query(query_id, "ж" * length, show_alert=True)
            if length > 200:
                await refused(answer, "Bad Request: MESSAGE_TOO_LONG")
            else:
                assert await answer


@pytest.mark.parametrize(
    ("button", "error"),
    [
        (InlineKeyboardButton(text="", callback_data="x"),
         "inline keyboard button text must be non-empty"),
        (InlineKeyboardButton(text="Кнопка", callback_data=""),
         "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"),
        (InlineKeyboardButton(text="Кнопка"),
         "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"),
        (InlineKeyboardButton(text="Кнопка", callback_data="ж" * 33), "BUTTON_DATA_INVALID"),
        (InlineKeyboardButton(text="link", url="not-a-url"),
         "inline keyboard button URL 'not-a-url' is invalid: Wrong HTTP URL"),
        (InlineKeyboardButton(text="link", url="ftp://example.com"),
         "inline keyboard button URL 'ftp://example.com' is invalid: Unsupported URL protocol"),
    ],
)  # fmt: skip
async def test_buttons_telegram_refuses(fake, bot, button, error):
    async with asyncio.timeout(10):
        team = fake.group()
        await refused(
            bot.send_message(team["id"], "?", reply_markup=buttons(button)),
            f"Bad Request: {error}",
        )


async def test_buttons_telegram_accepts_and_reply_keyboards(fake, bot):
    async with asyncio.timeout(10):
        team = fake.group()
        ok = buttons(
            InlineKeyboardButton(text="ok", callback_data="я" * 32),  # 64 bytes
            InlineKeyboardButton(text="link", url="https://t.me/kpi_test_bot?start=1"),
        )
        assert (await bot.send_message(team["id"], "?", reply_markup=ok)).reply_markup
        keyboard = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="/kpi")]])
        assert (await bot.send_message(team["id"], "?", reply_markup=keyboard)).reply_markup is None
        empty = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="")]])
        await refused(
            bot.send_message(team["id"], "?", reply_markup=empty),
            "Bad Request: keyboard button text must be non-empty",
        )


async def test_flood_limits_are_on_by_default(fake, bot):
    async with asyncio.timeout(20):
        team, other = fake.group(), fake.group()
        album = [InputMediaPhoto(media=BufferedInputFile(PNG, "c.png")) for _ in range(10)]
        await bot.send_media_group(team["id"], album)  # one per item: 10
        sent = [await bot.send_message(team["id"], f"{n}") for n in range(9)]  # 19
        await bot.edit_message_text("edited", chat_id=team["id"], message_id=sent[0].message_id)
        with pytest.raises(TelegramRetryAfter) as caught:  # the 21st in a minute, edits count
            await bot.send_message(team["id"], "one too many")
        assert 1 <= caught.value.retry_after <= 60
        assert "Too Many Requests: retry after" in caught.value.message
        assert fake.calls[-1].response["parameters"] == {"retry_after": caught.value.retry_after}
        with pytest.raises(TelegramRetryAfter):
            await bot.edit_message_text("again", chat_id=team["id"], message_id=sent[1].message_id)
        await bot.send_message(other["id"], "another group has its own minute")
        chat = fake.private_chat(fake.user(5))
        fake.chats[chat["id"]] = chat
        await bot.send_message(5, "private chats only count against 30 a second")

        fake.enforce_limits(None, None)  # the explicit opt-out
        await bot.send_message(team["id"], "no limits now")
        fake.enforce_limits(per_second=30, per_chat_per_minute=2)  # other figures
        with pytest.raises(TelegramRetryAfter):
            for _ in range(3):
                await bot.send_message(other["id"], "x")


def test_thirty_a_second_in_all():
    limits = RateLimits(30, 20)
    for n in range(30):
        assert limits.retry_after(1000 + n, 1, 100.0) is None  # 30 private chats, same second
        limits.record(1000 + n, 1, 100.0)
    assert limits.retry_after(2000, 1, 100.5) == 1
    assert limits.retry_after(2000, 1, 101.01) is None  # the second has passed
    assert limits.retry_after(-100, 10, 101.01) is None  # a 10-photo album is 10 messages
    limits.record(-100, 10, 101.01)
    assert limits.retry_after(-100, 11, 101.02) == 60  # 21 in a minute into one group
