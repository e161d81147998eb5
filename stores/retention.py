"""Retention: conversations with no event for `retention_days` are deleted, with their
handoff tickets (domain.yml `privacy: retention_days`).

    purge(tracker_store, handoffs, cutoff, forget=None) -> Purged

Works on every tracker store (it reads each conversation's newest event); `forget(sender)`
replaces the plain delete where a running agent must also drop its caches and reminders.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

DAY_S = 86_400.0


@dataclass
class Purged:
    conversations: list[str] = field(default_factory=list)
    events: int = 0


def cutoff(retention_days: float, now: float | None = None) -> float:
    return (time.time() if now is None else now) - retention_days * DAY_S


def last_activity(store, sender_id: str) -> float | None:
    size = store.size(sender_id)
    newest = store.load(sender_id, since=size - 1) if size else []
    return newest[-1].timestamp if newest else None


def purge(store, handoffs, before: float, forget: Callable[[str], int] | None = None) -> Purged:
    """Delete every conversation whose newest event is older than `before` (epoch seconds)."""
    out = Purged()
    for sender_id in store.senders():
        last = last_activity(store, sender_id)
        if last is not None and last >= before:
            continue
        if forget is not None:
            out.events += forget(sender_id)
        else:
            out.events += store.delete(sender_id)
            handoffs.delete_sender(sender_id)
        out.conversations.append(sender_id)
    return out
