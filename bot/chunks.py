"""Long answers in parts Telegram accepts: 4096 characters a message, 1024 a caption.

A part ends at a line break wherever it can, so a /kpi for thirty people arrives as a few
whole messages in order. Lengths are counted on the HTML we send, which is never shorter
than what Telegram counts after parsing it (in UTF-16 units, as Telegram does).
"""

from __future__ import annotations

import re
from typing import Any

from aiogram.types import Message

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
# A tag or an entity must not be cut in two; neither may an open tag's element.
_UNSAFE_TAIL = re.compile(r"<[^>]*$|&[#a-zA-Z0-9]*$")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*>")


def size(text: str) -> int:
    """Telegram's length: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _cut(line: str, limit: int) -> tuple[str, str]:
    """The longest head of an over-long line within `limit`, at a space if there is one,
    never inside a tag or an entity."""
    end = limit
    while size(line[:end]) > limit:  # astral characters count twice
        end -= 1
    head = line[:end]
    space = head.rfind(" ")
    if space > end // 2:
        head = head[:space]
    if tail := _UNSAFE_TAIL.search(head):
        head = head[: tail.start()]
    return head, line[len(head) :].lstrip(" ")


def _open_tags(text: str) -> list[tuple[str, str]]:
    """(name, opening tag as written) of the tags still open at the end of `text`."""
    stack: list[tuple[str, str]] = []
    for match in _TAG.finditer(text):
        name = match.group(2).lower()
        if not match.group(1):
            stack.append((name, match.group()))
        elif stack and stack[-1][0] == name:
            stack.pop()
    return stack


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """`text` in parts of at most `limit`, cut at line breaks; a line longer than a part is
    cut at a space. A tag left open at a cut is closed there and opened again after it."""
    if 2 * len(text) <= limit:  # fits whatever it holds (a character is 1 or 2 units)
        return [text] if text.strip() else []
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while size(line) > limit:
            if current:
                parts.append(current)
                current = ""
            head, line = _cut(line, limit - 64)  # room for the tags closed and reopened
            parts.append(head)
        candidate = f"{current}\n{line}" if current else line
        if size(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        parts.append(current)
    return _rebalance([p for p in parts if p.strip()])


def _rebalance(parts: list[str]) -> list[str]:
    out: list[str] = []
    carried: list[tuple[str, str]] = []
    for part in parts:
        part = "".join(tag for _, tag in carried) + part
        carried = _open_tags(part)
        out.append(part + "".join(f"</{name}>" for name, _ in reversed(carried)))
    return out


async def answer_long(message: Message, text: str, **kwargs: Any) -> list[Message]:
    """A reply to `message`, in as many messages as it takes; a keyboard goes on the last."""
    markup = kwargs.pop("reply_markup", None)
    parts = split_text(text)
    sent = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        extra = {**kwargs, "reply_markup": markup} if last and markup is not None else kwargs
        if i == 0:
            sent.append(await message.reply(part, **extra))
        else:
            sent.append(await message.answer(part, **extra))
    return sent
