"""One place that opens the stores: conversations and handoff tickets, side by side.

    stores = open_stores(project_root)                       # endpoints.yml, else SQLite
    stores = open_stores(project_root, "redis://cache:6379/0")
    agent = load_agent(project_root, models, store=stores.tracker, queue=stores.handoffs)

The first of these wins: an explicit URL (`--store`, `SWITCHBOARD_STORE`; see
`stores.settings.from_url`), the project's endpoints.yml `tracker_store` and `lock_store`
(`stores.endpoints`), the default SQLite file `.switchboard/conversations.sqlite`.
Handoff tickets go where the conversations go, so every worker sharing one Redis or
PostgreSQL sees the same tickets: a Redis or PostgreSQL queue on the same server, a
SQLite `handoffs.sqlite` beside a SQLite file, a queue in memory beside `memory://`.
"""
from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, TypeVar

from core.errors import Problem, SwitchboardError
from core.events import Event
from stores.endpoints import from_endpoints
from stores.handoffs import HandoffQueue, TicketQueue
from stores.settings import StoreSettings, from_url
from stores.sqlite import InMemoryStore, SQLiteStore, TrackerStore

T = TypeVar("T")


@dataclass(frozen=True)
class Stores:
    """The opened stores; `description` says where they are (for the user, passwords
    hidden), `warnings` are endpoints.yml's, to show them."""

    tracker: TrackerStore
    handoffs: TicketQueue
    description: str
    warnings: tuple[Problem, ...] = ()


def store_settings(project_root: Path, url: str | None = None) -> StoreSettings:
    """What `open_stores` would open, without connecting: an explicit `url` if given, else
    the project's endpoints.yml, else the default SQLite file."""
    return from_url(url) if url else from_endpoints(Path(project_root))


def open_stores(project_root: Path, url: str | None = None, *, mask_pii: bool = False) -> Stores:
    """Open the tracker store and the handoff queue beside it (see the module docstring).
    `mask_pii`: both keep no personal data in clear (stores.private), under a key from the
    project's secret (core.secret)."""
    sealer = None
    if mask_pii:
        from core.sealing import Sealer
        from core.secret import project_secret

        sealer = Sealer(project_secret(project_root))
    return connect(store_settings(project_root, url), sealer=sealer)


def connect(settings: StoreSettings, *, sealer=None) -> Stores:
    """Open what `settings` name, private (stores.private) with a `sealer`; a server that
    cannot be reached, or a file that cannot be opened, is a `SwitchboardError` saying which."""
    opener = {"sqlite": _sqlite, "redis": _redis, "postgresql": _postgresql, "memory": _memory}[settings.kind]
    tracker, handoffs = opener(settings)
    if settings.lock_url:
        import redis

        from stores.redis_store import RedisLock, connect as redis_connect

        client = _reach(settings, lambda: redis_connect(settings.lock_url), (redis.RedisError, ValueError))
        tracker = LockedStore(tracker, RedisLock(client, settings.lock_key_prefix))
    if sealer is not None and settings.kind != "memory":  # outermost: no lock key holds an email
        from stores.private import PrivateQueue, PrivateStore

        tracker, handoffs = PrivateStore(tracker, sealer), PrivateQueue(handoffs, sealer)
    return Stores(tracker, handoffs, settings.describe(), settings.warnings)


def _reach(settings: StoreSettings, open_it: Callable[[], T], errors: tuple[type[Exception], ...]) -> T:
    """`open_it()`, with the store library's `errors` as a SwitchboardError naming the store."""
    try:
        return open_it()
    except errors as exc:
        raise SwitchboardError(f"cannot open the conversation store {settings.describe()}: {exc}") from exc


def _sqlite(settings: StoreSettings) -> tuple[TrackerStore, TicketQueue]:
    path = Path(settings.target)
    beside = ":memory:" if settings.target == ":memory:" else path.parent / "handoffs.sqlite"
    return _reach(settings, lambda: (SQLiteStore(path), HandoffQueue(beside)),
                  (OSError, sqlite3.Error))


def _redis(settings: StoreSettings) -> tuple[TrackerStore, TicketQueue]:
    import redis

    from stores.redis_handoffs import RedisHandoffQueue
    from stores.redis_store import RedisStore

    store = _reach(settings, lambda: RedisStore(settings.target, settings.key_prefix),
                   (redis.RedisError, ValueError))  # ValueError: not a URL redis-py can read
    return store, RedisHandoffQueue(store.client, settings.key_prefix)


def _postgresql(settings: StoreSettings) -> tuple[TrackerStore, TicketQueue]:
    import psycopg

    from stores.postgres_handoffs import PostgresHandoffQueue
    from stores.postgres_store import PostgresStore

    return _reach(settings, lambda: (PostgresStore(settings.target),
                                     PostgresHandoffQueue(settings.target)), (psycopg.Error,))


def _memory(settings: StoreSettings) -> tuple[TrackerStore, TicketQueue]:
    """Nothing is written anywhere, and nothing is masked: tests and one-off runs only."""
    return InMemoryStore(), HandoffQueue()


class LockedStore:
    """A tracker store whose turns are locked elsewhere (endpoints.yml's Redis lock store):
    events go to `store`, `lock(sender)` is `lock`'s."""

    def __init__(self, store: TrackerStore, lock: Callable[[str], AbstractContextManager[None]]):
        self.store = store
        self.lock = lock

    def load(self, sender_id: str, since: int = 0) -> list[Event]:
        return self.store.load(sender_id, since)

    def size(self, sender_id: str) -> int:
        return self.store.size(sender_id)

    def append(self, sender_id: str, events: Iterable[Event]) -> None:
        self.store.append(sender_id, events)

    def senders(self) -> list[str]:
        return self.store.senders()

    def delete(self, sender_id: str) -> int:
        return self.store.delete(sender_id)

    def scan(self, since=None, keep=None):
        """The inner store's scan (analytics, data review): the lock store plays no part."""
        return self.store.scan(since, keep)
