"""The command menu registered with setMyCommands, per language and chat scope."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats

from bot.i18n import LANGUAGES, Translator

PRIVATE = ("checkin", "lead", "qlead", "post", "sale", "resp", "log", "kpi", "me", "top",
           "targets", "report", "remind", "keys", "undo", "history", "team", "help")  # fmt: skip
GROUP = ("lead", "qlead", "post", "sale", "resp", "log", "kpi", "me", "top", "targets",
         "report", "target", "settings", "metric", "export", "pin", "remind", "undo", "history",
         "channel", "invite", "iam", "captured", "help")  # fmt: skip


def menu(translator: Translator, lang: str, names: tuple[str, ...]) -> list[BotCommand]:
    return [BotCommand(command=n, description=translator.plain(lang, f"cmd-{n}")) for n in names]


async def register_commands(bot: Bot, translator: Translator) -> None:
    for scope, names in (
        (BotCommandScopeAllPrivateChats(), PRIVATE),
        (BotCommandScopeAllGroupChats(), GROUP),
    ):
        # Without a language code: what people with any other language see.
        await bot.set_my_commands(menu(translator, translator.default, names), scope=scope)
        for lang in LANGUAGES:
            await bot.set_my_commands(
                menu(translator, lang, names), scope=scope, language_code=lang
            )
