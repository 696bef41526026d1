"""Bot API methods that send messages and files (sendMessage, sendPhoto, sendDocument,
sendMediaGroup, getFile). Mixed into FakeTelegram; what Telegram refuses is in fake_limits."""

from __future__ import annotations

import copy
import mimetypes
import struct
from typing import Any

from .fake_api import ApiError, Call, Sent, StoredFile, api_method, as_int
from .fake_limits import caption_content, formatted, inline_markup
from .fake_telegram_objects import JSON


def _image_size(data: bytes) -> tuple[int, int]:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return max(width, 1), max(height, 1)
    return 1280, 960


class SendMethodsMixin:
    bot_user: JSON
    render_html: bool
    sent: list[Sent]
    files: dict[str, StoredFile]

    def _formatted(self, params: JSON, key: str, limit: int) -> tuple[str, list[JSON]]:
        return formatted(params, key, limit, self.render_html)

    def _caption(self, params: JSON) -> JSON:
        return caption_content(params, self.render_html)

    def _reply_to(self, params: JSON, chat: JSON) -> JSON | None:
        reply = params.get("reply_parameters")
        options = reply if isinstance(reply, dict) else params
        message_id = options.get("message_id" if options is reply else "reply_to_message_id")
        if message_id is None:
            return None
        quoted = self.quoted(chat["id"], as_int(message_id, 0, "message_id"))
        if quoted is None and not options.get("allow_sending_without_reply"):
            raise ApiError(400, "Bad Request: message to be replied not found")
        return quoted

    @staticmethod
    def _inline_markup(params: JSON) -> JSON | None:
        return inline_markup(params)

    def _deliver(
        self,
        call: Call,
        chat: JSON,
        content: JSON,
        files: dict[str, bytes],
        quoted: JSON | None,
        markup: JSON | None,
    ) -> JSON:
        """Give the bot's message its id in the chat's sequence, store and record it."""
        message: JSON = {
            "message_id": self.next_message_id(chat["id"]),
            "from": self.bot_user,
            "chat": chat,
            "date": self.now,
        }
        if quoted is not None:
            message["reply_to_message"] = quoted
        message.update(content)
        if markup is not None:
            message["reply_markup"] = markup
        self.store_message(message)
        self.sent.append(Sent(call.method, chat["id"], copy.deepcopy(message), call.params, files))
        return message

    @api_method("sendMessage")
    def _send_message(self, call: Call) -> JSON:
        chat = self._chat(call.params.get("chat_id"))
        text, entities = self._formatted(call.params, "text", 4096)
        content: JSON = {"text": text, "entities": entities} if entities else {"text": text}
        return self._deliver(
            call,
            chat,
            content,
            {},
            self._reply_to(call.params, chat),
            self._inline_markup(call.params),
        )

    def _upload(self, call: Call, ref: Any, kind: str) -> tuple[bytes, str, str | None]:
        """(data, filename, part name) for attach://part, a direct part, or a known file_id."""
        if ref is None and kind in call.files:
            ref = f"attach://{kind}"  # uploaded directly as a part named like the parameter
        if isinstance(ref, str) and ref.startswith("attach://"):
            part = ref.removeprefix("attach://")
            if part not in call.files:
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            if not call.files[part]:
                raise ApiError(400, "Bad Request: file must be non-empty")
            return call.files[part], call.filenames.get(part, part), part
        if isinstance(ref, str) and ref in self.files:
            return self.files[ref].data, self.files[ref].filename, None
        if ref is None:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _store_file(self, data: bytes, filename: str, folder: str) -> JSON:
        n = self._serial_id()
        file_id, unique_id = f"{folder[:4].upper()}ACAgIAAxk{n:08d}", f"AQAD{n:08d}"
        suffix = filename[filename.rfind(".") :] if "." in filename else ""
        self.files[file_id] = StoredFile(data, filename, f"{folder}/file_{n}{suffix}", unique_id)
        return {"file_id": file_id, "file_unique_id": unique_id, "file_size": len(data)}

    def _photo(self, data: bytes, filename: str) -> list[JSON]:
        width, height = _image_size(data)
        sizes = [(width, height)]
        if max(width, height) > 90:  # Telegram adds smaller copies; one thumbnail is enough
            scale = 90 / max(width, height)
            sizes.insert(0, (max(1, round(width * scale)), max(1, round(height * scale))))
        return [
            {**self._store_file(data, filename, "photos"), "width": w, "height": h}
            for w, h in sizes
        ]

    def _document(self, data: bytes, filename: str) -> JSON:
        mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        return {
            **self._store_file(data, filename, "documents"),
            "file_name": filename,
            "mime_type": mime,
        }

    def _send_file(self, call: Call, kind: str) -> JSON:
        chat = self._chat(call.params.get("chat_id"))
        caption = self._caption(call.params)
        quoted, markup = self._reply_to(call.params, chat), self._inline_markup(call.params)
        data, filename, part = self._upload(call, call.params.get(kind), kind)
        media = self._photo(data, filename) if kind == "photo" else self._document(data, filename)
        files = {part: data} if part else {}
        return self._deliver(call, chat, {kind: media, **caption}, files, quoted, markup)

    @api_method("sendPhoto")
    def _send_photo(self, call: Call) -> JSON:
        return self._send_file(call, "photo")

    @api_method("sendDocument")
    def _send_document(self, call: Call) -> JSON:
        return self._send_file(call, "document")

    @api_method("sendMediaGroup")
    def _send_media_group(self, call: Call) -> list[JSON]:
        chat = self._chat(call.params.get("chat_id"))
        media = call.params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise ApiError(400, "Bad Request: media group must have 2-10 items")
        kinds = {item.get("type") for item in media}
        if not kinds <= {"photo", "document"}:
            raise ApiError(400, "Bad Request: the fake supports photo and document media only")
        if "document" in kinds and len(kinds) > 1:
            raise ApiError(400, "Bad Request: document can't be mixed with other media types")
        quoted = self._reply_to(call.params, chat)
        items = [
            (item, self._caption(item), self._upload(call, item.get("media"), item["type"]))
            for item in media
        ]
        group_id = str(10**17 + self._serial_id())
        messages = []
        for item, caption, (data, filename, part) in items:
            kind = item["type"]
            body = (
                self._photo(data, filename) if kind == "photo" else self._document(data, filename)
            )
            content = {"media_group_id": group_id, kind: body, **caption}
            files = {part: data} if part else {}
            messages.append(self._deliver(call, chat, content, files, quoted, None))
        return messages

    @api_method("getFile")
    def _get_file(self, call: Call) -> JSON:
        stored = self.files.get(str(call.params.get("file_id", "")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": call.params["file_id"],
            "file_unique_id": stored.unique_id,
            "file_size": len(stored.data),
            "file_path": stored.path,
        }
