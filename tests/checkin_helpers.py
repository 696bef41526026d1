"""Pressing the check-in's buttons as a person would: find a button by its text, press it,
wait for the bot's edit and its answer to the press."""

from __future__ import annotations

from typing import Any

from tests.fake_telegram import FakeTelegram

JSON = dict[str, Any]


def button(message: JSON, text: str) -> str:
    """The callback data of the button labelled `text` (or starting with it)."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    found = [b for row in rows for b in row if b["text"] == text or b["text"].startswith(text)]
    if not found:
        labels = [b["text"] for row in rows for b in row]
        raise AssertionError(f"no button {text!r}; there are {labels}")
    return str(found[0]["callback_data"])


async def press(fake: FakeTelegram, chat_id: int, message_id: int, text: str, user: JSON) -> str:
    """Press a button on the message's current state; the answer's text (the notice)."""
    current = fake.message(chat_id, message_id)
    assert current is not None
    calls = len(fake.calls)
    update = fake.press_button(current, button(current, text), user)
    query_id = update["callback_query"]["id"]
    await fake.wait_calls("answerCallbackQuery", since=calls)
    answer = fake.callback_answers.get(query_id, {})
    return str(answer.get("text", ""))


def text_of(fake: FakeTelegram, chat_id: int, message_id: int) -> str:
    current = fake.message(chat_id, message_id)
    assert current is not None
    return str(current.get("text", ""))
