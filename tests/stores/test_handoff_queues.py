"""Every handoff queue keeps one contract (SQLite, and Redis and PostgreSQL against real
servers started on 127.0.0.1, skipped saying why where one is not installed), and two
queues on one store, like two server workers, see and release the same tickets."""
from pathlib import Path

import pytest

from core.tracker import Tracker
from stores.handoffs import HandoffQueue
from tests.core.test_tracker_events import EVENTS


def sqlite_pair(request, tmp_path: Path):
    return HandoffQueue(tmp_path / "handoffs.sqlite"), HandoffQueue(tmp_path / "handoffs.sqlite")


def redis_pair(request, tmp_path: Path):
    from stores.redis_handoffs import RedisHandoffQueue
    from stores.redis_store import connect

    client = request.getfixturevalue("redis_client")  # an empty database
    return RedisHandoffQueue(client), RedisHandoffQueue(connect(request.getfixturevalue("redis_url")))


def postgres_pair(request, tmp_path: Path):
    from stores.postgres_handoffs import PostgresHandoffQueue

    dsn = request.getfixturevalue("empty_postgres")
    return PostgresHandoffQueue(dsn), PostgresHandoffQueue(dsn)


@pytest.fixture(params=[sqlite_pair, redis_pair, postgres_pair], ids=["sqlite", "redis", "postgres"])
def queues(request, tmp_path: Path):
    """Two queues on one store: what two server workers hold."""
    return request.param(request, tmp_path)


def tracker(sender: str) -> Tracker:
    return Tracker.from_events(sender, EVENTS)


def test_a_ticket_is_filed_listed_and_released_once(queues) -> None:
    one, two = queues
    ann = one.add(tracker("ann"), "asked for a human")
    bob = two.add(tracker("bob"), "frustrated")
    assert isinstance(ann.id, int) and bob.id > ann.id
    assert [t.id for t in two.list()] == [ann.id, bob.id]  # the other worker sees both
    assert two.get(ann.id) == ann and two.get(ann.id + 100) is None
    assert ann.summary["slots"] == {"order_id": "12345"} and ann.transcript == tracker("ann").transcript()
    released = two.release(ann.id, "sam")
    assert released.status == "released" and one.get(ann.id).status == "released"
    assert one.release(ann.id, "kim").status == "released"  # a second release changes nothing
    assert [t.id for t in one.list()] == [bob.id]
    assert [t.id for t in one.list(status="released")] == [ann.id]
    assert [t.id for t in one.list(None)] == [ann.id, bob.id]
    assert two.release(ann.id + 100) is None


def test_one_conversations_tickets_are_listed_and_deleted(queues) -> None:
    one, two = queues
    first = one.add(tracker("ann"), "asked")
    one.add(tracker("bob"), "asked")
    second = one.add(tracker("ann"), "asked again")
    one.release(first.id)
    assert [t.id for t in two.list(None, "ann")] == [first.id, second.id]
    assert [t.id for t in two.list("open", "ann")] == [second.id]
    assert two.delete_sender("ann") == 2 and two.delete_sender("ann") == 0
    assert one.list(None, "ann") == [] and one.get(first.id) is None
    assert [t.sender_id for t in one.list(None)] == ["bob"]


def test_redis_key_prefix_keeps_two_assistants_tickets_apart(redis_client) -> None:
    from stores.redis_handoffs import RedisHandoffQueue

    bot, other = RedisHandoffQueue(redis_client, "bot"), RedisHandoffQueue(redis_client)
    ticket = bot.add(tracker("ann"), "asked")
    assert other.list() == [] and [t.id for t in bot.list()] == [ticket.id]
    assert all(key.startswith(b"bot:") for key in redis_client.keys("*"))


def test_the_most_urgent_tickets_come_first_then_the_oldest(queues) -> None:
    one, two = queues
    low = one.add(tracker("ann"), "asked", "low")
    first = one.add(tracker("bob"), "asked")
    urgent = two.add(tracker("cy"), "frustrated", "high")
    second = two.add(tracker("dee"), "asked", "normal")
    later = one.add(tracker("eve"), "complaint", "high")
    assert (first.priority, urgent.priority, two.get(urgent.id).priority) == ("normal", "high", "high")
    assert urgent.summary["priority"] == "high"
    expected = [urgent.id, later.id, first.id, second.id, low.id]
    assert [t.id for t in one.list()] == [t.id for t in two.list(None)] == expected
    two.release(urgent.id)
    assert [t.id for t in one.list()] == expected[1:]
    with pytest.raises(ValueError, match="unknown ticket priority 'urgent'"):
        one.add(tracker("fay"), "asked", "urgent")


OLD_SCHEMA = """CREATE TABLE handoffs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id TEXT NOT NULL, created_at REAL NOT NULL,
    status TEXT NOT NULL DEFAULT 'open', reason TEXT NOT NULL, summary TEXT NOT NULL,
    transcript TEXT NOT NULL, released_at REAL, agent TEXT)"""


def test_a_handoffs_file_from_before_priorities_gets_the_column(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "handoffs.sqlite"
    with sqlite3.connect(path) as db:  # a file an older Switchboard wrote, with one open ticket
        db.execute(OLD_SCHEMA)
        db.execute("INSERT INTO handoffs (sender_id, created_at, reason, summary, transcript) "
                   "VALUES ('old', 1.0, 'asked', '{\"intents\": []}', '[]')")
    db.close()
    queue, other_worker = HandoffQueue(path), HandoffQueue(path)  # the second finds it migrated
    (old,) = queue.list()
    assert (old.sender_id, old.priority, old.summary) == ("old", "normal", {"intents": []})
    urgent = other_worker.add(tracker("ann"), "frustrated", "high")
    assert [t.id for t in queue.list()] == [urgent.id, old.id]
    assert queue.release(old.id, "sam").status == "released"


def test_a_redis_ticket_from_before_priorities_is_normal(redis_client) -> None:
    from stores.redis_handoffs import RedisHandoffQueue

    queue = RedisHandoffQueue(redis_client)
    old = queue.add(tracker("old"), "asked")
    redis_client.hdel(f"switchboard:handoff:{old.id}", "priority")
    urgent = queue.add(tracker("ann"), "frustrated", "high")
    assert queue.get(old.id).priority == "normal" and [t.id for t in queue.list()] == [urgent.id, old.id]


def old_postgres_queue(dsn: str):
    """A PostgreSQL handoff table as written before priorities and claims, holding one
    ticket ('old'), opened by today's queue."""
    import psycopg

    from stores.postgres_handoffs import PostgresHandoffQueue

    with psycopg.connect(dsn, autocommit=True) as db:
        db.execute("DROP TABLE IF EXISTS switchboard_handoffs")
        db.execute(OLD_SCHEMA.replace("handoffs", "switchboard_handoffs")
                   .replace("INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY")
                   .replace("REAL", "DOUBLE PRECISION").replace("summary TEXT", "summary JSONB")
                   .replace("transcript TEXT", "transcript JSONB"))
        db.execute("INSERT INTO switchboard_handoffs (sender_id, created_at, reason, summary, transcript) "
                   "VALUES ('old', 1.0, 'asked', '{}', '[]')")
    return PostgresHandoffQueue(dsn)


def test_a_postgres_table_from_before_priorities_gets_the_column(empty_postgres) -> None:
    queue = old_postgres_queue(empty_postgres)
    urgent = queue.add(tracker("ann"), "frustrated", "high")
    assert [(t.sender_id, t.priority) for t in queue.list()] == [("ann", "high"), ("old", "normal")]
    assert urgent.id > 1
