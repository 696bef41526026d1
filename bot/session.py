"""The bot's HTTP session to the Bot API: aiogram's, with two costs of every request cut.

Both matter because every update costs at least two requests (its getUpdates share and its
reply) and the bot runs on one core's worth of Python (bench/bench_updates.py).
"""

from __future__ import annotations

import json
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import Response
from aiohttp import FormData
from aiohttp.payload import BytesPayload


class Session(AiohttpSession):
    """- Requests without a file go as one JSON body, which the Bot API accepts for every
      method ("application/json (except for uploading files)"): aiogram's form encodes each
      nested object to JSON and then percent-encodes the lot, twice the work (~105 against
      ~50 us for a reply here). With a file, aiogram's multipart form as before.
    - aiogram parses every answer as `Response[<method's result type>]`. pydantic keeps those
      generic classes only in a weak cache, so after a garbage collection the next request
      builds one again (~3 ms for `Response[Message]`; 63 times in 1,000 replies under the
      allocations of the /lead path). Holding each one here keeps it built."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._responses: dict[Any, type] = {}
        self.updates_body: str | None = None  # the last getUpdates answer (bot/inbox.py)

    def build_form_data(  # type: ignore[override]  # aiohttp takes either as `data`
        self, bot: Bot, method: TelegramMethod[Any]
    ) -> FormData | BytesPayload:
        files: dict[str, Any] = {}
        fields = {}
        for key, value in method.model_dump(warnings=False).items():
            # aiogram's own conversion (defaults such as parse_mode, enums, dates, nested
            # objects), left as JSON values instead of strings
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is not None and prepared != "":  # what aiogram's form leaves out
                fields[key] = prepared
        if files:
            return super().build_form_data(bot, method)
        body = json.dumps(fields, ensure_ascii=False).encode()
        return BytesPayload(body, content_type="application/json")

    def check_response(
        self, bot: Bot, method: TelegramMethod[Any], status_code: int, content: str
    ) -> Response[Any]:
        returning = method.__returning__
        if returning not in self._responses:
            self._responses[returning] = Response[returning]  # type: ignore[valid-type]
        if isinstance(method, GetUpdates):  # the inbox stores the batch as it came
            self.updates_body = content
        return super().check_response(bot, method, status_code, content)
