"""Rasa's REST channel, its server-sent-events stream, and the web chat page that uses it.

    POST /webhooks/rest/webhook  {"sender", "message", "metadata"?} -> the replies as a list
    POST /webhooks/rest/stream   same body; the same items as server-sent events
                                 (`event: message` each, then `event: done`)
    GET  /                       the web chat page (server/static/chat.html)

The items are exactly those of Rasa's REST channel (its CollectingOutputChannel, fed by
`OutputChannel.send_response`): each reply becomes an item with its text (and buttons,
`[{"title", "payload"}]`), then one with its custom payload, then one with its image,
each with `recipient_id`; a text without buttons is split at blank lines into one item
per paragraph. Absent parts have no key:

    [{"recipient_id": "ann", "text": "Here is our shop.", "buttons": [...]},
     {"recipient_id": "ann", "custom": {...}},
     {"recipient_id": "ann", "image": "https://example.com/shop.png"}]

So a client written for Rasa's REST channel reads ours unchanged; the web chat page
shows a custom payload's `sources` under the text before it.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from fastapi import FastAPI
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel, Field

from channels.base import Handler, InputChannel, PartsOutputChannel

CHAT_PAGE = Path(__file__).parent.parent / "server" / "static" / "chat.html"
MAX_TEXT = 4000


class WebhookBody(BaseModel):
    sender: str = Field(min_length=1, max_length=200)
    message: str = Field(max_length=MAX_TEXT)
    metadata: dict | None = None


class RestOutput(PartsOutputChannel[dict]):
    """Replies as Rasa's REST channel returns them (the module docstring has the shape)."""

    def text(self, recipient_id: str, text: str) -> list[dict]:
        return [{"recipient_id": recipient_id, "text": part} for part in text.strip().split("\n\n")]

    def text_with_buttons(self, recipient_id: str, text: str,
                          buttons: tuple[tuple[str, str], ...]) -> list[dict]:
        return [{"recipient_id": recipient_id, "text": text,
                 "buttons": [{"title": title, "payload": payload} for title, payload in buttons]}]

    def custom(self, recipient_id: str, payload: Any) -> list[dict]:
        return [{"recipient_id": recipient_id, "custom": payload}]

    def image(self, recipient_id: str, url: str) -> list[dict]:
        return [{"recipient_id": recipient_id, "image": url}]


class RestInput(InputChannel):
    """The REST webhook, its stream and the web chat page. Always enabled (see
    channels.credentials): the page and the HTTP API's clients use it."""

    name = "rest"

    def __init__(self) -> None:
        self.output = RestOutput()

    def add_routes(self, app: FastAPI, handle: Handler) -> None:
        @app.post("/webhooks/rest/webhook")
        def webhook(body: WebhookBody) -> list[dict]:
            result = handle(body.sender, body.message, self.name, body.metadata)
            return self.output.render_all(body.sender, result.replies)

        @app.post("/webhooks/rest/stream")
        def stream(body: WebhookBody) -> StreamingResponse:
            items = self.output.render_all(body.sender, handle(body.sender, body.message, self.name,
                                                              body.metadata).replies)

            def events() -> Iterator[str]:
                for item in items:
                    yield f"event: message\ndata: {json.dumps(item, ensure_ascii=False)}\n\n"
                yield "event: done\ndata: {}\n\n"
            return StreamingResponse(events(), media_type="text/event-stream")

        @app.get("/", include_in_schema=False)
        def chat_page() -> FileResponse:
            return FileResponse(CHAT_PAGE, media_type="text/html")

    def public_paths(self) -> tuple[str, ...]:
        return ("/",)  # the page itself; its requests carry its conversation token (server.auth)
