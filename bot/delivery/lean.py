"""Requests whose answer the bot reads only for a message id.

Telegram answers sendMessage and editMessageText with the whole message, including the one it
replies to, and aiogram validates all of it into a `Message`: ~0.14 ms a reply here, a tenth
of what a logged command costs the bot. A confirmation, a check-in card and a scoreboard need
only the id back, so these methods, the same requests on the wire, parse just that.
"""

from __future__ import annotations

from aiogram.methods import EditMessageText, SendMessage
from pydantic import BaseModel, ConfigDict


class SentId(BaseModel):
    """What the bot keeps of a message it sent or edited: the id (the rest is ignored)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    message_id: int


class SendMessageForId(SendMessage):
    """sendMessage, answered with the sent message's id only."""

    __returning__ = SentId


class EditMessageTextForId(EditMessageText):
    """editMessageText, answered with the edited message's id (or True for an inline one)."""

    __returning__ = SentId | bool
