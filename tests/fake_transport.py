"""The HTTP side of the fake Bot API: the aiohttp server, request decoding, dispatch to the
registered method handlers, flood limits, and getUpdates/webhooks. Mixed into FakeTelegram."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any, Self

from aiohttp import BodyPartReader, web

from .fake_api import (
    MAX_POLL_TIMEOUT,
    ApiError,
    Call,
    Fault,
    api_method,
    as_int,
    decode_param,
    default_description,
)
from .fake_limits import RATE_LIMITED_METHODS, RateLimits
from .fake_telegram_objects import JSON


class TransportMixin:
    token: str
    port: int
    calls: list[Call]
    errors: list[BaseException]
    webhook: JSON | None
    _handlers: dict[str, Callable[[Call], Any]]
    _names: dict[str, str]
    _faults: dict[str, list[Fault]]
    _hangs: dict[str, list[float]]
    _limits: RateLimits | None
    _runner: web.AppRunner | None
    _closing: asyncio.Event
    _poll_generation: int
    _busy: int
    _last_activity: float

    @property
    def base_url(self) -> str:
        if self._runner is None:
            raise RuntimeError("FakeTelegram is not started")
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._closing = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.add_routes(self._control_routes())
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is None:
            return
        self._closing.set()  # ends long polls and hangs at once
        self._notify()
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def _read_params(
        self, request: web.Request
    ) -> tuple[JSON, dict[str, bytes], dict[str, str]]:
        raw: JSON = dict(request.query)
        files: dict[str, bytes] = {}
        filenames: dict[str, str] = {}
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                if part.filename is not None:
                    files[part.name] = bytes(await part.read())
                    filenames[part.name] = part.filename
                else:
                    raw[part.name] = await part.text()
        elif request.content_type == "application/x-www-form-urlencoded":
            raw.update(await request.post())
        elif request.content_type == "application/json" and request.can_read_body:
            body = await request.json()
            if isinstance(body, dict):
                raw.update(body)
        return {k: decode_param(k, v) for k, v in raw.items()}, files, filenames

    async def _handle_api(self, request: web.Request) -> web.Response:
        asked = request.match_info["method"]
        name = self._names.get(asked.lower(), asked)
        try:
            params, files, filenames = await self._read_params(request)
        except Exception as exc:  # garbage in, or a fake bug: record it, answer 400
            self.errors.append(exc)
            self.calls.append(Call(name, {}, {}, time.time(), status=400))
            error = ApiError(400, f"Bad Request: the fake could not decode the request: {exc!r}")
            return web.json_response(error.body(), status=400)
        call = Call(name, params, files, time.time(), filenames=filenames)
        self.calls.append(call)
        polling = name == "getUpdates"
        self._busy += 0 if polling else 1
        self._last_activity = time.monotonic()
        self._notify()
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            await self._maybe_hang(name)
            if faults := self._faults.get(name.lower()):
                fault = faults.pop(0)
                extra = {"retry_after": fault.retry_after} if fault.retry_after else None
                raise ApiError(fault.status, fault.description, extra)
            if polling:
                result = await self._get_updates(call, request)
            elif (handler := self._handlers.get(name)) is not None:
                result = self._limited(call, handler)
            else:
                raise ApiError(404, "Not Found: method not found")
            status, body = 200, {"ok": True, "result": result}
        except ApiError as error:
            status, body = error.status, error.body()
        except Exception as exc:  # a bug in the fake: keep it visible, answer like Telegram would
            self.errors.append(exc)
            status, body = 500, ApiError(500, f"Internal Server Error: fake bug {exc!r}").body()
        finally:
            self._busy -= 0 if polling else 1
            self._last_activity = time.monotonic()
        call.status, call.response = status, body
        self._notify()
        return web.json_response(body, status=status)

    async def _maybe_hang(self, name: str) -> None:
        if hangs := self._hangs.get(name.lower()):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), hangs.pop(0))

    def _limited(self, call: Call, handler: Callable[[Call], Any]) -> Any:
        """Flood limits around a handler: 429 before it runs, counted once it succeeded."""
        if self._limits is None or call.method not in RATE_LIMITED_METHODS:
            return handler(call)
        chat_id = call.params.get("chat_id")
        chat_id = chat_id if isinstance(chat_id, int) else 0
        media = call.params.get("media")
        units = len(media) if call.method == "sendMediaGroup" and isinstance(media, list) else 1
        now = time.monotonic()
        if wait := self._limits.retry_after(chat_id, units, now):
            raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
        result = handler(call)
        self._limits.record(chat_id, units, now)
        return result

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").body(), status=401)
        path = request.match_info["path"]
        stored = next((f for f in self.files.values() if f.path == path), None)
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").body(), status=404)
        return web.Response(body=stored.data, content_type="application/octet-stream")

    # --- getUpdates and webhooks ---

    async def _get_updates(self, call: Call, request: web.Request) -> list[JSON]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        p = call.params
        if isinstance(p.get("allowed_updates"), list):  # [] means Telegram's default set
            self.allowed_updates = frozenset(p["allowed_updates"]) or None
        self.confirm(as_int(p.get("offset"), 0, "offset") if "offset" in p else None)
        limit = min(max(as_int(p.get("limit"), 100, "limit"), 1), 100)
        wait = min(max(as_int(p.get("timeout"), 0, "timeout"), 0), MAX_POLL_TIMEOUT)
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # an older long poll still waiting gets its 409 now
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            if generation != self._poll_generation:
                raise ApiError(409, default_description(409, None))
            gone = request.transport is None or request.transport.is_closing()
            if gone or self._closing.is_set():
                return []  # nobody to deliver to: leave the updates queued
            updates = self.take_updates(limit)
            remaining = deadline - loop.time()
            if updates or remaining <= 0:
                return updates
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), min(remaining, 0.25))

    @api_method("setWebhook")
    def _set_webhook(self, call: Call) -> bool:
        self.webhook = dict(call.params) if call.params.get("url") else None
        if call.params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    @api_method("deleteWebhook")
    def _delete_webhook(self, call: Call) -> bool:
        self.webhook = None
        if call.params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    @api_method("getWebhookInfo")
    def _get_webhook_info(self, call: Call) -> JSON:
        info: JSON = {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        for key in ("allowed_updates", "max_connections"):
            if self.webhook and key in self.webhook:
                info[key] = self.webhook[key]
        return info
