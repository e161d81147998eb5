"""Rasa's callback channel: messages in on a webhook, the bot's replies POSTed to a URL of
yours, also when the bot speaks on its own (a reminder firing, `trigger_intent`).

    credentials.yml:
      callback:
        url: "http://localhost:5034/bot"     # receives one POST per bot message

    POST /webhooks/callback/webhook  {"sender": "ann", "message": "hi", "metadata"?: {…}}
      -> "success"; then, for each part of each reply, POST url {"recipient_id", "text",
         "buttons"?, …} (the REST channel's items)

As in Rasa, the webhook answers once the turn has run; a reply the URL refuses or does not
take within `timeout` seconds is logged, never retried (the customer would see it twice).
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Iterable

from fastapi.responses import PlainTextResponse

from channels.base import CredentialError, Handler, InputChannel, Setting
from channels.rest import RestOutput, WebhookBody
from core.events import BotUttered

if TYPE_CHECKING:
    from fastapi import FastAPI

log = logging.getLogger("switchboard.callback")
WEBHOOK = "/webhooks/callback/webhook"


class CallbackInput(InputChannel):
    name = "callback"
    settings = (
        Setting("url", required=True, help="where the bot's messages are POSTed"),
        Setting("timeout", kind=float, default=10.0),
    )

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise CredentialError("url", f"'{url}' is not an http(s) URL")
        if timeout <= 0:
            raise CredentialError("timeout", f"must be above 0 seconds, got {timeout!r}")
        self.url, self.timeout = url, timeout
        self.output = RestOutput()
        self._session = None

    @classmethod
    def from_credentials(cls, values: dict[str, Any]) -> "CallbackInput":
        return cls(**values)

    def add_routes(self, app: "FastAPI", handle: Handler) -> None:
        @app.post(WEBHOOK)
        def webhook(body: WebhookBody) -> PlainTextResponse:
            result = handle(body.sender, body.message, self.name, body.metadata)
            self.push(body.sender, result.replies)
            return PlainTextResponse("success")

    def push(self, recipient_id: str, replies: Iterable[BotUttered]) -> int:
        """POST each message of `replies` to the URL; how many it took."""
        import requests

        if self._session is None:
            self._session = requests.Session()
        sent = 0
        for item in self.output.render_all(recipient_id, replies):
            try:
                self._session.post(self.url, json=item, timeout=self.timeout).raise_for_status()
                sent += 1
            except requests.RequestException as exc:
                log.error("callback channel: %s did not take a message for %s (%s)",
                          self.url, recipient_id, type(exc).__name__)
        return sent
