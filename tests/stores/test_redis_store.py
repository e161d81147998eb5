"""RedisStore against a real redis-server started on 127.0.0.1 (no mocks)."""
import threading

import pytest

from tests.stores.store_checks import (
    check_round_trip, two_workers_finish_a_form, two_workers_share_a_handoff,
)
from tests.core.test_tracker_events import EVENTS


@pytest.fixture
def store(redis_url, redis_client):
    from stores.redis_store import RedisStore

    return RedisStore(redis_url)


def test_events_round_trip_in_order(store) -> None:
    check_round_trip(store)


def test_lock_is_exclusive_across_clients(store, redis_url) -> None:
    from stores.redis_store import RedisStore

    other = RedisStore(redis_url)  # another worker
    order = []
    with store.lock("a"):
        worker = threading.Thread(target=lambda: (other.lock("a").__enter__(), order.append("other")))
        worker.start()
        worker.join(0.3)
        order.append("first")
    worker.join(5)
    assert order == ["first", "other"]


def test_key_prefix_keeps_two_assistants_apart(store, redis_url) -> None:
    from stores.redis_store import RedisStore

    bot = RedisStore(redis_url, key_prefix="bot")
    bot.append("a", EVENTS)
    store.append("b", EVENTS[:1])
    assert bot.senders() == ["a"] and store.senders() == ["b"]
    assert [k.decode() for k in store.client.keys("bot:*")] == ["bot:switchboard:events:a"]


def test_two_agents_share_conversations_through_redis(example, store, redis_url) -> None:
    from stores.redis_store import RedisStore

    two = two_workers_finish_a_form(example, store, RedisStore(redis_url), "r")
    assert [e.name for e in two.tracker("r").events].count("user") == 3


def test_two_workers_share_handoff_tickets_through_redis(example, redis_url, redis_client, tmp_path) -> None:
    two_workers_share_a_handoff(example, redis_url, tmp_path)
