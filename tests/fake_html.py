"""parse_mode=HTML as Telegram applies it to what the bot sends: tags become entities.

The tag grammar and the error texts follow tdlib's parse_html (td/telegram/MessageEntity.cpp),
which the Bot API answers as 400 "Bad Request: can't parse entities: <text>". One deliberate
difference: a `&` that starts no entity, or a `>` outside a tag, is refused here, while tdlib
shows it literally. The Bot API documentation requires escaping them ("All <, > and & symbols
that are not a part of a tag or an HTML entity must be replaced with the corresponding HTML
entities"), and a user name like "R&amp;D" that reaches a message unescaped is shown as "R&D":
the bot is wrong either way, so the fake makes it fail loudly.

Offsets and lengths are in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import re
from typing import Any

JSON = dict[str, Any]

TAGS = frozenset({
    "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "tg-emoji",
    "span", "pre", "code", "blockquote",
})  # fmt: skip
_KIND = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler", "code": "code", "pre": "pre",
    "blockquote": "blockquote",
}  # fmt: skip
# The only named entities Telegram knows, plus numeric ones; the ";" is required here.
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACE = " \t\r\n\f\v"


def utf16_len(text: str) -> int:
    """Entity offsets and lengths are counted in UTF-16 code units, not code points."""
    return len(text.encode("utf-16-le")) // 2


class EntityParseError(ValueError):
    """Telegram answers 400 "Bad Request: can't parse entities: ..." for these."""


def _entity_at(source: str, at: int) -> tuple[str, int] | None:
    """(character, end) for a valid HTML entity starting at `at`, else None."""
    match = _ENTITY.match(source, at)
    if match is None:
        return None
    named, decimal, hexadecimal = match.groups()
    code = int(decimal) if decimal else int(hexadecimal, 16) if hexadecimal else None
    if code is not None and not 0 < code <= 0x10FFFF:
        return None
    return (_NAMED[named] if named else chr(code or 0)), match.end()


class _Parser:
    def __init__(self, source: str) -> None:
        self.src, self.at = source, 0
        self.out: list[str] = []
        self.pos = 0  # UTF-16 offset in the output
        self.entities: list[JSON] = []
        self.stack: list[tuple[str, str, int, int]] = []  # tag, argument, offset, out index

    def byte(self, index: int) -> int:
        return len(self.src[:index].encode())

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.pos += utf16_len(text)

    def char(self) -> str:
        return self.src[self.at] if self.at < len(self.src) else ""

    def skip_spaces(self) -> None:
        while self.char() and self.char() in _SPACE:
            self.at += 1

    def word(self, stops: str) -> str:
        start = self.at
        while self.char() and self.char() not in stops:
            self.at += 1
        return self.src[start : self.at]

    def run(self) -> tuple[str, list[JSON]]:
        while self.at < len(self.src):
            c = self.src[self.at]
            if c == "&":
                if (found := _entity_at(self.src, self.at)) is None:
                    raise EntityParseError(
                        f'Character "&" at byte offset {self.byte(self.at)} must be escaped '
                        "as &amp; (it starts no HTML entity)"
                    )
                self.emit(found[0])
                self.at = found[1]
            elif c == ">":
                raise EntityParseError(
                    f'Character ">" at byte offset {self.byte(self.at)} must be escaped as &gt;'
                )
            elif c == "<":
                begin = self.at
                self.at += 1
                self.end_tag(begin) if self.char() == "/" else self.start_tag(begin)
            else:
                end = min((i for i in (self.src.find(x, self.at) for x in "&<>") if i >= 0),
                          default=len(self.src))  # fmt: skip
                self.emit(self.src[self.at : end])
                self.at = end
        if self.stack:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1][0]}"'
            )
        entities = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), entities

    def start_tag(self, begin: int) -> None:
        offset = self.byte(begin)
        name = self.word(_SPACE + ">").lower()
        if not self.char():
            raise EntityParseError(f"Unclosed start tag at byte offset {offset}")
        if name not in TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {offset}')
        argument = ""
        while self.char() != ">":
            self.skip_spaces()
            if self.char() == ">":
                break
            attribute = self.word(_SPACE + "=>")
            if not attribute:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset {offset}'
                )
            self.skip_spaces()
            if name == "blockquote" and attribute == "expandable" and self.char() != "=":
                argument = "expandable"
                continue
            if self.char() != "=":
                raise EntityParseError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{name}" at byte offset {offset}'
                )
            self.at += 1
            self.skip_spaces()
            if not self.char():
                raise EntityParseError(f'Unclosed start tag "{name}" at byte offset {offset}')
            value = self.attribute_value()
            if not self.char():
                raise EntityParseError(f"Unclosed start tag at byte offset {offset}")
            argument = _argument(name, attribute.lower(), value, argument)
        self.at += 1  # the ">"
        if name == "span" and argument != "spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {offset}'
            )
        self.stack.append((name, argument, self.pos, len(self.out)))

    def attribute_value(self) -> str:
        quote = self.char()
        if quote not in ("'", '"'):
            start = self.at
            value = self.word(_SPACE + ">")
            if not re.fullmatch(r"[A-Za-z0-9.-]*", value):
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {self.byte(start)}"
                )
            return value.lower()
        self.at += 1
        chars: list[str] = []
        while self.char() and self.char() != quote:
            if self.char() == "&" and (found := _entity_at(self.src, self.at)) is not None:
                chars.append(found[0])
                self.at = found[1]
            else:
                chars.append(self.char())
                self.at += 1
        if self.char() == quote:
            self.at += 1
        return "".join(chars)

    def end_tag(self, begin: int) -> None:
        offset = self.byte(begin)
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {offset}")
        self.at += 1  # the "/"
        name = self.word(_SPACE + ">").lower()
        self.skip_spaces()
        if self.char() != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {offset}")
        self.at += 1
        tag, argument, start, out_index = self.stack[-1]
        if name and name != tag:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {offset}, expected "</{tag}>", found "</{name}>"'
            )
        self.stack.pop()
        if self.pos > start:
            content = "".join(self.out[out_index:])
            if (entity := _entity(tag, argument, content)) is not None:
                self.entities.append({**entity, "offset": start, "length": self.pos - start})


def _argument(tag: str, attribute: str, value: str, current: str) -> str:
    """The one attribute each tag keeps (others are ignored, as by Telegram)."""
    if (tag, attribute) in (("a", "href"), ("tg-emoji", "emoji-id")):
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value.removeprefix("language-")
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value.removeprefix("tg-")
    return current


def _entity(tag: str, argument: str, content: str) -> JSON | None:
    if tag == "a":
        return {"type": "text_link", "url": argument or content}
    if tag == "tg-emoji":
        if not argument.isdigit() or int(argument) == 0:
            raise EntityParseError("Invalid custom emoji identifier specified")
        return {"type": "custom_emoji", "custom_emoji_id": argument}
    if tag == "code" and argument:
        return {"type": "code", "language": argument}  # a language only counts inside <pre>
    if tag == "blockquote" and argument == "expandable":
        return {"type": "expandable_blockquote"}
    return {"type": _KIND[tag]}


def _merge_pre_code(entities: list[JSON]) -> list[JSON]:
    """<pre><code class="language-x">…</code></pre> is one pre entity with a language."""
    merged: list[JSON] = []
    for entity in entities:
        span = (entity["offset"], entity["length"])
        inner = next(
            (e for e in merged if e["type"] == "code" and "language" in e
             and (e["offset"], e["length"]) == span),
            None,
        )  # fmt: skip
        if entity["type"] == "pre" and inner is not None:
            inner["type"] = "pre"
            continue
        merged.append(entity)
    for entity in merged:
        if entity["type"] == "code":
            entity.pop("language", None)
    return merged


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """Telegram-HTML into (text, entities); anything Telegram refuses raises EntityParseError."""
    text, entities = _Parser(source).run()
    return text, _merge_pre_code(entities)


def format_text(
    raw: str, parse_mode: str | None, entities: list[JSON] | None = None
) -> tuple[str, list[JSON]]:
    """What the recipient sees: HTML parsed (other modes are echoed as is), whitespace trimmed."""
    if parse_mode and parse_mode.lower() == "html":
        text, found = parse_html(raw)
    else:
        text, found = raw, [dict(e) for e in entities or []]
    # Telegram trims leading/trailing whitespace and shifts entities accordingly.
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    text = text.strip()
    size = utf16_len(text)
    kept = []
    for entity in found:
        start = max(0, entity["offset"] - lead)
        end = min(size, entity["offset"] + entity["length"] - lead)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return text, kept
