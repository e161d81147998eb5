"""The handoff queue: where conversations wait for a human agent.

A ticket per handoff with the reason, a priority (`triage`), the summary an agent reads
first (`summarize`: a one-line headline, intents, slots, last messages) and the transcript,
`open` until an agent releases it; ids are integers (the HTTP API releases
`/handoffs/{id}/release`). An agent may `claim` an open ticket first (its `assignee`): a
ticket someone else holds is only taken over with `force`, so two agents never work one
customer at once without knowing it. Queues list the most urgent tickets first, oldest first within a
priority. `TicketQueue` is what every queue offers; `HandoffQueue` here keeps them in one
SQLite file (`.switchboard/handoffs.sqlite` in the project by default, beside the
conversations; a file from before priorities or claims gets the columns, every old ticket
"normal" and unclaimed).
`stores.redis_handoffs` and `stores.postgres_handoffs` keep them in the same server as
shared conversations, so every worker and host sees every ticket.
"""
from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from core.domain import PRIORITIES, HandoffConfig
from core.events import ActionExecuted
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
    agent TEXT,
    priority TEXT NOT NULL DEFAULT 'normal',
    assignee TEXT
)"""
# columns newer than the first files: what an older file gets when it is opened
ADDED_COLUMNS = {"priority": "ALTER TABLE handoffs ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal'",
                 "assignee": "ALTER TABLE handoffs ADD COLUMN assignee TEXT"}

NORMAL = "normal"
REPHRASE_ACTION = "action_default_fallback"  # the bot asked the customer to rephrase
# SQL for the queue's order: the most urgent first, then the oldest (ids only grow)
BY_PRIORITY = ("ORDER BY CASE priority "
               + " ".join(f"WHEN '{p}' THEN {rank}" for rank, p in enumerate(PRIORITIES))
               + f" ELSE {len(PRIORITIES)} END, id")
COLUMNS = ("SELECT id, sender_id, created_at, status, reason, summary, transcript, priority, assignee "
           "FROM handoffs")


@dataclass(frozen=True)
class Ticket:
    id: int
    sender_id: str
    created_at: float
    status: str
    reason: str
    summary: dict
    transcript: list
    priority: str = NORMAL
    assignee: str | None = None  # the agent who claimed it (None: nobody yet)

    @property
    def rank(self) -> tuple[int, int]:
        """Where the ticket stands in an agent's queue: most urgent first, then oldest."""
        urgency = PRIORITIES.index(self.priority) if self.priority in PRIORITIES else len(PRIORITIES)
        return urgency, self.id


def _ticket(row: tuple) -> "Ticket":
    return Ticket(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), json.loads(row[6]),
                  row[7], row[8])


def checked_priority(priority: str) -> str:
    if priority not in PRIORITIES:
        raise ValueError(f"unknown ticket priority {priority!r} (valid: {', '.join(PRIORITIES)})")
    return priority


def triage(tracker: Tracker, config: HandoffConfig) -> tuple[str, tuple[str, ...]]:
    """A new ticket's priority, and what set it (notes for the headline). The fixed rule:
      * high: a customer message reached `handoff.frustration_threshold`;
      * an intent of `handoff.priority_intents` anywhere in the conversation (e.g.
        `complaint: high`): that priority;
      * otherwise normal: an explicit request for a human, repeated misunderstanding.
    Of several, the most urgent wins. Business hours never change it."""
    causes: list[tuple[str, str]] = []
    worst = max_frustration(tracker)
    if worst >= config.frustration_threshold:
        causes.append(("high", f"frustrated ({worst:.2f})"))
    by_intent = dict(config.priority_intents)
    causes += [(by_intent[i], i) for i in dict.fromkeys(tracker.intent_history()) if i in by_intent]
    if not causes:
        return NORMAL, ()
    priority = min((p for p, _ in causes), key=PRIORITIES.index)
    return priority, tuple(note for p, note in causes if p == priority)


def max_frustration(tracker: Tracker) -> float:
    return max((t.frustration for t in tracker.user_turns()), default=0.0)


def summarize(tracker: Tracker, reason: str, last: int = 6,
              transcript: list[dict[str, str]] | None = None, priority: str = NORMAL,
              notes: tuple[str, ...] = ()) -> dict:
    """What an agent reads first: a one-line `headline`, why, how urgent, what the customer
    wanted, what we know (`transcript`: the tracker's, if the caller already has it; `notes`:
    facts for the headline, such as what set the priority)."""
    transcript = tracker.transcript() if transcript is None else transcript
    slots = {k: v for k, v in tracker.slots.items() if v is not None and k != "requested_slot"}
    not_understood = sum(isinstance(e, ActionExecuted) and e.action == REPHRASE_ACTION
                         for e in tracker.current)
    return {
        "headline": headline(reason, priority, told_slots(tracker, slots), not_understood, notes),
        "reason": reason,
        "priority": priority,
        "intents": tracker.intent_history(),
        "slots": slots,
        "not_understood": not_understood,
        "last_messages": transcript[-last:],
        "max_frustration": max_frustration(tracker),
    }


def told_slots(tracker: Tracker, slots: dict) -> dict:
    """The slots the customer's own words filled (from an entity or the text): what the
    headline names. Bookkeeping slots (custom mappings) and initial values stay in `slots`
    only; a tracker without slot definitions names every set slot."""
    def told(name: str, value: object) -> bool:
        slot = tracker.slot_defs.get(name)
        return slot is None or (value != slot.initial_value and any(
            m.type in ("from_entity", "from_text") for m in slot.mappings))
    return {name: value for name, value in slots.items() if told(name, value)}


def headline(reason: str, priority: str, slots: dict, not_understood: int,
             notes: tuple[str, ...] = ()) -> str:
    """One line for the agent's queue: "The customer asked for a human (human_handoff)
    after 2 messages not understood; order id 48213; frustrated (0.85); high priority"."""
    cause = (reason[:1].upper() + reason[1:]) if reason else "Handed over"
    if not_understood and "not understood" not in reason:  # the reason may say it already
        cause += f" after {not_understood} message{'s' * (not_understood > 1)} not understood"
    facts = [_fact(name, value) for name, value in slots.items()]
    tail = [] if priority == NORMAL else [f"{priority} priority"]
    return "; ".join([cause, *(f for f in facts if f), *notes, *tail])


def _fact(slot: str, value: object) -> str:
    """A slot as a few words: 'order id 48213', 'returning customer' (true); '' for values
    that do not fit on one line (false, lists, mappings)."""
    name = slot.replace("_", " ")
    if value is True:
        return name
    if value is False or not isinstance(value, (str, int, float)):
        return ""
    text = " ".join(str(value).split())
    return f"{name} {text[:40] + '…' if len(text) > 40 else text}"


class TicketQueue(Protocol):
    """What every handoff queue offers: the agent files tickets, the HTTP API lists and
    releases them, `cli.py conversations delete` deletes one customer's."""

    def add(self, tracker: Tracker, reason: str, priority: str = NORMAL,
            notes: tuple[str, ...] = ()) -> Ticket:
        """File a new open ticket for this conversation (`notes`: for the headline)."""
        ...

    def list(self, status: str | None = "open", sender_id: str | None = None) -> list[Ticket]:
        """Tickets with this status (None: any), of one conversation if `sender_id` is given,
        the most urgent first, then the oldest (`Ticket.rank`)."""
        ...

    def get(self, ticket_id: int) -> Ticket | None: ...

    def delete_sender(self, sender_id: str) -> int:
        """Delete every ticket of one conversation (a privacy request); how many there were."""
        ...

    def release(self, ticket_id: int, agent: str | None = None) -> Ticket | None:
        """Mark an open ticket released by `agent`; the ticket as it is now (None: no such id)."""
        ...

    def claim(self, ticket_id: int, agent: str, force: bool = False) -> Ticket | None:
        """Make `agent` the open ticket's assignee, unless another agent holds it (then only
        with `force`); the ticket as it is now (None: no such id). The caller compares its
        `assignee` with `agent` to know whether the claim held: one atomic step, so of two
        agents claiming at once exactly one gets it."""
        ...


class HandoffQueue:
    """The default queue: one SQLite file (`:memory:` for tests and one-off shells)."""

    def __init__(self, path: Path | str = ":memory:"):
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = str(path)
        self.db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self.db.execute("PRAGMA secure_delete=ON")  # a deleted ticket's transcript is overwritten
        setup_sqlite(self.db, SCHEMA)
        self._add_missing_columns()
        self.db.commit()

    def _add_missing_columns(self) -> None:
        """A file written before tickets had a priority or an assignee: add the columns (old
        tickets are normal, unclaimed). Another worker may add one first; that is fine."""
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(handoffs)")}
        for column, statement in ADDED_COLUMNS.items():
            if column in columns:
                continue
            try:
                self.db.execute(statement)
            except sqlite3.OperationalError as exc:
                if "duplicate column" not in str(exc):
                    raise

    def add(self, tracker: Tracker, reason: str, priority: str = NORMAL,
            notes: tuple[str, ...] = ()) -> Ticket:
        transcript = tracker.transcript()
        summary = summarize(tracker, reason, transcript=transcript,
                            priority=checked_priority(priority), notes=notes)
        now = time.time()
        cursor = self.db.execute(
            "INSERT INTO handoffs (sender_id, created_at, reason, summary, transcript, priority) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (tracker.sender_id, now, reason, json.dumps(summary, default=str),
             json.dumps(transcript, default=str), priority))
        self.db.commit()
        return Ticket(cursor.lastrowid, tracker.sender_id, now, "open", reason, summary,
                      transcript, priority)

    def list(self, status: str | None = "open", sender_id: str | None = None) -> list[Ticket]:
        """Tickets with this status (None: any), of one conversation if `sender_id` is given,
        the most urgent first, then the oldest."""
        filters = {"status": status, "sender_id": sender_id}
        where = " AND ".join(f"{column} = ?" for column, value in filters.items() if value)
        values = tuple(value for value in filters.values() if value)
        rows = self.db.execute(f"{COLUMNS} {'WHERE ' + where if where else ''} {BY_PRIORITY}",
                               values).fetchall()
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

    def claim(self, ticket_id: int, agent: str, force: bool = False) -> Ticket | None:
        self.db.execute("UPDATE handoffs SET assignee = ? WHERE id = ? AND status = 'open' "
                        "AND (assignee IS NULL OR assignee = ? OR ?)", (agent, ticket_id, agent, force))
        self.db.commit()
        return self.get(ticket_id)
