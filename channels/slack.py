"""Slack, through its Events API and the official client (`slack_sdk`).

    POST /webhooks/slack/webhook   events (JSON) and button clicks (interactivity: a form
                                   with `payload=`); set it as the app's Event Subscriptions
                                   Request URL and its Interactivity Request URL

credentials.yml, as Rasa writes it (plus `slack_api_url`):

    slack:
      slack_token: "xoxb-…"              # the bot token (scope chat:write)
      slack_signing_secret: "…"          # Basic Information -> App Credentials
      slack_channel: "C0123ABCD"         # optional: answer every message in this channel too
      use_threads: false                 # answer in a thread under the customer's message
      conversation_granularity: sender   # one conversation per sender | channel | thread
      proxy: "http://proxy:3128"         # optional
      slack_api_url: "https://slack.com/api/"  # where Slack's Web API is (tests point it
                                               # at a local stand-in)

The Slack app needs the bot scopes chat:write, im:history (and channels:history for
channels) and the bot events `message.im` (and `message.channels`). What is answered, as
in Rasa: direct messages to the bot, messages that mention it, and every message in
`slack_channel`; `app_mention` events are not used (each mention also arrives as a
`message` event, and answering both would answer twice). Not answered: edits, deletions,
joins (any message with a subtype), messages of bots (the bot's own included), and
Slack's retries (`X-Slack-Retry-Num`): the first delivery was acknowledged at once and is
being answered, so a reply is never posted twice (a retry after a crash is not answered
either).

Security: a request must carry Slack's signature (`X-Slack-Signature`: v0 HMAC-SHA256 of
`v0:{X-Slack-Request-Timestamp}:{body}` with the signing secret) made in the last 5 minutes
(`slack_sdk.signature.SignatureVerifier`), or it gets 401 and nothing is done. That
signature is the route's authentication: it needs no bearer token.

Slack waits 3 seconds for the HTTP answer, so the request is acknowledged (200) first;
the turn runs and its replies are posted with `chat.postMessage` after the response is
sent (a FastAPI background task, in a worker thread). Each reply is one Slack message:
its text, buttons as a Block Kit `actions` block (a click sends the button's payload as
the customer's message), its image as an `image` block, and a custom payload that is
Block Kit (a list of blocks, or `{"blocks": [...]}` as Rasa users write it) appended; a
grounded answer's sources become a `context` line, other custom payloads are not shown.
"""
from __future__ import annotations

import html
import json
import logging
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import parse_qs

from fastapi import BackgroundTasks, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from slack_sdk.signature import SignatureVerifier

from channels.base import CredentialError, Handler, InputChannel, OutputChannel, Setting
from core.events import BotUttered

log = logging.getLogger(__name__)

WEBHOOK = "/webhooks/slack/webhook"
SLACK_API = "https://slack.com/api/"
SECTION_LIMIT = 3000  # characters of text in one section block
BUTTONS_PER_BLOCK = 25
BUTTON_TITLE_LIMIT = 75
ALT_TEXT_LIMIT = 2000
LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]+))?>")


@dataclass(frozen=True)
class SlackMessage:
    """A customer's message (or button click) worth answering."""

    user: str
    text: str
    channel: str
    ts: str
    thread_ts: str | None = None


class SlackOutput(OutputChannel[dict]):
    """Replies as `chat.postMessage` arguments, one message per reply."""

    def render(self, recipient_id: str, reply: BotUttered) -> list[dict]:
        extras = (_button_blocks(reply.buttons) + _image_blocks(reply) + _custom_blocks(reply.custom)
                  + _source_blocks(reply.custom))
        if not reply.text and not extras:
            return []
        message: dict = {"channel": recipient_id, "text": _fallback_text(reply)}
        if extras:  # Slack then shows the blocks, not `text`: the text goes first, in sections
            message["blocks"] = _sections(reply.text) + extras
        return [message]


def _sections(text: str) -> list[dict]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": text[i:i + SECTION_LIMIT]}}
            for i in range(0, len(text), SECTION_LIMIT)]


def _button_blocks(buttons: tuple[tuple[str, str], ...]) -> list[dict]:
    """Buttons as `actions` blocks; a click sends the payload back (see `_clicked`)."""
    return [{"type": "actions", "elements": [
        {"type": "button", "action_id": f"button_{start + n}", "value": payload,
         "text": {"type": "plain_text", "text": title[:BUTTON_TITLE_LIMIT]}}
        for n, (title, payload) in enumerate(buttons[start:start + BUTTONS_PER_BLOCK])]}
        for start in range(0, len(buttons), BUTTONS_PER_BLOCK)]


def _image_blocks(reply: BotUttered) -> list[dict]:
    if not reply.image:
        return []
    return [{"type": "image", "image_url": reply.image, "alt_text": (reply.text or "image")[:ALT_TEXT_LIMIT]}]


def _custom_blocks(custom: Any) -> list[dict]:
    """Block Kit blocks in a custom payload: a list of blocks, or Rasa's `{"blocks": [...]}`."""
    blocks = custom.get("blocks") if isinstance(custom, dict) else custom
    if isinstance(blocks, list) and blocks and all(isinstance(b, dict) and "type" in b for b in blocks):
        return list(blocks)
    return []


def _source_blocks(custom: Any) -> list[dict]:
    """The passages a grounded answer cites (our own `{"sources": [...]}`), as a context line."""
    if not isinstance(custom, dict) or not isinstance(custom.get("sources"), list):
        return []
    ids = [str(s["id"]) for s in custom["sources"] if isinstance(s, dict) and "id" in s]
    return [{"type": "context", "elements": [{"type": "mrkdwn", "text": "Sources: " + ", ".join(ids)}]}] \
        if ids else []


def _fallback_text(reply: BotUttered) -> str:
    """What notifications show: the text, else a Rasa-style custom payload's `text`, else
    the image's address."""
    custom_text = reply.custom.get("text") if isinstance(reply.custom, dict) else None
    return reply.text or (custom_text if isinstance(custom_text, str) else "") or reply.image or ""


def plain_text(text: str, bot_user: str | None) -> str:
    """What the customer typed, from Slack's markup: the bot's own mention dropped, links
    as their label (or address), `&amp;`/`&lt;`/`&gt;` unescaped."""
    if bot_user:
        text = text.replace(f"<@{bot_user}>", " ")
    text = LINK.sub(lambda m: m.group(2) or m.group(1).removeprefix("mailto:"), text)
    return " ".join(html.unescape(text).split())


class SlackInput(InputChannel):
    """Slack's Events API in, `chat.postMessage` out (the module docstring has the details)."""

    name = "slack"
    settings = (
        Setting("slack_token", required=True,
                help="the app's Bot User OAuth Token (xoxb-…), page OAuth & Permissions"),
        Setting("slack_signing_secret", required=True,
                help="the app's Signing Secret, page Basic Information -> App Credentials"),
        Setting("slack_channel"),
        Setting("use_threads", kind=bool, default=False),
        Setting("conversation_granularity", default="sender", choices=("sender", "channel", "thread")),
        Setting("proxy"),
        Setting("slack_api_url", default=SLACK_API),
    )
    unused = {key: "not used: Switchboard never answers a retry from Slack (X-Slack-Retry-Num), "
                   "whatever its reason, so a reply is never posted twice"
              for key in ("slack_retry_reason_header", "slack_retry_number_header", "errors_ignore_retry")}

    def __init__(self, slack_token: str, slack_signing_secret: str, slack_channel: str | None = None,
                 use_threads: bool = False, conversation_granularity: str = "sender",
                 proxy: str | None = None, slack_api_url: str = SLACK_API) -> None:
        if not slack_signing_secret.strip():
            raise CredentialError("slack_signing_secret", "must not be empty (Slack's app page, "
                                  "Basic Information -> App Credentials -> Signing Secret)")
        if not slack_token.strip():
            raise CredentialError("slack_token", "must not be empty (the app's Bot User OAuth Token, xoxb-…)")
        if not slack_api_url.startswith(("https://", "http://")):
            raise CredentialError("slack_api_url", f"'{slack_api_url}' is not an http(s) URL")
        self.verifier = SignatureVerifier(slack_signing_secret)
        self.client = WebClient(token=slack_token, base_url=slack_api_url.rstrip("/") + "/", proxy=proxy)
        self.slack_channel = slack_channel
        self.use_threads = use_threads
        self.granularity = conversation_granularity
        self.output = SlackOutput()
        self.seen = SeenEvents()

    @classmethod
    def from_credentials(cls, values: dict[str, Any]) -> "SlackInput":
        return cls(**values)

    def public_paths(self) -> tuple[str, ...]:
        return (WEBHOOK,)  # authenticated by Slack's signature instead of the bearer token

    def add_routes(self, app: FastAPI, handle: Handler) -> None:
        @app.post(WEBHOOK, include_in_schema=False)
        async def webhook(request: Request, background: BackgroundTasks) -> Response:
            body = await request.body()
            if not self.verified(body, request.headers):
                return JSONResponse({"error": "missing, wrong or stale Slack signature "
                                     "(headers X-Slack-Signature, X-Slack-Request-Timestamp)"}, 401)
            if _timed_out_retry(request.headers):  # we got the first delivery: it is being answered
                return Response(status_code=200, headers={"X-Slack-No-Retry": "1"})
            payload = _payload(body, request.headers.get("content-type", ""))
            if payload is None:
                return JSONResponse({"error": "body is not a Slack event or interaction payload"}, 400)
            if not self.seen.first_time(payload.get("event_id")):  # a replay or a second retry
                return Response(status_code=200)
            if payload.get("type") == "url_verification":
                return JSONResponse({"challenge": payload.get("challenge")})
            message = self.message(payload)
            if message is not None:
                background.add_task(self.answer, message, handle)
            return Response(status_code=200)

    def verified(self, body: bytes, headers: Mapping[str, str]) -> bool:
        """Slack's v0 signature over the body, within 5 minutes of its timestamp."""
        try:
            return self.verifier.is_valid(body, headers.get("x-slack-request-timestamp"),
                                          headers.get("x-slack-signature"))
        except ValueError:  # a timestamp that is not a number, a body that is not UTF-8
            return False

    def message(self, payload: dict) -> SlackMessage | None:
        """The message to answer in an event or interaction payload, if any."""
        if payload.get("type") == "block_actions":
            return _clicked(payload)
        event = payload.get("event")
        if payload.get("type") != "event_callback" or not isinstance(event, dict):
            return None
        if event.get("type") != "message" or event.get("subtype") or event.get("bot_id"):
            return None
        user, text, channel = event.get("user"), event.get("text"), event.get("channel")
        if not (isinstance(user, str) and isinstance(text, str) and isinstance(channel, str) and text.strip()):
            return None
        bot_user = _bot_user(payload)
        if user == bot_user:
            return None
        direct = event.get("channel_type") == "im"
        mentioned = bool(bot_user) and f"<@{bot_user}>" in text
        if not (direct or mentioned or channel == self.slack_channel):
            return None
        text = plain_text(text, bot_user)
        thread = event.get("thread_ts")
        return SlackMessage(user, text, channel, str(event.get("ts", "")),
                            thread if isinstance(thread, str) else None) if text else None

    def conversation_id(self, message: SlackMessage) -> str:
        """Rasa's sender ids: the user; `{user}_{channel}`; `{user}_{channel}_{thread}`."""
        if self.granularity == "channel":
            return f"{message.user}_{message.channel}"
        if self.granularity == "thread":
            return f"{message.user}_{message.channel}_{message.thread_ts or message.ts}"
        return message.user

    def answer(self, message: SlackMessage, handle: Handler) -> None:
        """Run the turn and post its replies (after Slack's request was acknowledged)."""
        try:
            result = handle(self.conversation_id(message), message.text, self.name)
        except Exception:  # noqa: BLE001 - the HTTP answer is gone; the log is all that is left
            log.exception("handling a Slack message from %s failed", message.user)
            return
        thread = (message.thread_ts or message.ts) if self.use_threads and message.ts else None
        for post in self.output.render_all(message.channel, result.replies):
            if thread:
                post["thread_ts"] = thread
            try:
                self.client.chat_postMessage(**post)
            except (SlackClientError, OSError) as exc:
                log.error("posting a reply to Slack channel %s failed: %s", message.channel, exc)


def _payload(body: bytes, content_type: str) -> dict | None:
    """The JSON of an event, or of an interaction (a form with `payload=`); None if neither."""
    try:
        if content_type.startswith("application/x-www-form-urlencoded"):
            form = parse_qs(body.decode())
            parsed = json.loads(form["payload"][0]) if "payload" in form else None
        else:
            parsed = json.loads(body)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _bot_user(payload: dict) -> str | None:
    """The bot's own user id, from the event's `authorizations`."""
    authorizations = payload.get("authorizations")
    if isinstance(authorizations, list) and authorizations and isinstance(authorizations[0], dict):
        user = authorizations[0].get("user_id")
        return user if isinstance(user, str) else None
    return None


def _clicked(payload: dict) -> SlackMessage | None:
    """A click on one of the bot's buttons: its payload as the customer's message."""
    actions, user, channel = payload.get("actions"), payload.get("user"), payload.get("channel")
    if not (isinstance(actions, list) and actions and isinstance(actions[0], dict)
            and actions[0].get("type") == "button" and isinstance(actions[0].get("value"), str)
            and isinstance(user, dict) and isinstance(channel, dict)):
        return None
    container = payload.get("container") if isinstance(payload.get("container"), dict) else {}
    user_id, channel_id = user.get("id"), channel.get("id")
    if not (isinstance(user_id, str) and isinstance(channel_id, str)):
        return None
    thread = container.get("thread_ts")
    return SlackMessage(user_id, actions[0]["value"], channel_id, str(container.get("message_ts", "")),
                        thread if isinstance(thread, str) else None)


def _timed_out_retry(headers: Mapping[str, str]) -> bool:
    """A retry because our first answer was slow (Rasa ignores these too). Retries for
    other reasons (the server was down) are answered, once (`SeenEvents`)."""
    return bool(headers.get("x-slack-retry-num")) and \
        headers.get("x-slack-retry-reason", "http_timeout") == "http_timeout"


class SeenEvents:
    """Slack `event_id`s answered in the last `ttl_s` seconds, so a signed request that is
    replayed (within the signature's 5 minutes) or retried is answered once per process."""

    def __init__(self, ttl_s: float = 600.0, limit: int = 10_000) -> None:
        self.ttl_s, self.limit = ttl_s, limit
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, event_id: object) -> bool:
        if not isinstance(event_id, str) or not event_id:
            return True  # interactions (button clicks) carry no event_id
        now = time.monotonic()
        with self._lock:
            while self._seen and (len(self._seen) > self.limit
                                  or next(iter(self._seen.values())) < now - self.ttl_s):
                self._seen.popitem(last=False)
            if event_id in self._seen:
                return False
            self._seen[event_id] = now
            return True
