"""The FastAPI app. `create_app(agent)` wires an `Agent` (and its tracker store) to HTTP.

    POST /webhooks/rest/webhook      {"sender", "message"} -> [{"recipient_id", "text", "buttons"?} |
                                     {"recipient_id", "custom"} | {"recipient_id", "image"}, …]
    POST /webhooks/rest/stream       same body; the replies as server-sent events
    POST /webhooks/rest/session      a new conversation for the chat page: {"sender", "token",
                                     "expires_at", "thumbs"} (a `channel` token: {"sender"} names it)
    POST /webhooks/rest/feedback     {"sender", "score": 1|-1, "text"?}: thumbs on a bot message
    GET  /                           a small web chat page (server/static/chat.html)
    POST /webhooks/<channel>/…       each other enabled channel's webhook (channels/)
    GET  /conversations/{id}/status  what the customer's page shows: handed off?, agents' messages
    POST /model/parse                {"text"} -> intent, intent_ranking, entities (Rasa's shape)
    GET  /conversations/{id}/tracker the conversation's state and events
    POST /conversations/{id}/messages {"text", "author": "customer"|"agent", "agent"?}
    POST /conversations/{id}/trigger_intent {"name", "entities"?}  Rasa's external events
    GET  /handoffs                   conversations waiting for a human
    POST /handoffs/{id}/release      hand a conversation back to the bot
    GET  /analytics, /analytics/data figures and charts of the stored conversations (server.analytics_routes)
    GET  /health, /version, /metrics

The webhook, stream and page are the REST channel (channels/rest.py: Rasa's reply items, one
each for a reply's text, custom payload and image); it is always mounted, and `channels`
(from credentials.yml, `channels.credentials.load_channels`) adds the others, such as Slack.

Who may call what is server.auth's: customers hold a token for their own conversation
(the chat page gets one from /webhooks/rest/session), staff hold bearer tokens with scopes
(agent, channel, metrics, admin). /health, the page, the session route and the webhooks of
channels that check the platform's own signature (Slack's) need no token. Every bad
request is a 4xx JSON error naming the field: 401 without a valid token, 403 for a scope
the token lacks or another customer's conversation, 413 for bodies over `max_body` bytes,
429 past a rate limit (server.limits).
"""
from __future__ import annotations

import threading
import time
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Literal, Sequence

from fastapi import FastAPI, Path as FastAPIPath, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from channels.base import InputChannel
from channels.rest import MAX_TEXT, JSONReply, RestInput, RestOutput
from core.errors import StoreUnavailable
from dialogue.agent import UnknownIntent
from server import auth as access
from server.errors import error as _error
from server.guard import CLIENT, Guard
from server.inbox import add_inbox_routes, claimant
from server.review_routes import add_review_routes
from server.analytics_routes import add_analytics_routes
from server.limits import Limited, RateLimits
from server.metrics import Metrics

if TYPE_CHECKING:
    from dialogue.agent import TurnResult

VERSION = "0.1.0"


class ParseBody(BaseModel):
    text: str = Field(max_length=MAX_TEXT)


class MessageBody(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    author: Literal["customer", "agent"] = "customer"
    agent: str | None = Field(default=None, max_length=200)


class TriggerBody(BaseModel):
    """Rasa's `POST /conversations/{id}/trigger_intent` body."""

    name: str = Field(min_length=1, max_length=200)
    entities: dict[str, str | int | float | bool] | None = None


class ReleaseBody(BaseModel):
    agent: str | None = Field(default=None, max_length=200)


class FeedbackBody(BaseModel):
    """A thumbs up (1) or down (-1) on the bot message whose text is `text` (none: the last)."""

    sender: str = Field(min_length=1, max_length=200)
    score: Literal[1, -1]
    text: str | None = Field(default=None, max_length=MAX_TEXT)


class SessionBody(BaseModel):
    sender: str | None = Field(default=None, min_length=1, max_length=200)




def parse_json(message) -> dict:
    return {
        "text": message.text,
        "intent": asdict(message.intent),
        "intent_ranking": [asdict(s) for s in message.intent_ranking],
        "entities": [{"entity": e.entity, "start": e.start, "end": e.end, "value": e.value,
                      "text": e.text, "confidence_entity": e.confidence, "extractor": e.extractor}
                     for e in message.entities],
        "language": message.language,
    }


def tracker_json(tracker) -> dict:
    latest = tracker.latest_message
    return {
        "sender_id": tracker.sender_id,
        "slots": tracker.slots,
        "latest_message": latest.to_dict() if latest else None,
        "latest_action_name": tracker.latest_action,
        "active_loop": tracker.active_loop,
        "handed_off": tracker.handed_off,
        "events": [e.to_dict() for e in tracker.events],
    }


# The actions /metrics counts, by the name it counts them under.
COUNTED_ACTIONS = {"action_default_fallback": "fallback", "action_handoff": "handoff",
                   "action_generate": "generated", "action_refuse": "refused"}


SESSION_PATH = "/webhooks/rest/session"
FEEDBACK_PATH = "/webhooks/rest/feedback"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


RETENTION_EVERY_S = 3600.0


def start_retention(agent, days: float, every_s: float = RETENTION_EVERY_S) -> threading.Thread:
    """A daemon thread deleting conversations idle for over `days` (at start, then every
    `every_s`), through the agent so its caches, tickets and reminders go too."""
    import logging

    from stores.retention import cutoff, purge

    log = logging.getLogger("switchboard.retention")

    def sweep() -> None:
        while True:
            try:
                purged = purge(agent.store, agent.queue, cutoff(days), forget=agent.forget)
                if purged.conversations:
                    log.info("retention: deleted %d conversation(s) idle for over %g days",
                             len(purged.conversations), days)
            except Exception:  # noqa: BLE001 - the next sweep tries again
                log.exception("retention sweep failed")
            time.sleep(every_s)

    thread = threading.Thread(target=sweep, name="retention", daemon=True)
    thread.start()
    return thread


def last_channel(tracker) -> str | None:
    """The channel of the customer's latest message (triggered intents aside)."""
    from dialogue.reminders import EXTERNAL

    for event in reversed(tracker.events):
        if event.name == "user" and event.input_channel != EXTERNAL:
            return event.input_channel
    return None


def create_app(agent, token: str | None = None, max_body: int = 64 * 1024,
               channels: Sequence[InputChannel] | None = None,
               allowed_hosts: Sequence[str] | None = None, auth: access.Auth | None = None,
               limits: RateLimits | None = None) -> FastAPI:
    """The app around `agent`; `channels` are mounted besides the REST channel (which is
    always mounted: the chat page and the API's clients use it). `auth` holds the staff
    tokens and the key for customers' tokens (default: `token` as the one admin token, and
    a key of this process's own); `limits` the customer channel's rate limits (default:
    server.limits.RateLimits()). Only requests whose Host header is in `allowed_hosts` are
    answered (default: the loopback names, so a web page that rebinds its DNS name to
    127.0.0.1 reads nothing; "*": any). No Swagger UI: it would load its scripts from a
    public CDN (the schema is at /openapi.json)."""
    auth = auth or access.Auth(admin_token=token)
    limits = limits or RateLimits()
    app = FastAPI(title="Switchboard", version=VERSION, docs_url=None, redoc_url=None)
    metrics = Metrics()
    app.state.agent, app.state.metrics = agent, metrics
    mounted = list(channels or ())
    if not any(channel.name == RestInput.name for channel in mounted):
        mounted.insert(0, RestInput())
    open_paths = {"/health", SESSION_PATH}.union(*(channel.public_paths() for channel in mounted))

    app.add_middleware(Guard, auth=auth, open_paths=open_paths, metrics=metrics)
    # the body limit holds for what arrives, not only for what Content-Length says (a
    # chunked body has none)
    app.add_middleware(BodyLimit, limit=max_body)
    hosts = list(allowed_hosts or LOOPBACK_HOSTS)
    if "*" not in hosts:
        from starlette.middleware.trustedhost import TrustedHostMiddleware

        app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts)

    @app.exception_handler(access.Forbidden)
    async def forbidden(request: Request, exc: access.Forbidden):
        return _error(403, str(exc))

    @app.exception_handler(Limited)
    async def limited(request: Request, exc: Limited):
        response = _error(429, str(exc))
        response.headers["Retry-After"] = str(max(1, round(exc.retry_after)))
        return response

    @app.exception_handler(StoreUnavailable)
    async def store_down(request: Request, exc: StoreUnavailable):
        return _error(503, f"{exc}; the message was not processed, send it again later")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        fields = [{"field": ".".join(str(p) for p in err["loc"] if p != "body") or "body",
                   "problem": err["msg"]} for err in exc.errors()]
        names = ", ".join(f["field"] for f in fields)
        return _error(400, f"invalid request: {names}", fields)

    def handle(sender: str, text: str, input_channel: str | None = None,
               metadata: dict | None = None) -> TurnResult:
        """The agent's turn, counted in the metrics; what every channel calls: only for a
        sender the request may speak for, within the sender's and the address's limits."""
        access.may_speak_for(sender)
        limits.message(sender, CLIENT.get())
        result = agent.handle(sender, text, input_channel, metadata)
        for step in result.steps:
            kind = COUNTED_ACTIONS.get(step.action)
            if kind and not step.rejected:
                metrics.count(kind)
        return result

    for channel in mounted:
        channel.add_routes(app, handle)
    retention = agent.domain.privacy.retention_days
    if retention is not None:  # domain.yml privacy: retention_days, enforced hourly
        start_retention(agent, retention)

    # channels that can speak first (callback): a turn no customer message started (a
    # reminder) goes out through the channel the customer last wrote on
    pushers = {c.name: c for c in mounted if callable(getattr(c, "push", None))}

    def push(sender_id: str, replies, channel: str | None) -> None:
        if channel == "latest":
            channel = last_channel(agent.tracker(sender_id))
        if channel in pushers and replies:
            pushers[channel].push(sender_id, replies)

    if pushers:
        agent.on_external_turn.append(lambda result: push(result.sender_id, result.replies, "latest"))
    rest_output = RestOutput()

    @app.post(SESSION_PATH)
    def session(request: Request, body: SessionBody | None = None) -> dict:
        """A new conversation and its customer token (the chat page calls this first); a
        `channel` token may name the sender (a site's logged-in customer)."""
        if body and body.sender:
            access.require("channel")
            return auth.issue(body.sender)
        limits.session(CLIENT.get())
        return {**auth.issue(), "thumbs": agent.domain.feedback.thumbs}

    @app.post(FEEDBACK_PATH)
    def rate(body: FeedbackBody) -> dict:
        """Thumbs on a bot message, from the customer's page (their own conversation only)."""
        access.may_speak_for(body.sender)
        limits.message(body.sender, CLIENT.get())
        event = agent.feedback(body.sender, body.score, body.text)
        if event is None:
            return _error(404, f"no bot message {'with that text ' if body.text else ''}in "
                               f"conversation '{body.sender}' (field text)")
        return {"sender": body.sender, "score": event.score, "rated": event.rated}

    @app.get("/conversations/{sender_id}/status")
    def status(sender_id: str) -> dict:
        """What the customer's own page shows: whether a human has the conversation, and
        the human agents' messages (for the customer's token, or an agent's)."""
        principal = access.current.get()
        if principal is None or principal.kind != "customer" or principal.sender != sender_id:
            access.require("agent")
        tracker = agent.tracker(sender_id)
        said = [{"text": e.text, "agent": e.custom["agent"], "timestamp": e.timestamp}
                for e in tracker.events
                if e.name == "bot" and isinstance(e.custom, dict) and e.custom.get("agent")]
        return {"sender_id": sender_id, "handed_off": tracker.handed_off, "agent_messages": said}

    def parsed(text: str) -> dict:
        access.require("channel")
        return parse_json(agent.understand(text))

    @app.post("/model/parse", response_model=dict)
    async def model_parse(body: ParseBody) -> JSONReply:
        return JSONReply(await run_in_threadpool(parsed, body.text))  # one threadpool hop

    masked = bool(getattr(agent.store, "mask_pii", False))

    def shown(tracker) -> dict:
        """The tracker as the API shows it: masked like the store when it masks (the
        in-memory cache still holds this turn's clear values)."""
        data = tracker_json(tracker)
        if masked:
            from stores.private import masked_value

            data = masked_value(data)
        return data

    @app.get("/conversations/{sender_id}/tracker")
    def get_tracker(sender_id: str) -> dict:
        access.require("agent")
        return shown(agent.tracker(sender_id))

    @app.post("/conversations/{sender_id}/messages")
    def post_message(sender_id: str, body: MessageBody):
        if body.author == "agent":
            staff = access.require("agent")
            taken = taken_by_another(agent.queue.list("open", sender_id), staff)
            if taken:
                return taken
            tracker = agent.agent_says(sender_id, body.text, body.agent or staff_name(staff))
            if tracker is None:
                return _error(409, f"conversation '{sender_id}' is not with a human agent (field author)")
            return {"tracker": shown(tracker), "replies": []}
        result = handle(sender_id, body.text)
        return {"tracker": shown(agent.tracker(sender_id)),
                "replies": rest_output.render_all(sender_id, result.replies)}

    @app.post("/conversations/{sender_id}/trigger_intent")
    def trigger_intent(sender_id: str, body: TriggerBody, output_channel: str | None = None):
        """An intent triggered from outside (Rasa's external events): the bot's turn runs
        as if the customer had sent it; its messages come back here, and also go out
        through `output_channel` (`latest`: the customer's last channel) where it can push."""
        access.require("channel")
        try:
            result = agent.trigger_intent(sender_id, body.name, {
                k: str(v) for k, v in (body.entities or {}).items()})
        except UnknownIntent:
            return _error(404, f"intent '{body.name}' is not in the domain (field name)")
        push(sender_id, result.replies, output_channel)
        return {"tracker": shown(agent.tracker(sender_id)),
                "messages": rest_output.render_all(sender_id, result.replies)}

    @app.get("/handoffs")
    def handoffs(status: Literal["open", "released"] = "open") -> list[dict]:
        access.require("agent")
        return [asdict(t) for t in agent.queue.list(status)]

    @app.post("/handoffs/{ticket_id}/release")
    def release(ticket_id: Annotated[int, FastAPIPath(ge=1, le=2**63 - 1)],
                body: ReleaseBody | None = None):
        staff = access.require("agent")
        ticket = agent.queue.get(ticket_id)
        if ticket is None:
            return _error(404, f"no handoff with id {ticket_id} (field ticket_id)")
        if ticket.status != "open":
            return _error(409, f"handoff {ticket_id} is already {ticket.status}")
        taken = taken_by_another([ticket], staff)
        if taken:
            return taken
        agent.release(ticket.sender_id, (body.agent if body else None) or staff_name(staff))
        return {"released": ticket_id, "sender_id": ticket.sender_id}

    open_paths.update(add_inbox_routes(app, agent, sign=staff_name))  # the agent inbox (GET /inbox)
    open_paths.update(add_review_routes(app, agent))  # the review page (GET /review)
    open_paths.update(add_analytics_routes(app, agent))  # figures and charts (GET /analytics)

    @app.get("/health")
    def health():
        """ok, or 503 naming what fails (the tracker store)."""
        ping = getattr(agent.store, "ping", None)
        try:
            if ping is not None:
                ping()
        except StoreUnavailable as exc:
            return JSONResponse({"status": "failing", "store": str(exc)}, status_code=503)
        return {"status": "ok"}

    @app.get("/version")
    def version() -> dict:
        return {"version": VERSION, "nlu": getattr(agent.parser, "config", None) and agent.parser.config.encoder,
                "intents": len(agent.domain.intents)}

    @app.get("/metrics")
    def get_metrics() -> PlainTextResponse:
        access.require("metrics")
        return PlainTextResponse(metrics.render(), media_type="text/plain; version=0.0.4")

    return app


def taken_by_another(tickets, principal) -> JSONResponse | None:
    """409 when one of these open tickets is claimed (agent inbox) by someone other than
    `principal`: two agents never answer or release one conversation."""
    name = claimant(principal, staff_name)
    for ticket in tickets:
        if ticket.assignee and ticket.assignee != name:
            return _error(409, f"handoff {ticket.id} is taken by {ticket.assignee} "
                               "(claim it with force first)")
    return None


def staff_name(principal) -> str | None:
    """A named staff token's name (tokens.yml), to sign an agent's messages with."""
    return principal.name if principal.kind == "staff" and principal.name not in ("admin", "local") else None


class BodyLimit:
    """ASGI middleware: reads a request's body before the app does, at most `limit` bytes
    however it is sent (Content-Length or chunked); past that the answer is 413 and the
    app never runs. Bodies here are small JSON, so holding one is cheap."""

    def __init__(self, app, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or ()).get(b"content-length", b"")
        if length and (not length.isdigit() or int(length) > self.limit):  # refused unread
            return await _error(413, f"request body over {self.limit} bytes")(scope, receive, send)
        messages, size = [], 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.limit:
                response = _error(413, f"request body over {self.limit} bytes")
                return await response(scope, receive, send)
            if not message.get("more_body", False):
                break
        replay = iter(messages)

        async def buffered():
            return next(replay, None) or await receive()

        return await self.app(scope, buffered, send)
