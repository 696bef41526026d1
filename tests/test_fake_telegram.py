"""The fake Bot API against the real aiogram Bot and Dispatcher, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import struct
import sys
import time
from pathlib import Path

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    CallbackQuery,
    ChatMemberAdministrator,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
    Update,
)
from aiogram.types.chat_member_union import ChatMemberUnion
from pydantic import TypeAdapter

from tests.fake_telegram import FakeTelegram
from tests.fake_telegram_objects import EntityParseError, format_text, parse_html

ROOT = Path(__file__).resolve().parent.parent


def png(width: int, height: int, tail: bytes) -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + struct.pack(">II", width, height) + tail


def make_bot(fake: FakeTelegram, token: str | None = None) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
    return Bot(
        token or fake.token, session=session, default=DefaultBotProperties(parse_mode="HTML")
    )


@pytest.fixture
async def fake():
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def bot(fake):
    bot = make_bot(fake)
    yield bot
    await bot.session.close()


def keyboard(*data: str) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(text=d.title(), callback_data=d) for d in data]
    return InlineKeyboardMarkup(inline_keyboard=[buttons])


async def test_get_me_and_send_message_with_keyboard(fake, bot):
    async with asyncio.timeout(10):
        fake.render_html = True  # the message as Telegram stores it: tags -> entities
        me = await bot.get_me()
        assert (me.id, me.username, me.first_name) == (123456, "kpi_test_bot", "KPI Bot")

        anya = fake.user(1, "Аня", "anya")
        start = fake.send_message(fake.private_chat(anya), anya, "/start@kpi_test_bot now")
        assert start["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 19}]

        sent = await bot.send_message(
            1,
            "  <b>Лиды:</b> 5 &lt; 7\n",
            reply_markup=keyboard("yes", "no"),
            reply_to_message_id=start["message"]["message_id"],
        )
        assert sent.message_id == 2  # one sequence per chat, shared with the person's messages
        assert sent.from_user.id == me.id and sent.chat.id == 1
        assert sent.text == "Лиды: 5 < 7"  # HTML parsed and trimmed, as Telegram does
        assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 5)]
        assert sent.reply_markup.model_dump() == keyboard("yes", "no").model_dump()
        assert sent.reply_to_message.message_id == 1
        record = fake.sent[0]
        assert record.chat_id == 1 and record.method == "sendMessage"
        assert record.params["chat_id"] == 1  # aiogram's JSON-encoded scalars are decoded
        assert record.buttons[0][1]["callback_data"] == "no"


async def test_send_media_group_records_uploaded_bytes(fake, bot):
    async with asyncio.timeout(10):
        team = fake.group(title="SMM")
        first, second = png(640, 480, b"first"), png(30, 20, b"second")
        messages = await bot.send_media_group(
            team["id"],
            media=[
                InputMediaPhoto(
                    media=BufferedInputFile(first, "week.png"), caption="<i>Неделя</i>"
                ),
                InputMediaPhoto(media=BufferedInputFile(second, "month.png")),
            ],
        )
        assert [m.message_id for m in messages] == [1, 2]
        assert messages[0].media_group_id == messages[1].media_group_id is not None
        assert (messages[0].photo[-1].width, messages[0].photo[-1].height) == (640, 480)
        assert messages[0].caption == "<i>Неделя</i>"  # echoed as sent (render_html=False)
        call = fake.calls[-1]
        assert call.method == "sendMediaGroup"
        assert sorted(call.files.values()) == sorted([first, second])
        assert [list(s.files.values()) for s in fake.sent] == [[first], [second]]
        refs = [item["media"] for item in call.params["media"]]
        assert all(ref.removeprefix("attach://") in call.files for ref in refs)

        file = await bot.get_file(messages[1].photo[-1].file_id)
        downloaded = await bot.download_file(file.file_path)
        assert downloaded.read() == second


async def test_commands_admins_and_members(fake, bot):
    async with asyncio.timeout(10):
        scope = BotCommandScopeAllPrivateChats()
        commands = [BotCommand(command="kpi", description="Показатели")]
        assert await bot.set_my_commands(commands, scope=scope, language_code="ru")
        assert fake.my_commands("all_private_chats", "ru") == [
            {"command": "kpi", "description": "Показатели"}
        ]
        got = await bot.get_my_commands(scope=scope, language_code="ru")
        assert [c.model_dump() for c in got] == [c.model_dump() for c in commands]
        assert await bot.get_my_commands() == []
        with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
            await bot.set_my_commands([BotCommand(command="KPI", description="x")])

        team = fake.group(-1001, "SMM")
        owner, admin, boris = fake.user(10, "Owner"), fake.user(11, "Admin"), fake.user(12, "Boris")
        fake.set_admins(team["id"], [11], owner=10)
        admins = await bot.get_chat_administrators(team["id"])
        assert isinstance(admins[0], ChatMemberOwner) and admins[0].user.id == owner["id"]
        assert isinstance(admins[1], ChatMemberAdministrator) and admins[1].user.id == admin["id"]
        assert admins[1].can_delete_messages

        assert isinstance(await bot.get_chat_member(team["id"], 12), ChatMemberLeft)
        fake.send_message(team, boris, "привет")
        assert isinstance(await bot.get_chat_member(team["id"], 12), ChatMemberMember)
        fake.member_left(team, boris)
        assert isinstance(await bot.get_chat_member(team["id"], 12), ChatMemberLeft)
        info = await bot.get_chat(team["id"])
        assert (info.id, info.type, info.title) == (-1001, "supergroup", "SMM")


async def test_raw_requests_unknown_method_wrong_token_and_decoding(fake, bot):
    async with asyncio.timeout(10), aiohttp.ClientSession() as http:
        async with http.post(f"{fake.base_url}/bot{fake.token}/fooBar") as resp:
            assert resp.status == 404
            assert await resp.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        async with http.get(f"{fake.base_url}/bot1:wrong/getMe") as resp:
            assert resp.status == 401
            assert await resp.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        team = fake.group()
        url = f"{fake.base_url}/bot{fake.token}/SENDMESSAGE"  # method names are case-insensitive
        markup = {"inline_keyboard": [[{"text": "a", "callback_data": "1"}]]}
        async with http.post(
            url, json={"chat_id": team["id"], "text": "123", "reply_markup": markup}
        ):
            pass
        async with http.get(url, params={"chat_id": str(team["id"]), "text": "7"}):
            pass
        assert [c.method for c in fake.calls[-2:]] == ["sendMessage", "sendMessage"]
        assert [s.params["text"] for s in fake.sent] == ["123", "7"]  # strings stay strings
        assert fake.sent[1].params["chat_id"] == team["id"]
        assert fake.sent[0].message["reply_markup"] == markup

    stranger = make_bot(fake, "654321:other-token")
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await stranger.get_me()
    finally:
        await stranger.session.close()


async def test_dispatcher_echo_and_offset_confirmation(fake, bot):
    dp = Dispatcher()

    @dp.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(message.text)

    async with asyncio.timeout(15):
        polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False))
        try:
            anya = fake.user(1, "Аня")
            update = fake.send_message(fake.private_chat(anya), anya, "привет")
            [answer] = await fake.wait_sent(1, chat_id=1)
            assert answer.text == "привет"
            await fake.wait_idle()
        finally:
            await dp.stop_polling()
            await polling
        offsets = [c.params.get("offset") for c in fake.calls if c.method == "getUpdates"]
        assert update["update_id"] + 1 in offsets
        assert await bot.get_updates(timeout=0) == []  # confirmed: gone for good


async def test_buttons_callbacks_and_edits(fake, bot):
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer("Отчёт?", reply_markup=keyboard("yes", "no"))

    @dp.callback_query(F.data == "yes")
    async def yes(query: CallbackQuery) -> None:
        await query.answer("ok")
        await query.message.edit_text("Готово")  # no reply_markup: the keyboard goes away

    async with asyncio.timeout(15):
        polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False))
        try:
            anya = fake.user(1, "Аня")
            fake.send_message(fake.private_chat(anya), anya, "/start")
            [question] = await fake.wait_sent(1)
            mark = fake.mark()
            pressed = fake.press_button(question, "yes", anya)
            [edit] = await fake.wait_sent(1, since=mark, method="editMessageText")
            assert edit.message["message_id"] == question.message["message_id"]
            assert edit.text == "Готово" and "reply_markup" not in edit.message
            await fake.wait_idle()
            assert fake.callback_answers[pressed["callback_query"]["id"]]["text"] == "ok"
            with pytest.raises(ValueError, match="no button"):
                fake.press_button(question, "yes", anya)
        finally:
            await dp.stop_polling()
            await polling
        with pytest.raises(TelegramBadRequest, match="not modified"):
            await bot.edit_message_text("Готово", chat_id=1, message_id=edit.message["message_id"])


async def test_long_poll_wakes_at_once_and_redelivery(fake, bot):
    async with asyncio.timeout(10):
        anya = fake.user(1, "Аня")
        chat = fake.private_chat(anya)
        poll = asyncio.create_task(bot.get_updates(timeout=10))
        await fake.wait_calls("getUpdates")
        started = time.monotonic()
        update = fake.send_message(chat, anya, "one")
        [got] = await poll
        assert time.monotonic() - started < 1
        assert got.update_id == update["update_id"] and got.message.text == "one"

        after = update["update_id"] + 1
        assert await bot.get_updates(offset=after, timeout=0) == []
        fake.redeliver(update)  # the bot "crashed" before confirming
        [again] = await bot.get_updates(offset=after, timeout=0)
        assert again.update_id == update["update_id"]
        assert await bot.get_updates(offset=after, timeout=0) == []

        # allowed_updates: updates of other types are never created for the bot
        await bot.get_updates(offset=after, timeout=0, allowed_updates=["callback_query"])
        fake.send_message(chat, anya, "ignored")
        assert await bot.get_updates(timeout=0) == [] and len(fake.dropped) == 1


async def test_second_poll_terminates_the_first(fake, bot):
    async with asyncio.timeout(10):
        first = asyncio.create_task(bot.get_updates(timeout=5))
        await fake.wait_calls("getUpdates")
        assert await bot.get_updates(timeout=0) == []
        with pytest.raises(TelegramConflictError):
            await first


async def test_fault_injection(fake, bot):
    async with asyncio.timeout(10):
        team = fake.group()
        fake.fail_next("sendMessage", status=429, retry_after=1)
        with pytest.raises(TelegramRetryAfter) as caught:
            await bot.send_message(team["id"], "x")
        assert caught.value.retry_after == 1
        assert fake.calls[-1].response["parameters"] == {"retry_after": 1}
        assert (await bot.send_message(team["id"], "x")).message_id == 1

        fake.fail_next("sendMessage", status=403, description="Forbidden: bot was kicked")
        with pytest.raises(TelegramForbiddenError, match="kicked"):
            await bot.send_message(team["id"], "x")

        fake.hang_next("getMe", 0.3)
        started = time.monotonic()
        await bot.get_me()
        assert time.monotonic() - started >= 0.3


async def test_rate_limits(fake, bot):
    async with asyncio.timeout(10):
        team = fake.group()
        fake.enforce_limits(per_second=30, per_chat_per_minute=3)
        for _ in range(3):
            await bot.send_message(team["id"], "x")
        with pytest.raises(TelegramRetryAfter) as caught:
            await bot.send_message(team["id"], "x")
        assert 1 <= caught.value.retry_after <= 60
        fake.enforce_limits(None, None)
        await bot.send_message(team["id"], "x")


async def test_errors_telegram_would_give(fake, bot):
    async with asyncio.timeout(10):
        with pytest.raises(TelegramBadRequest, match="chat not found"):
            await bot.send_message(42, "x")
        fake.user(7, "Never wrote")
        with pytest.raises(TelegramForbiddenError, match="can't initiate"):
            await bot.send_message(7, "x")
        team = fake.group()
        with pytest.raises(TelegramBadRequest, match="can't parse entities"):
            await bot.send_message(team["id"], "a <b>b")
        with pytest.raises(TelegramBadRequest, match="can't parse entities"):
            await bot.send_message(team["id"], "Team <SMM>")
        fake.remove_bot_from_group(team, fake.user(10, "Owner"), kicked=True)
        with pytest.raises(TelegramForbiddenError, match="kicked"):
            await bot.send_message(team["id"], "x")


async def test_wait_sent_timeout_says_what_was_sent(fake, bot):
    async with asyncio.timeout(10):
        team = fake.group()
        await bot.send_message(team["id"], "hello")
        with pytest.raises(TimeoutError, match="'hello'"):
            await fake.wait_sent(2, timeout=0.2)


async def test_standalone_process_with_control_api():
    token = "42:standalone"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fake_telegram",
        "--port",
        "0",
        "--token",
        token,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(15), aiohttp.ClientSession() as http:
            line = (await proc.stdout.readline()).decode().strip()
            assert line.startswith("fake telegram listening on http://127.0.0.1:")
            base = line.rsplit(" ", 1)[1]
            message = {
                "chat_id": -100,
                "chat_type": "supergroup",
                "chat_title": "SMM",
                "user_id": 5,
                "first_name": "Аня",
                "text": "/kpi",
            }
            async with http.post(f"{base}/_fake/message", json=message) as resp:
                update = await resp.json()
            assert update["message"]["chat"]["title"] == "SMM"
            api = f"{base}/bot{token}"
            async with http.post(f"{api}/getUpdates", data={"timeout": "1"}) as resp:
                assert (await resp.json())["result"] == [update]
            async with http.post(f"{api}/sendMessage", data={"chat_id": "-100", "text": "ok"}):
                pass
            async with http.get(f"{base}/_fake/sent", params={"since": "0"}) as resp:
                [sent] = await resp.json()
            assert sent["chat_id"] == -100 and sent["message"]["text"] == "ok"
            async with http.get(f"{base}/_fake/calls?since=1") as resp:
                assert [c["method"] for c in await resp.json()] == ["sendMessage"]
            admins = {"chat_id": -100, "user_ids": [5]}
            async with http.post(f"{base}/_fake/admins", json=admins) as resp:
                assert resp.status == 200
    finally:
        proc.terminate()
        await proc.communicate()
    assert proc.returncode == 0


def test_every_builder_makes_an_update_aiogram_accepts():
    fake = FakeTelegram()
    anya, boris = fake.user(1, "Аня", "anya"), fake.user(2, "Boris", language_code="en")
    team = fake.group(title="SMM")
    said = fake.send_message(team, anya, "/lead 3")
    bot_message = fake.store_message(
        {
            "message_id": fake.next_message_id(team["id"]),
            "from": fake.bot_user,
            "chat": team,
            "date": fake.now,
            "text": "?",
            "reply_markup": keyboard("yes").model_dump(exclude_none=True),
        }
    )
    updates = [
        said,
        fake.send_message(fake.private_chat(boris), boris, "hi", reply_to=None),
        fake.send_message(team, boris, "reply", reply_to=said),
        fake.edit_message(said, "/lead 5"),
        fake.press_button(bot_message, "yes", boris),
        fake.add_bot_to_group(fake.group(title="New"), anya, service_message=True),
        fake.remove_bot_from_group(team, anya, kicked=True),
        fake.member_joined(team, boris),
        fake.member_left(team, boris),
        fake.block_bot(boris),
        fake.queue_raw({"message": {"message_id": 99, "date": 0, "chat": team, "text": "raw"}}),
    ]
    for update in updates:
        Update.model_validate(update)
    for status in ("creator", "administrator", "member", "restricted", "left", "kicked"):
        fake.set_member_status(team["id"], 1, status)
        TypeAdapter(ChatMemberUnion).validate_python(fake.chat_member(team["id"], 1))
    ids = [u["update_id"] for u in fake.pending_updates]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert updates[2]["message"]["message_id"] == 3  # after the bot's message, id 2


def test_html_is_parsed_like_telegram():
    text, entities = parse_html('<b>Итог 👍 <i>за</i></b> <a href="https://t.me/x">пост</a> &amp;')
    assert text == "Итог 👍 за пост &"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 10},  # the emoji is two UTF-16 units
        {"type": "italic", "offset": 8, "length": 2},
        {"type": "text_link", "url": "https://t.me/x", "offset": 11, "length": 4},
    ]
    assert format_text("\n  <b>x</b>  \n", "HTML") == (
        "x",
        [{"type": "bold", "offset": 0, "length": 1}],
    )
    for bad in ("<b>x", "x</b>", "<b><i>x</b></i>", "a < b", "<br>", "<span>x</span>"):
        with pytest.raises(EntityParseError):
            parse_html(bad)


async def test_privacy_mode_hides_plain_group_messages():
    fake = FakeTelegram(privacy_mode=True)
    anya, team = fake.user(1, "Аня"), fake.group()
    fake.send_message(team, anya, "just chatting")
    fake.send_message(team, anya, "/kpi")
    fake.send_message(team, anya, "hey @kpi_test_bot")
    assert [u["message"]["text"] for u in fake.pending_updates] == ["/kpi", "hey @kpi_test_bot"]
    assert fake.dropped[0]["message"]["text"] == "just chatting"


async def test_blocked_bot_and_removed_bot(fake, bot):
    async with asyncio.timeout(10):
        anya = fake.user(1, "Аня")
        fake.send_message(fake.private_chat(anya), anya, "/start")
        fake.block_bot(anya)
        with pytest.raises(TelegramForbiddenError, match="blocked by the user"):
            await bot.send_message(1, "x")
        fake.send_message(fake.private_chat(anya), anya, "/start")  # restarts the bot
        await bot.send_message(1, "x")
        kinds = [next(k for k in u if k != "update_id") for u in fake.pending_updates]
        assert kinds == ["message", "my_chat_member", "my_chat_member", "message"]

        team = fake.group()
        fake.remove_bot_from_group(team, anya)
        fake.send_message(team, anya, "/kpi")  # the bot is not there: no update
        assert fake.dropped[-1]["message"]["text"] == "/kpi"
        with pytest.raises(TelegramForbiddenError, match="not a member"):
            await bot.get_chat_administrators(team["id"])


async def test_photo_document_markup_delete_and_webhook(fake, bot):
    async with asyncio.timeout(10):
        team = fake.group()
        photo = await bot.send_photo(
            team["id"], BufferedInputFile(png(800, 600, b"p"), "chart.png"), caption="KPI"
        )
        assert photo.caption == "KPI" and photo.photo[-1].width == 800
        doc = await bot.send_document(
            team["id"], BufferedInputFile(b"a;b\n1;2\n", "kpi.csv"), reply_markup=keyboard("x")
        )
        assert (doc.document.file_name, doc.document.mime_type) == ("kpi.csv", "text/csv")
        assert fake.sent[-1].files == {
            fake.sent[-1].params["document"].removeprefix("attach://"): b"a;b\n1;2\n"
        }
        edited = await bot.edit_message_reply_markup(
            chat_id=team["id"], message_id=doc.message_id, reply_markup=keyboard("y")
        )
        assert edited.reply_markup.inline_keyboard[0][0].callback_data == "y"
        assert await bot.send_chat_action(team["id"], "typing")
        assert await bot.delete_message(team["id"], photo.message_id)
        assert fake.deleted == [(team["id"], photo.message_id)]
        with pytest.raises(TelegramBadRequest, match="message to delete not found"):
            await bot.delete_message(team["id"], photo.message_id)

        anya = fake.user(1, "Аня")
        fake.send_message(team, anya, "/kpi")
        assert await bot.set_webhook("https://example.test/hook", secret_token="s3cret")
        assert fake.webhook["secret_token"] == "s3cret"
        assert (await bot.get_webhook_info()).pending_update_count == 1
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await bot.get_updates()
        assert await bot.delete_webhook(drop_pending_updates=True)
        assert await bot.get_updates(timeout=0) == []
        assert await bot.close() and await bot.log_out()
