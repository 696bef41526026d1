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


# Answers after which the message stays as it was (the bot answers a tap first, then edits).
UNCHANGED = ("уже не действует", "Сначала наберите", "Слишком длинное", "no longer works")


async def press(fake: FakeTelegram, chat_id: int, message_id: int, text: str, user: JSON) -> str:
    """Press a button on the message's current state; the answer's text (the notice), once
    the bot has also edited the message (unless the answer says nothing changed)."""
    current = fake.message(chat_id, message_id)
    assert current is not None
    calls = len(fake.calls)
    update = fake.press_button(current, button(current, text), user)
    query_id = update["callback_query"]["id"]
    await fake.wait_calls("answerCallbackQuery", since=calls)
    answer = str(fake.callback_answers.get(query_id, {}).get("text", ""))
    if not any(word in answer for word in UNCHANGED):
        await fake._until(
            lambda: next((c for c in fake.calls[calls:] if c.method == "editMessageText"
                          and c.params.get("message_id") == message_id
                          and c.status is not None), None),
            5.0, lambda: f"no edit of {message_id} after pressing {text!r}",
        )  # fmt: skip
    return answer


def text_of(fake: FakeTelegram, chat_id: int, message_id: int) -> str:
    current = fake.message(chat_id, message_id)
    assert current is not None
    return str(current.get("text", ""))
