"""Every stored conversation, as fast as the store can give them.

The stores' own `scan(since)` (SQLite, in-memory, Redis, PostgreSQL, and PrivateStore
around any of them) reads everything in one pass as raw event dicts; `by_loading` is the
slow road for a store without one: `senders()`, then `load()` for each (Event objects
turned back into dicts).
"""
from __future__ import annotations

from typing import Any, Callable, Iterator

Scanned = Iterator[tuple[str, list[dict[str, Any]]]]


def stored_conversations(store, since: float | None = None,
                         keep: Callable[[str], bool] | None = None) -> Scanned:
    """(sender, event dicts) for every sender with an event at or after `since` (epoch
    seconds; None: all), through the store's `scan` where it has one. `keep`: a test on a
    stored row's JSON text; a store that parses JSON leaves out the rows it refuses
    (stores.sqlite.decoded); others give every event."""
    scan = getattr(store, "scan", None)
    return scan(since, keep) if callable(scan) else by_loading(store, since)


def by_loading(store, since: float | None = None) -> Scanned:
    """`stored_conversations` for any TrackerStore: one `load` per sender."""
    for sender_id in store.senders():
        events = store.load(sender_id)
        if events and (since is None or events[-1].timestamp >= since):
            yield sender_id, [e.to_dict() for e in events]
