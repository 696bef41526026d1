"""Live scoreboards: post and pin one in the team group, edit it after entries.

An edit counts against the group's 20 messages a minute like a confirmation does, so every
post and edit goes through the shared RateLimiter, and a board is edited at most once a
minute however many entries arrive (`touch` marks it dirty; `tick` catches up). A board
deleted, unpinned by hand, or displaced by another pin is left alone from then on, and the
manager who pinned it is told once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import timedelta
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import TelegramObject

from bot.clock import Clock
from bot.delivery import ChatGone, Failed, RateLimiter, Uncertain
from bot.delivery.lean import EditMessageTextForId
from bot.i18n import Translator
from bot.scoreboard_view import board_markup, board_text
from storage.records import Team
from storage.repository import Repository
from storage.scoreboards import Scoreboard

log = logging.getLogger(__name__)
EDIT_EVERY = timedelta(minutes=1)
SEND_ERRORS = (ChatGone, Failed, Uncertain, TelegramAPIError)


class Scoreboards:
    def __init__(
        self, repo: Repository, translator: Translator, clock: Clock, limiter: RateLimiter
    ):
        self.repo = repo
        self.translator = translator
        self.clock = clock
        self.limiter = limiter
        self._live: set[int] | None = None  # teams with a live board, read once
        self._locks: dict[int, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    # --- what handlers call ---

    def touch(self, bot: Bot, team_id: int) -> None:
        """An entry changed the team's numbers: refresh its board soon, off the reply's path."""
        if self._live is not None and team_id not in self._live:
            return  # most teams have no board: nothing to read or write
        task = asyncio.get_running_loop().create_task(self._touched(bot, team_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def post(self, bot: Bot, team: Team, manager_id: int) -> bool:
        """Post the board and pin it (replacing an older one); False if it cannot be pinned."""
        async with self._lock(team.id):
            old = await self.repo.scoreboards.get(team.id)
            t = self.translator.bind(team.settings.language)
            now = self.clock.now()
            text, month = await board_text(self.repo, team, now, t)
            markup = board_markup((await bot.me()).username, t)
            # Paced in the group's budget and retried by the bot's Delivery (bot/delivery).
            sent = await bot.send_message(team.id, text, reply_markup=markup)
            try:
                await bot.pin_chat_message(team.id, sent.message_id, disable_notification=True)
            except TelegramBadRequest as exc:  # no right to pin: take the board back
                log.info("cannot pin in %s: %s", team.id, exc)
                with suppress(TelegramAPIError):
                    await bot.delete_message(team.id, sent.message_id)
                return False
            if old is not None and old.state == "live":
                await self._unpin(bot, old)
            await self.repo.scoreboards.put(team.id, sent.message_id, month.start, manager_id, now)
            (await self._live_teams()).add(team.id)
            return True

    async def off(self, bot: Bot, team_id: int) -> bool:
        """/pin off: unpin and stop editing; False if there was no live board."""
        async with self._lock(team_id):
            board = await self.repo.scoreboards.get(team_id)
            if board is None or not await self.repo.scoreboards.set_state(
                team_id, board.message_id, "off"
            ):
                return False
            (await self._live_teams()).discard(team_id)
            await self._unpin(bot, board)
            return True

    async def pinned_elsewhere(self, bot: Bot, team_id: int, message_id: int) -> None:
        """A pinned_message service update: someone pinned another message in the group."""
        async with self._lock(team_id):  # after a /pin in flight has stored its message
            board = await self.repo.scoreboards.get(team_id)
        if board is not None and board.state == "live" and board.message_id != message_id:
            await self._gone(bot, board)

    async def tick(self, bot: Bot) -> None:
        """Every few seconds: boards with entries not shown yet, and any new month."""
        for board in await self.repo.scoreboards.live():
            await self._refresh(bot, board.team_id, force=False)

    async def close(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    # --- inside ---

    def _lock(self, team_id: int) -> asyncio.Lock:
        return self._locks.setdefault(team_id, asyncio.Lock())

    async def _live_teams(self) -> set[int]:
        if self._live is None:
            self._live = {b.team_id for b in await self.repo.scoreboards.live()}
        return self._live

    async def _touched(self, bot: Bot, team_id: int) -> None:
        if team_id not in await self._live_teams():
            return
        try:
            await self._refresh(bot, team_id, force=False, dirty=True)
        except Exception:  # a background task: log it, the next tick retries
            log.exception("scoreboard of %s not refreshed", team_id)

    async def _refresh(self, bot: Bot, team_id: int, *, force: bool, dirty: bool = False) -> None:
        async with self._lock(team_id):
            if dirty:  # under the lock: an edit in flight cannot clear it unseen
                await self.repo.scoreboards.mark_dirty(team_id)
            board = await self.repo.scoreboards.get(team_id)
            team = await self.repo.teams.get(team_id)
            if board is None or board.state != "live" or team is None or not team.active:
                return
            now = self.clock.now()
            t = self.translator.bind(team.settings.language)
            text, month = await board_text(self.repo, team, now, t)
            rolled = month.start != board.month
            if not (force or rolled or (board.dirty and now - board.edited_at >= EDIT_EVERY)):
                return
            if not await self._still_pinned(bot, board):
                await self._gone(bot, board)
                return
            markup = board_markup((await bot.me()).username, t)
            try:
                await bot(
                    EditMessageTextForId(
                        text=text, chat_id=team_id, message_id=board.message_id, reply_markup=markup
                    )
                )
            except TelegramBadRequest as exc:
                if "not modified" not in str(exc):
                    if "not found" in str(exc):
                        await self._gone(bot, board)
                    else:
                        log.warning("scoreboard of %s not edited: %s", team_id, exc)
                    return
            except SEND_ERRORS as exc:
                log.warning("scoreboard of %s not edited: %s", team_id, exc)
                return
            await self.repo.scoreboards.edited(team_id, board.message_id, month.start, now)

    async def _still_pinned(self, bot: Bot, board: Scoreboard) -> bool:
        try:
            chat = await bot.get_chat(board.team_id)
        except TelegramAPIError as exc:  # cannot tell: assume it is, the edit will say
            log.info("getChat %s: %s", board.team_id, exc)
            return True
        pinned = chat.pinned_message
        return pinned is not None and pinned.message_id == board.message_id

    async def _gone(self, bot: Bot, board: Scoreboard) -> None:
        """Stop editing it and tell the manager who pinned it, once."""
        if not await self.repo.scoreboards.set_state(board.team_id, board.message_id, "gone"):
            return
        (await self._live_teams()).discard(board.team_id)
        team = await self.repo.teams.get(board.team_id)
        if team is None:
            return
        t = self.translator.bind(team.settings.language)
        text = t("board-gone", team=team.title)
        for chat_id in (board.manager_id, team.id):  # privately if possible, else the group
            if chat_id is None:
                continue
            try:
                await bot.send_message(chat_id, text)
                return
            except SEND_ERRORS as exc:
                log.info("could not tell %s the board is gone: %s", chat_id, exc)

    async def _unpin(self, bot: Bot, board: Scoreboard) -> None:
        try:
            await bot.unpin_chat_message(board.team_id, message_id=board.message_id)
        except TelegramAPIError as exc:  # unpinned or deleted already: nothing to undo
            log.info("unpin %s/%s: %s", board.team_id, board.message_id, exc)


class TouchAfterEntry(BaseMiddleware):
    """On the logging router: after a logging command, the team's board may need an edit.
    (Kept out of the handlers: they stay about parsing and confirming.)"""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        result = await handler(event, data)
        ctx, boards = data.get("ctx"), data.get("scoreboards")
        if ctx is not None and ctx.team is not None and isinstance(boards, Scoreboards):
            boards.touch(data["bot"], ctx.team.id)
        return result
