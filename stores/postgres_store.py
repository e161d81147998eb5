"""A tracker store in PostgreSQL, for several server workers or hosts sharing conversations.

Table `switchboard_events(sender_id, seq, event jsonb)`; an append is one transaction that
takes a transaction-level advisory lock on the conversation, so concurrent appends of one
conversation get consecutive `seq` numbers. `lock(sender)` holds a session-level advisory
lock for a whole turn, so two workers never process one conversation at the same time.
`scan()` reads every conversation for analytics in one query, streamed through a
server-side cursor on a connection of its own.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterable, Iterator

from core.events import Event, event_from_dict
from stores.sqlite import RowTest, Scanned, event_rows, scan_rows

if TYPE_CHECKING:
    import psycopg

SCHEMA = """
CREATE TABLE IF NOT EXISTS switchboard_events (
    sender_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    event JSONB NOT NULL,
    PRIMARY KEY (sender_id, seq)
)"""


class Connections:
    """Calling it gives this thread's autocommit connection to `dsn` (opened on first use,
    reopened if it was closed), so one thread's transaction or advisory lock never waits on
    another thread's statements."""

    def __init__(self, dsn: str):
        import psycopg

        self._connect = psycopg.connect
        self.dsn = dsn
        self._local = threading.local()

    def __call__(self) -> psycopg.Connection:
        db = getattr(self._local, "db", None)
        if db is None or db.closed:
            db = self._connect(self.dsn, autocommit=True)
            self._local.db = db
        return db


class PostgresStore:
    def __init__(self, dsn: str):
        self.dsn = dsn
        self._db = Connections(dsn)
        self._db().execute(SCHEMA)

    def load(self, sender_id: str, since: int = 0) -> list[Event]:
        rows = self._db().execute(
            "SELECT event FROM switchboard_events WHERE sender_id = %s AND seq >= %s ORDER BY seq",
            (sender_id, since)).fetchall()
        return [event_from_dict(row[0]) for row in rows]

    def size(self, sender_id: str) -> int:
        return self._db().execute("SELECT COUNT(*) FROM switchboard_events WHERE sender_id = %s",
                                  (sender_id,)).fetchone()[0]

    def append(self, sender_id: str, events: Iterable[Event]) -> None:
        rows = event_rows(events)
        if not rows:
            return
        db = self._db()
        with db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (sender_id,))
            start = db.execute("SELECT COALESCE(MAX(seq), -1) + 1 FROM switchboard_events WHERE sender_id = %s",
                               (sender_id,)).fetchone()[0]
            with db.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO switchboard_events (sender_id, seq, event) VALUES (%s, %s, %s)",
                    [(sender_id, start + i, row) for i, row in enumerate(rows)])

    def senders(self) -> list[str]:
        return [r[0] for r in self._db().execute(
            "SELECT DISTINCT sender_id FROM switchboard_events ORDER BY 1").fetchall()]

    def delete(self, sender_id: str) -> int:
        return self._db().execute("DELETE FROM switchboard_events WHERE sender_id = %s",
                                  (sender_id,)).rowcount

    def scan(self, since: float | None = None, keep: RowTest | None = None,
             batch: int = 5000) -> Scanned:
        """Every conversation as (sender, event dicts), in sender order; with `since`, only
        those with an event at or after that time (epoch seconds); `keep`: see
        stores.sqlite.decoded. One query, `batch` rows
        per fetch from a server-side cursor (its own connection and read-only transaction,
        so this thread's turns and locks are not held up); the JSON is parsed here, as text,
        so a conversation whose last event is too old costs one parse."""
        import psycopg

        with psycopg.connect(self.dsn) as db:
            db.read_only = True
            with db.cursor(name="switchboard_scan") as cursor:
                cursor.itersize = batch
                cursor.execute("SELECT sender_id, event::text FROM switchboard_events "
                               "ORDER BY sender_id, seq")
                yield from scan_rows(cursor, since, keep)

    @contextmanager
    def lock(self, sender_id: str) -> Iterator[None]:
        """Hold the conversation across workers for a whole turn (a session advisory lock)."""
        db = self._db()
        db.execute("SELECT pg_advisory_lock(hashtext(%s))", (sender_id,))
        try:
            yield
        finally:
            db.execute("SELECT pg_advisory_unlock(hashtext(%s))", (sender_id,))
