"""parse_mode=HTML as Telegram applies it to what the bot sends: tags become entities.

Offsets and lengths are in UTF-16 code units, as in the Bot API.
"""

from __future__ import annotations

import html
import re
from types import MappingProxyType
from typing import Any

JSON = dict[str, Any]


def utf16_len(text: str) -> int:
    """Entity offsets and lengths are counted in UTF-16 code units, not code points."""
    return len(text.encode("utf-16-le")) // 2


class EntityParseError(ValueError):
    """Telegram answers 400 "Bad Request: can't parse entities: ..." for these."""


_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)"
    r"((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>"
)
_ATTR = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?")
_HTML_ENTITY = MappingProxyType({
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler", "a": "text_link", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
})  # fmt: skip


def _tag_entity(
    name: str, attrs: dict[str, str], stack: list[tuple[str, JSON | None]]
) -> JSON | None:
    kind = _HTML_ENTITY[name]
    if name == "a":
        return {"type": kind, "url": attrs["href"]} if attrs.get("href") else None
    parent = stack[-1] if stack else ("", None)
    if name == "code" and parent[0] == "pre" and attrs.get("class", "").startswith("language-"):
        # <pre><code class="language-x"> is one pre entity with a language
        if parent[1] is not None:
            parent[1]["language"] = attrs["class"].removeprefix("language-")
        return None
    if name == "blockquote" and "expandable" in attrs:
        return {"type": "expandable_blockquote"}
    if name == "tg-emoji":
        return {"type": kind, "custom_emoji_id": attrs.get("emoji-id", "")}
    return {"type": kind}


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """Strip Telegram-HTML tags into (text, entities); unknown or unbalanced tags raise."""
    out: list[str] = []
    entities: list[JSON] = []
    stack: list[tuple[str, JSON | None]] = []
    pos, at = 0, 0  # pos: UTF-16 offset in the output; at: index in the source
    while at < len(source):
        lt = source.find("<", at)
        chunk = html.unescape(source[at : len(source) if lt < 0 else lt])
        out.append(chunk)
        pos += utf16_len(chunk)
        if lt < 0:
            break
        byte = len(source[:lt].encode())
        tag = _TAG.match(source, lt)
        if tag is None:
            problem = "Unclosed start tag" if ">" not in source[lt:] else "Unsupported start tag"
            raise EntityParseError(f"{problem} at byte offset {byte}")
        closing, name = tag.group(1) == "/", tag.group(2).lower()
        at = tag.end()
        if closing:
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {byte}")
            if stack[-1][0] != name:
                raise EntityParseError(
                    f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"'
                )
            _, entity = stack.pop()
            if entity is not None and pos > entity["offset"]:
                entity["length"] = pos - entity["offset"]
                entities.append(entity)
            continue
        attrs = {
            m.group(1).lower(): html.unescape(
                next((g for g in m.groups()[1:] if g is not None), "")
            )
            for m in _ATTR.finditer(tag.group(3))
        }
        if name not in _HTML_ENTITY or (name == "span" and attrs.get("class") != "tg-spoiler"):
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {byte}')
        entity = _tag_entity(name, attrs, stack)
        if entity is not None:
            entity["offset"] = pos
        stack.append((name, entity))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), sorted(entities, key=lambda e: (e["offset"], -e["length"]))


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
