"""The handoff queue in Redis, beside `RedisStore`'s conversations: every worker and host on
one Redis sees (and releases) the same tickets.

Ids come from INCR `switchboard:handoffs:next`, so they stay integers. A ticket is a hash
`switchboard:handoff:<id>` (one from before priorities has no `priority` field: it is
normal; one nobody claimed has no `assignee`); sorted sets (score = id, so oldest first) index them: `switchboard:handoffs:all`,
by status (`…:open`, `…:released`) and by conversation (`…:sender:<sender id>`), and
`list` puts the most urgent first; Rasa's `key_prefix` goes in front of every key. Changes that touch
several keys run in a MULTI transaction, watched where they read first, so a release or a
privacy delete racing another worker never leaves an index pointing at the wrong status.
"""
from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

from core.tracker import Tracker
from stores.handoffs import NORMAL, Ticket, checked_priority, summarize
from stores.redis_store import namespace

if TYPE_CHECKING:
    import redis

STATUSES = ("open", "released")


def _ticket(ticket_id: int, fields: dict[bytes, bytes]) -> Ticket:
    text = {key.decode(): value.decode() for key, value in fields.items()}
    return Ticket(ticket_id, text["sender_id"], float(text["created_at"]), text["status"],
                  text["reason"], json.loads(text["summary"]), json.loads(text["transcript"]),
                  text.get("priority", NORMAL), text.get("assignee") or None)


class RedisHandoffQueue:
    def __init__(self, client: redis.Redis, key_prefix: str = ""):
        self.client = client
        self.tickets = namespace(key_prefix) + "switchboard:handoff:"
        self.indexes = namespace(key_prefix) + "switchboard:handoffs:"

    def _ticket_key(self, ticket_id: int) -> str:
        return f"{self.tickets}{ticket_id}"

    def _index(self, status: str | None = None, sender_id: str | None = None) -> str:
        """The sorted set of one conversation's tickets, else of one status, else of all."""
        if sender_id is not None:
            return f"{self.indexes}sender:{sender_id}"
        return f"{self.indexes}{status or 'all'}"

    def add(self, tracker: Tracker, reason: str, priority: str = NORMAL,
            notes: tuple[str, ...] = ()) -> Ticket:
        transcript, now = tracker.transcript(), time.time()
        summary = summarize(tracker, reason, transcript=transcript,
                            priority=checked_priority(priority), notes=notes)
        ticket_id = int(self.client.incr(f"{self.indexes}next"))
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(self._ticket_key(ticket_id), mapping={
                "sender_id": tracker.sender_id, "created_at": repr(now), "status": "open",
                "reason": reason, "summary": json.dumps(summary, default=str),
                "transcript": json.dumps(transcript, default=str), "priority": priority})
            for index in (self._index(), self._index("open"), self._index(sender_id=tracker.sender_id)):
                pipe.zadd(index, {ticket_id: ticket_id})
            pipe.execute()
        return Ticket(ticket_id, tracker.sender_id, now, "open", reason, summary, transcript, priority)

    def list(self, status: str | None = "open", sender_id: str | None = None) -> list[Ticket]:
        """Tickets with this status (None: any), of one conversation if `sender_id` is given,
        the most urgent first, then the oldest."""
        ids = [int(i) for i in self.client.zrange(self._index(status, sender_id), 0, -1)]
        with self.client.pipeline(transaction=False) as pipe:
            for ticket_id in ids:
                pipe.hgetall(self._ticket_key(ticket_id))
            found = zip(ids, pipe.execute())
        tickets = [_ticket(ticket_id, fields) for ticket_id, fields in found if fields]
        return sorted((t for t in tickets if status is None or t.status == status),
                      key=lambda t: t.rank)

    def get(self, ticket_id: int) -> Ticket | None:
        fields = self.client.hgetall(self._ticket_key(ticket_id))
        return _ticket(ticket_id, fields) if fields else None

    def delete_sender(self, sender_id: str) -> int:
        by_sender = self._index(sender_id=sender_id)

        def delete(pipe: redis.client.Pipeline) -> int:
            ids = [int(i) for i in pipe.zrange(by_sender, 0, -1)]
            pipe.multi()
            for ticket_id in ids:
                pipe.delete(self._ticket_key(ticket_id))
                for index in (self._index(), *map(self._index, STATUSES)):
                    pipe.zrem(index, ticket_id)
            pipe.delete(by_sender)
            return len(ids)

        return self.client.transaction(delete, by_sender, value_from_callable=True)

    def release(self, ticket_id: int, agent: str | None = None) -> Ticket | None:
        key = self._ticket_key(ticket_id)

        def release(pipe: redis.client.Pipeline) -> None:
            if pipe.hget(key, "status") != b"open":
                return
            pipe.multi()
            pipe.hset(key, mapping={"status": "released", "released_at": repr(time.time()),
                                    "agent": agent or ""})
            pipe.zrem(self._index("open"), ticket_id)
            pipe.zadd(self._index("released"), {ticket_id: ticket_id})

        self.client.transaction(release, key)
        return self.get(ticket_id)

    def claim(self, ticket_id: int, agent: str, force: bool = False) -> Ticket | None:
        key = self._ticket_key(ticket_id)

        def claim(pipe: redis.client.Pipeline) -> None:
            status, holder = pipe.hmget(key, "status", "assignee")
            if status != b"open" or (holder and holder.decode() != agent and not force):
                return
            pipe.multi()
            pipe.hset(key, "assignee", agent)

        self.client.transaction(claim, key)
        return self.get(ticket_id)
