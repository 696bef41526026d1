"""Inline keyboards and their callback data."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from storage.records import Team


class TeamChoice(CallbackData, prefix="team"):
    team_id: int


class DeleteEntry(CallbackData, prefix="del"):
    entry_id: int


def team_choice(teams: Sequence[Team]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for team in teams:
        builder.button(text=team.title or str(team.id), callback_data=TeamChoice(team_id=team.id))
    builder.adjust(1)
    return builder.as_markup()


def delete_buttons(labels: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for entry_id, label in labels:
        builder.button(text=f"🗑 {label}", callback_data=DeleteEntry(entry_id=entry_id))
    builder.adjust(1)
    return builder.as_markup()
