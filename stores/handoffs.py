"""The handoff queue: where conversations wait for a human agent.

A ticket per handoff with the reason, a short summary (intents, slots, last messages) and
the transcript, `open` until an agent releases it; ids are integers (the HTTP API releases
`/handoffs/{id}/release`). `TicketQueue` is what every queue offers; `HandoffQueue` here
keeps them in one SQLite file (`.switchboard/handoffs.sqlite` in the project by default,
beside the conversations). `stores.redis_handoffs` and `stores.postgres_handoffs` keep them
in the same server as shared conversations, so every worker and host sees every ticket.
"""
from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from stores.sqlite import setup_sqlite
from core.tracker import Tracker

SCHEMA = """
CREATE TABLE IF NOT EXISTS handoffs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sender_id TEXT NOT NULL,
    created_at REAL NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    reason TEXT NOT NULL,
    summary TEXT NOT NULL,
    transcript TEXT NOT NULL,
    released_at REAL,
    agent TEXT
)"""


COLUMNS = "SELECT id, sender_id, created_at, status, reason, summary, transcript FROM handoffs"


@dataclass(frozen=True)
class Ticket:
    id: int
    sender_id: str
    created_at: float
    status: str
    reason: str
    summary: dict
    transcript: list


def _ticket(row: tuple) -> "Ticket":
    return Ticket(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), json.loads(row[6]))


def summarize(tracker: Tracker, reason: str, last: int = 6,
              transcript: list[dict[str, str]] | None = None) -> dict:
    """What an agent needs at a glance: why, what the customer wanted, what we know
    (`transcript`: the tracker's, if the caller already has it)."""
    transcript = tracker.transcript() if transcript is None else transcript
    return {
        "reason": reason,
        "intents": tracker.intent_history(),
        "slots": {k: v for k, v in tracker.slots.items()
                  if v is not None and k != "requested_slot"},
        "last_messages": transcript[-last:],
        "max_frustration": max((t.frustration for t in tracker.user_turns()), default=0.0),
    }


class TicketQueue(Protocol):
    """What every handoff queue offers: the agent files tickets, the HTTP API lists and
    releases them, `cli.py conversations delete` deletes one customer's."""

    def add(self, tracker: Tracker, reason: str) -> Ticket:
        """File a new open ticket for this conversation."""
        ...

    def list(self, status: str | None = "open", sender_id: str | None = None) -> list[Ticket]:
        """Tickets with this status (None: any), of one conversation if `sender_id` is given,
        oldest first."""
        ...

    def get(self, ticket_id: int) -> Ticket | None: ...

    def delete_sender(self, sender_id: str) -> int:
        """Delete every ticket of one conversation (a privacy request); how many there were."""
        ...

    def release(self, ticket_id: int, agent: str | None = None) -> Ticket | None:
        """Mark an open ticket released by `agent`; the ticket as it is now (None: no such id)."""
        ...


class HandoffQueue:
    """The default queue: one SQLite file (`:memory:` for tests and one-off shells)."""

    def __init__(self, path: Path | str = ":memory:"):
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = str(path)
        self.db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        setup_sqlite(self.db, SCHEMA)
        self.db.commit()

    def add(self, tracker: Tracker, reason: str) -> Ticket:
        transcript = tracker.transcript()
        summary = summarize(tracker, reason, transcript=transcript)
        now = time.time()
        cursor = self.db.execute(
            "INSERT INTO handoffs (sender_id, created_at, reason, summary, transcript) "
            "VALUES (?, ?, ?, ?, ?)",
            (tracker.sender_id, now, reason, json.dumps(summary, default=str),
             json.dumps(transcript, default=str)))
        self.db.commit()
        return Ticket(cursor.lastrowid, tracker.sender_id, now, "open", reason, summary, transcript)

    def list(self, status: str | None = "open", sender_id: str | None = None) -> list[Ticket]:
        """Tickets with this status (None: any), of one conversation if `sender_id` is given."""
        filters = {"status": status, "sender_id": sender_id}
        where = " AND ".join(f"{column} = ?" for column, value in filters.items() if value)
        values = tuple(value for value in filters.values() if value)
        rows = self.db.execute(f"{COLUMNS} {'WHERE ' + where if where else ''} ORDER BY id", values).fetchall()
        return [_ticket(r) for r in rows]

    def get(self, ticket_id: int) -> Ticket | None:
        row = self.db.execute(f"{COLUMNS} WHERE id = ?", (ticket_id,)).fetchone()
        return _ticket(row) if row else None

    def delete_sender(self, sender_id: str) -> int:
        cursor = self.db.execute("DELETE FROM handoffs WHERE sender_id = ?", (sender_id,))
        self.db.commit()
        return cursor.rowcount

    def release(self, ticket_id: int, agent: str | None = None) -> Ticket | None:
        self.db.execute("UPDATE handoffs SET status = 'released', released_at = ?, agent = ? "
                        "WHERE id = ? AND status = 'open'", (time.time(), agent, ticket_id))
        self.db.commit()
        return self.get(ticket_id)
