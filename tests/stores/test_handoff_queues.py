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
