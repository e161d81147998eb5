"""Tracker stores: where conversations live between messages.

One interface (`load(sender, since=0) -> events` from the `since`-th on, `size(sender)`,
`append(sender, events)`, `senders()`, `delete(sender)`, and `lock(sender)`, held for a
whole turn so two messages of one conversation are never processed at once; the stores
here, in stores.redis_store, stores.postgres_store and stores.private also have
`scan(since=None)`: every conversation as (sender, event dicts) in one pass, for
analytics), two implementations here:
  * `InMemoryStore` — tests and one-off shells; `lock(sender)` is a per-sender thread lock;
  * `SQLiteStore` — the default: one file, WAL mode, one row per event, survives restarts;
    an append is one transaction, so a conversation is never half-written; `lock(sender)`
    serialises one conversation's turns across the worker processes of one host.
(`stores.redis_store` and `stores.postgres_store` share conversations between hosts;
`stores.factory.open_stores` picks one from a URL or the project's endpoints.yml.)
Events are stored as the dicts `Event.to_dict()` gives (`core.events.event_from_dict`
reads them back).
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import sqlite3
import threading
import zlib
from contextlib import AbstractContextManager, contextmanager
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol

from core.errors import StoreUnavailable
from core.events import Event, event_from_dict

log = logging.getLogger("switchboard.store")


class TrackerStore(Protocol):
    def load(self, sender_id: str, since: int = 0) -> list[Event]: ...
    def size(self, sender_id: str) -> int: ...
    def append(self, sender_id: str, events: Iterable[Event]) -> None: ...
    def senders(self) -> list[str]: ...
    def delete(self, sender_id: str) -> int: ...

    def lock(self, sender_id: str) -> AbstractContextManager[None]:
        """Held for a whole turn: no other thread, worker process or host (as far as the
        store is shared) processes this conversation until it is released."""
        ...


Scanned = Iterator[tuple[str, list[dict[str, Any]]]]
RowTest = Callable[[str], bool]


def decoded(rows: list[str] | list[bytes], since: float | None = None,
            keep: RowTest | None = None) -> list[dict[str, Any]] | None:
    """One conversation's stored JSON rows as dicts; None when it has none, or (`since`
    given) when its last event is older than `since` (then only that row is parsed: events
    are appended in time order). `keep`: a test on each row's JSON text; the rows it
    refuses are left out unparsed (what a reader does not need costs no `json.loads`)."""
    if not rows:
        return None
    if since is not None and json.loads(rows[-1]).get("timestamp", 0.0) < since:
        return None
    if keep is None:
        return [json.loads(row) for row in rows]
    return [json.loads(row) for row in rows if keep(row)]


def scan_rows(rows: Iterable[tuple[str, str]], since: float | None = None,
              keep: RowTest | None = None) -> Scanned:
    """(sender, event dicts) for (sender, JSON) rows ordered by sender then sequence."""
    for sender_id, group in groupby(rows, key=itemgetter(0)):
        events = decoded([row[1] for row in group], since, keep)
        if events is not None:
            yield sender_id, events


class InMemoryStore:
    def __init__(self) -> None:
        self._events: dict[str, list[Event]] = {}
        self._lock = threading.Lock()
        self._turn_locks: dict[str, threading.Lock] = {}

    def lock(self, sender_id: str) -> threading.Lock:
        """This conversation's lock (one per sender, so other conversations never wait):
        the store lives in one process, so a thread lock serialises every turn on it."""
        with self._lock:
            return self._turn_locks.setdefault(sender_id, threading.Lock())

    def load(self, sender_id: str, since: int = 0) -> list[Event]:
        with self._lock:
            return list(self._events.get(sender_id, ())[since:])

    def size(self, sender_id: str) -> int:
        with self._lock:
            return len(self._events.get(sender_id, ()))

    def append(self, sender_id: str, events: Iterable[Event]) -> None:
        with self._lock:
            self._events.setdefault(sender_id, []).extend(events)

    def senders(self) -> list[str]:
        with self._lock:
            return sorted(self._events)

    def delete(self, sender_id: str) -> int:
        with self._lock:
            return len(self._events.pop(sender_id, []))

    def scan(self, since: float | None = None, keep: RowTest | None = None) -> Scanned:
        """Every conversation as (sender, event dicts), in sender order; with `since`, only
        those with an event at or after that time (epoch seconds). `keep` is for stores that
        parse JSON (see `decoded`): nothing is parsed here, every event is given."""
        with self._lock:
            stored = sorted((s, list(events)) for s, events in self._events.items())
        for sender_id, events in stored:
            if events and (since is None or events[-1].timestamp >= since):
                yield sender_id, [e.to_dict() for e in events]


SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    sender_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    event TEXT NOT NULL,
    PRIMARY KEY (sender_id, seq)
)"""


def setup_sqlite(db: sqlite3.Connection, schema: str, wal: bool = False, tries: int = 50) -> None:
    """Create the table (and switch to WAL) even when several worker processes open the same
    new file at once: a "database is locked" there is retried, not fatal."""
    import time

    for attempt in range(tries):
        try:
            if wal:
                db.execute("PRAGMA journal_mode=WAL")
            db.execute(schema)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == tries - 1:
                raise
            time.sleep(0.05 * (attempt + 1))


def event_rows(events: Iterable[Event]) -> list[str]:
    """Events as the JSON text every store keeps (stores.private masks them first)."""
    return [json.dumps(e.to_dict(), ensure_ascii=False, default=str) for e in events]


def _unavailable(path: str, exc: sqlite3.Error) -> StoreUnavailable:
    text = str(exc)
    if "full" in text.lower():
        return StoreUnavailable(f"the disk holding {path} is full ({text}): free space; "
                                "conversations are not stored until then")
    return StoreUnavailable(f"the tracker store {path} cannot be used ({type(exc).__name__}: {text})")


class SQLiteStore:
    """Events as they are; stores.private.PrivateStore around it keeps personal data out."""

    def __init__(self, path: Path | str):
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = str(path)
        self._locks_ready = False  # the lock folder, made on the first turn
        self._local = threading.local()
        self._db()  # the file and its schema, now: a bad path fails at start, not mid-turn

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is not None and self.path != ":memory:" and self._identity() != self._local.identity:
            # deleted or replaced under us: writes would go to a file no one can open again
            log.error("the tracker store %s was deleted or replaced while the server ran: "
                      "reopening it (what it held before is not in the new file)", self.path)
            db.close()
            db = None
        if db is None:
            try:
                db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute("PRAGMA secure_delete=ON")  # a deleted conversation's text is overwritten
                setup_sqlite(db, SCHEMA, wal=True)
            except sqlite3.Error as exc:
                raise _unavailable(self.path, exc) from None
            self._local.db, self._local.identity = db, self._identity()
        return db

    def _identity(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            return None
        return stat.st_dev, stat.st_ino

    def ping(self) -> None:
        """Raises StoreUnavailable when the store cannot be read (for /health)."""
        try:
            self._db().execute("SELECT COUNT(*) FROM events WHERE sender_id = ''").fetchone()
        except sqlite3.Error as exc:
            raise _unavailable(self.path, exc) from None

    def load(self, sender_id: str, since: int = 0) -> list[Event]:
        try:
            rows = self._db().execute("SELECT event FROM events WHERE sender_id = ? AND seq >= ? "
                                      "ORDER BY seq", (sender_id, since)).fetchall()
        except sqlite3.Error as exc:
            raise _unavailable(self.path, exc) from None
        return [event_from_dict(json.loads(row[0])) for row in rows]

    def size(self, sender_id: str) -> int:
        return self._db().execute("SELECT COUNT(*) FROM events WHERE sender_id = ?",
                                  (sender_id,)).fetchone()[0]

    def append(self, sender_id: str, events: Iterable[Event]) -> None:
        payload = event_rows(events)
        if not payload:
            return
        db = self._db()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                start = db.execute("SELECT COALESCE(MAX(seq), -1) + 1 FROM events WHERE sender_id = ?",
                                   (sender_id,)).fetchone()[0]
                db.executemany("INSERT INTO events (sender_id, seq, event) VALUES (?, ?, ?)",
                               [(sender_id, start + i, text) for i, text in enumerate(payload)])
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise _unavailable(self.path, exc) from None

    def senders(self) -> list[str]:
        return [r[0] for r in self._db().execute("SELECT DISTINCT sender_id FROM events ORDER BY 1")]

    def delete(self, sender_id: str) -> int:
        """Delete the conversation, leaving no copy of it in the file or its WAL (the
        deleted pages are zeroed: secure_delete; the WAL is checkpointed and truncated)."""
        try:
            db = self._db()
            count = db.execute("DELETE FROM events WHERE sender_id = ?", (sender_id,)).rowcount
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            raise _unavailable(self.path, exc) from None
        return count

    def scan(self, since: float | None = None, keep: RowTest | None = None,
             batch: int = 5000) -> Scanned:
        """Every conversation as (sender, event dicts), in sender order; with `since`, only
        those with an event at or after that time (epoch seconds); `keep`: see `decoded`.
        One read of the table in key order, `batch` rows at a time (WAL: writers are not
        blocked meanwhile)."""
        try:
            cursor = self._db().execute("SELECT sender_id, event FROM events ORDER BY sender_id, seq")
            cursor.arraysize = batch
            yield from scan_rows(cursor, since, keep)
        except sqlite3.Error as exc:
            raise _unavailable(self.path, exc) from None

    @contextmanager
    def lock(self, sender_id: str) -> Iterator[None]:
        """Hold the conversation across worker processes on this host for a whole turn
        (an exclusive flock on one of 256 lock files beside the database)."""
        if self.path == ":memory:":
            yield
            return
        folder = Path(self.path + ".locks")
        if not self._locks_ready:
            folder.mkdir(exist_ok=True)
            self._locks_ready = True
        with open(folder / f"{zlib.crc32(sender_id.encode()) % 256:03d}", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
