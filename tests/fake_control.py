"""The control API of a standalone fake (`python -m tests.fake_telegram`): a test in another
process makes people act and reads what the bot did, over HTTP under /_fake/."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .fake_telegram_objects import JSON


class ControlMixin:
    def _control_routes(self) -> list[web.RouteDef]:
        def route(verb: str, path: str, action: Callable[[JSON], Any]) -> web.RouteDef:
            async def handle(request: web.Request) -> web.Response:
                body: JSON = dict(request.query)
                if request.can_read_body:
                    body.update(await request.json())
                try:
                    return web.json_response(action(body))
                except (KeyError, ValueError, TypeError) as error:
                    return web.json_response({"error": repr(error)}, status=400)

            return web.route(verb, f"/_fake/{path}", handle)

        return [
            route("POST", "message", self._control_message),
            route("POST", "update", self.queue_raw),
            route("POST", "button", self._control_button),
            route("POST", "admins", self._control_admins),
            route("POST", "member", self._control_member),
            route("POST", "fail", self._control_fail),
            route("GET", "calls", self._control_calls),
            route("GET", "sent", self._control_sent),
        ]

    def _control_calls(self, query: JSON) -> list[JSON]:
        calls = self.calls[int(query.get("since", 0)) :]
        return [_jsonable(c.method, c.params, c.files, at=c.at, status=c.status) for c in calls]

    def _control_sent(self, query: JSON) -> list[JSON]:
        sent = self.sent[int(query.get("since", 0)) :]
        return [
            _jsonable(s.method, s.params, s.files, chat_id=s.chat_id, message=s.message)
            for s in sent
        ]

    def _control_admins(self, body: JSON) -> bool:
        owner = body.get("owner")
        user_ids = [int(u) for u in body["user_ids"]]
        self.set_admins(int(body["chat_id"]), user_ids, None if owner is None else int(owner))
        return True

    def _control_member(self, body: JSON) -> bool:
        self.set_member_status(int(body["chat_id"]), int(body["user_id"]), body["status"])
        return True

    def _control_fail(self, body: JSON) -> bool:
        retry_after = body.get("retry_after")
        self.fail_next(
            body["method"],
            status=int(body.get("status", 500)),
            count=int(body.get("count", 1)),
            retry_after=None if retry_after is None else int(retry_after),
            description=body.get("description"),
        )
        return True

    def _control_message(self, body: JSON) -> JSON:
        user = self.users.get(int(body["user_id"])) if "first_name" not in body else None
        user = user or self.user(
            int(body["user_id"]),
            body.get("first_name"),
            body.get("username"),
            body.get("language_code", "ru"),
        )
        if body.get("chat_type", "private") == "private":
            chat = self.private_chat(user)
        else:
            chat_id = int(body["chat_id"])
            chat = self.chats.get(chat_id) or self.group(
                chat_id, body.get("chat_title", "SMM Team")
            )
        reply = body.get("reply_to_message_id")
        reply_to = self.message(chat["id"], int(reply)) if reply is not None else None
        return self.send_message(chat, user, body["text"], reply_to=reply_to)

    def _control_button(self, body: JSON) -> JSON:
        message = self.message(int(body["chat_id"]), int(body["message_id"]))
        if message is None:
            raise ValueError("no such message")
        user = self.users.get(int(body["user_id"])) or self.user(int(body["user_id"]))
        return self.press_button(message, body["data"], user)


def _jsonable(method: str, params: JSON, files: dict[str, bytes], **extra: Any) -> JSON:
    encoded = {name: base64.b64encode(data).decode() for name, data in files.items()}
    return {"method": method, "params": params, "files": encoded, **extra}
