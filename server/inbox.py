"""The agent inbox: a web page for the handoff desk and the JSON routes it reads.

    GET  /inbox                       the page (server/static/inbox.html; no secret in it: an
                                      agent types their staff token, kept in sessionStorage)
    GET  /inbox/me                    who the token is: {"name", "scopes"}
    GET  /handoffs/{id}               the ticket, its waiting time, the live summary and the
                                      whole transcript (who said what, when, intents)
    POST /handoffs/{id}/claim         {"force"?}: the agent takes the ticket; 409 naming the
                                      holder when another agent has it (`force` takes it over)
    POST /handoffs/{id}/reply         {"text"}: the agent's message to the customer (claims an
                                      unclaimed ticket; 409 when another agent holds it)
    GET  /handoffs/{id}/suggestions   suggested replies for the customer's latest message
                                      (server.suggestions)

The queue itself is `GET /handoffs` and a release `POST /handoffs/{id}/release` (server.app).
Every route but the page needs a staff token with scope `agent` (on localhost without staff
tokens, every request is the local operator). Where the store masks personal data
(stores.private), what these routes show is masked as the store keeps it, even for a
conversation whose clear values are still in this process's cache.
"""
from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Callable

from fastapi import FastAPI, Path as FastAPIPath
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from channels.rest import MAX_TEXT
from server import auth as access
from server.errors import error as _error
from server.suggestions import Suggester
from stores.handoffs import summarize, told_slots
from stores.private import masked_value

INBOX_PAGE = Path(__file__).parent / "static" / "inbox.html"
TicketId = Annotated[int, FastAPIPath(ge=1, le=2**63 - 1)]


class ClaimBody(BaseModel):
    force: bool = False


class ReplyBody(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_TEXT)




def transcript(tracker) -> list[dict]:
    """The whole conversation in display form: who said what and when, with what NLU made
    of each customer message, and the handoffs and releases between."""
    lines = []
    for event in tracker.events:
        if event.name == "user":
            message = event.message
            lines.append({"from": "customer", "text": message.text, "timestamp": event.timestamp,
                          "intent": message.intent.name, "confidence": round(message.intent.confidence, 3),
                          "frustration": round(message.frustration, 3), "language": message.language})
        elif event.name == "bot":
            agent = event.custom.get("agent") if isinstance(event.custom, dict) else None
            lines.append({"from": "agent" if agent else "bot", "text": event.text,
                          "timestamp": event.timestamp, "agent": agent, "response": event.response})
        elif event.name == "handoff":
            lines.append({"from": "system", "text": f"handed to a human: {event.reason}",
                          "timestamp": event.timestamp})
        elif event.name == "handoff_released":
            by = f" by {event.agent}" if event.agent else ""
            lines.append({"from": "system", "text": f"released to the bot{by}", "timestamp": event.timestamp})
    return lines


def claimant(principal: access.Principal, sign: Callable) -> str:
    """The name a claim is held under: a named token's, else the principal's ("admin", "local")."""
    return sign(principal) or principal.name


def add_inbox_routes(app: FastAPI, agent, sign: Callable) -> tuple[str, ...]:
    """Add the inbox's routes to `app` around `agent`; `sign(principal)` is the name an
    agent's messages are signed with (server.app.staff_name). The paths that need no token
    (the page) come back, for the app's guard."""
    masked = bool(getattr(agent.store, "mask_pii", False))
    suggester = Suggester(agent, masked)

    def shown(value):
        return masked_value(value) if masked else value

    def ticket_or_404(ticket_id: int):
        ticket = agent.queue.get(ticket_id)
        return ticket, (None if ticket else _error(404, f"no handoff with id {ticket_id} (field ticket_id)"))

    @app.get("/inbox", include_in_schema=False)
    def inbox_page() -> FileResponse:
        return FileResponse(INBOX_PAGE, media_type="text/html", headers={"Cache-Control": "no-store"})

    @app.get("/inbox/me")
    def me() -> dict:
        principal = access.require("agent")
        return {"name": claimant(principal, sign), "scopes": sorted(principal.scopes)}

    @app.get("/handoffs/{ticket_id}")
    def handoff(ticket_id: TicketId):
        access.require("agent")
        ticket, missing = ticket_or_404(ticket_id)
        if missing:
            return missing
        tracker = agent.tracker(ticket.sender_id)
        lines = shown(transcript(tracker))
        live = shown(summarize(tracker, ticket.reason, priority=ticket.priority,
                               transcript=[{"from": line["from"], "text": line["text"]} for line in lines
                                           if line["from"] != "system"]))
        live["headline"] = ticket.summary.get("headline", live["headline"])  # with its notes
        live["told"] = shown(told_slots(tracker, live["slots"]))  # what the customer's words filled
        return {"ticket": asdict(ticket), "waiting_s": round(time.time() - ticket.created_at, 1),
                "handed_off": tracker.handed_off, "language": tracker.language, "summary": live,
                "transcript": lines}

    @app.post("/handoffs/{ticket_id}/claim")
    def claim(ticket_id: TicketId, body: ClaimBody | None = None):
        name = claimant(access.require("agent"), sign)
        ticket, missing = ticket_or_404(ticket_id)
        if missing:
            return missing
        if ticket.status != "open":
            return _error(409, f"handoff {ticket_id} is already {ticket.status}")
        claimed = agent.queue.claim(ticket_id, name, bool(body and body.force))
        if claimed is None or claimed.assignee != name:
            holder = claimed.assignee if claimed else None
            return _error(409, f"handoff {ticket_id} is taken by {holder} (field force: true takes it over)",
                          assignee=holder)
        return asdict(claimed)

    @app.post("/handoffs/{ticket_id}/reply")
    def reply(ticket_id: TicketId, body: ReplyBody):
        principal = access.require("agent")
        name = claimant(principal, sign)
        ticket, missing = ticket_or_404(ticket_id)
        if missing:
            return missing
        if ticket.status != "open":
            return _error(409, f"handoff {ticket_id} is already {ticket.status}")
        if ticket.assignee is None:
            ticket = agent.queue.claim(ticket_id, name) or ticket
        if ticket.assignee != name:
            return _error(409, f"handoff {ticket_id} is taken by {ticket.assignee} (claim it with force first)",
                          assignee=ticket.assignee)
        tracker = agent.agent_says(ticket.sender_id, body.text, sign(principal))
        if tracker is None:
            return _error(409, f"conversation of handoff {ticket_id} is not with a human agent")
        return {"sent": shown(transcript(tracker)[-1]), "assignee": name}

    @app.get("/handoffs/{ticket_id}/suggestions")
    def suggestions(ticket_id: TicketId):
        access.require("agent")
        ticket, missing = ticket_or_404(ticket_id)
        if missing:
            return missing
        return {"ticket": ticket_id, **suggester.suggest(agent.tracker(ticket.sender_id))}

    return ("/inbox",)
