"""Rasa's REST channel, its server-sent-events stream, and the web chat page that uses it.

    POST /webhooks/rest/webhook  {"sender", "message", "metadata"?} -> the replies as a list
    POST /webhooks/rest/stream   same body; the same items as server-sent events
                                 (`event: message` each, then `event: done`), after
                                 `event: token`s while an answer is generated (below)
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

While a grounded answer is generated, the stream first sends its checked beginning as
it grows (responses/drafts.py: only what passes the guardrails), one delta per event:

    event: token
    data: {"recipient_id": "ann", "text": " within 5–7 business days."}

The deltas, joined, are a draft of the next reply; the `message` items that follow (the
same as without a draft) replace it, and may differ from it (the whole answer can still
be declined, or fall back to the extractive one). A client that reads only `message`
events sees what it always did. A turn that fails after tokens went out (the stream's
status is already 200) ends with `event: error`, `{"error": "..."}`, and no `done`;
one that fails before any token answers with its HTTP error, as the webhook does.
"""
from __future__ import annotations

import contextvars
import json
import logging
import queue
import threading
from pathlib import Path
from typing import Any, Callable, Iterator

from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from pydantic_core import to_jsonable_python

from channels.base import Handler, InputChannel, PartsOutputChannel
from responses import drafts

log = logging.getLogger("switchboard.channels")

CHAT_PAGE = Path(__file__).parent.parent / "server" / "static" / "chat.html"
MAX_TEXT = 4000


class WebhookBody(BaseModel):
    sender: str = Field(min_length=1, max_length=200)
    message: str = Field(max_length=MAX_TEXT)
    metadata: dict | None = None


class JSONReply(JSONResponse):
    """A reply rendered as it is: the standard library's JSON, and pydantic's conversions
    (dates in a YAML custom payload, say) only for what it cannot write, as FastAPI's
    serializer would."""

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except (TypeError, ValueError):
            return super().render(to_jsonable_python(content))


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


def sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


class StreamedTurn:
    """`run()` (the turn) in its own thread, listening for drafts: `first()`, then `next()`,
    give ("token", delta) while it runs, then ("result", TurnResult) or ("error", exception).
    The thread runs in a copy of the caller's context (the request's principal and client
    address, which `handle` checks); a client that hangs up does not stop the turn."""

    def __init__(self, run: Callable[[], Any]) -> None:
        self._queue: queue.Queue[tuple[str, Any]] = queue.Queue()
        context = contextvars.copy_context()
        threading.Thread(target=context.run, args=(self._run, run), daemon=True).start()

    def _run(self, run: Callable[[], Any]) -> None:
        with drafts.listening(lambda delta: self._queue.put(("token", delta))):
            try:
                self._queue.put(("result", run()))
            except BaseException as exc:  # noqa: BLE001 - handed to the request's thread
                self._queue.put(("error", exc))

    def first(self) -> tuple[str, Any]:
        """The first item; a turn that failed before any token raises its exception here."""
        kind, value = self._queue.get()
        if kind == "error":
            raise value
        return kind, value

    def next(self) -> tuple[str, Any]:
        return self._queue.get()


class RestInput(InputChannel):
    """The REST webhook, its stream and the web chat page. Always enabled (see
    channels.credentials): the page and the HTTP API's clients use it."""

    name = "rest"

    def __init__(self) -> None:
        self.output = RestOutput()

    def add_routes(self, app: FastAPI, handle: Handler) -> None:
        def turn(body: WebhookBody) -> list[dict]:
            result = handle(body.sender, body.message, self.name, body.metadata)
            return self.output.render_all(body.sender, result.replies)

        @app.post("/webhooks/rest/webhook", response_model=list[dict])
        async def webhook(body: WebhookBody) -> JSONReply:
            # the turn blocks (the store, the model): one hop to the threadpool, and the
            # items go out as they are (no second hop to validate a list of dicts)
            return JSONReply(await run_in_threadpool(turn, body))

        @app.post("/webhooks/rest/stream")
        def stream(body: WebhookBody) -> StreamingResponse:
            turn = StreamedTurn(lambda: handle(body.sender, body.message, self.name, body.metadata))
            first = turn.first()  # a turn that fails before any token: its HTTP error, as before

            def events() -> Iterator[str]:
                kind, value = first
                while kind == "token":
                    yield sse("token", {"recipient_id": body.sender, "text": value})
                    kind, value = turn.next()
                if kind == "error":
                    log.error("a streamed turn failed after its first token", exc_info=value)
                    yield sse("error", {"error": "the message was not processed, send it again later"})
                    return
                for item in self.output.render_all(body.sender, value.replies):
                    yield sse("message", item)
                yield "event: done\ndata: {}\n\n"
            return StreamingResponse(events(), media_type="text/event-stream")

        @app.get("/", include_in_schema=False)
        def chat_page() -> FileResponse:
            return FileResponse(CHAT_PAGE, media_type="text/html")

    def public_paths(self) -> tuple[str, ...]:
        return ("/",)  # the page itself; its requests carry its conversation token (server.auth)
