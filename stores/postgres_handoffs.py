"""The handoff queue in PostgreSQL, beside `PostgresStore`'s conversations: every worker and
host on one database sees (and releases) the same tickets.

Table `switchboard_handoffs`, a row per ticket with a BIGSERIAL id (ids stay integers), its
priority and assignee (a table from before priorities or claims gets the columns, every old
ticket normal and unclaimed) and the summary and transcript as JSONB; `list` puts the most
urgent first, then the oldest. A release or a claim is one conditional UPDATE, so two agents
releasing one ticket at once release it once, and of two claiming it one gets it.
"""
from __future__ import annotations

import json
import time

from core.tracker import Tracker
from stores.handoffs import BY_PRIORITY, NORMAL, Ticket, checked_priority, summarize
from stores.postgres_store import Connections

SCHEMA = """
CREATE TABLE IF NOT EXISTS switchboard_handoffs (
    id BIGSERIAL PRIMARY KEY,
    sender_id TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    reason TEXT NOT NULL,
    summary JSONB NOT NULL,
    transcript JSONB NOT NULL,
    released_at DOUBLE PRECISION,
    agent TEXT,
    priority TEXT NOT NULL DEFAULT 'normal',
    assignee TEXT
)"""
ADD_PRIORITY = ("ALTER TABLE switchboard_handoffs "
                "ADD COLUMN IF NOT EXISTS priority TEXT NOT NULL DEFAULT 'normal'")
ADD_ASSIGNEE = "ALTER TABLE switchboard_handoffs ADD COLUMN IF NOT EXISTS assignee TEXT"

COLUMNS = ("SELECT id, sender_id, created_at, status, reason, summary, transcript, priority, "
           "assignee FROM switchboard_handoffs")


class PostgresHandoffQueue:
    def __init__(self, dsn: str):
        self._db = Connections(dsn)
        self._db().execute(SCHEMA)
        self._db().execute(ADD_PRIORITY)
        self._db().execute(ADD_ASSIGNEE)

    def add(self, tracker: Tracker, reason: str, priority: str = NORMAL,
            notes: tuple[str, ...] = ()) -> Ticket:
        transcript, now = tracker.transcript(), time.time()
        summary = summarize(tracker, reason, transcript=transcript,
                            priority=checked_priority(priority), notes=notes)
        ticket_id = self._db().execute(
            "INSERT INTO switchboard_handoffs (sender_id, created_at, reason, summary, transcript, priority) "
            "VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
            (tracker.sender_id, now, reason, json.dumps(summary, default=str),
             json.dumps(transcript, default=str), priority)).fetchone()[0]
        return Ticket(ticket_id, tracker.sender_id, now, "open", reason, summary, transcript, priority)

    def list(self, status: str | None = "open", sender_id: str | None = None) -> list[Ticket]:
        """Tickets with this status (None: any), of one conversation if `sender_id` is given,
        the most urgent first, then the oldest."""
        filters = {"status": status, "sender_id": sender_id}
        where = " AND ".join(f"{column} = %s" for column, value in filters.items() if value)
        values = tuple(value for value in filters.values() if value)
        rows = self._db().execute(f"{COLUMNS} {'WHERE ' + where if where else ''} {BY_PRIORITY}", values)
        return [Ticket(*row) for row in rows.fetchall()]

    def get(self, ticket_id: int) -> Ticket | None:
        row = self._db().execute(f"{COLUMNS} WHERE id = %s", (ticket_id,)).fetchone()
        return Ticket(*row) if row else None

    def delete_sender(self, sender_id: str) -> int:
        return self._db().execute("DELETE FROM switchboard_handoffs WHERE sender_id = %s",
                                  (sender_id,)).rowcount

    def release(self, ticket_id: int, agent: str | None = None) -> Ticket | None:
        self._db().execute("UPDATE switchboard_handoffs SET status = 'released', released_at = %s, agent = %s "
                           "WHERE id = %s AND status = 'open'", (time.time(), agent, ticket_id))
        return self.get(ticket_id)

    def claim(self, ticket_id: int, agent: str, force: bool = False) -> Ticket | None:
        self._db().execute("UPDATE switchboard_handoffs SET assignee = %s WHERE id = %s AND status = 'open' "
                           "AND (assignee IS NULL OR assignee = %s OR %s)", (agent, ticket_id, agent, force))
        return self.get(ticket_id)
