"""RedisStore against a real redis-server started on 127.0.0.1 (no mocks)."""
import threading

import pytest

from tests.dialogue.store_checks import check_round_trip, two_workers_finish_a_form
from tests.services import start_redis


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    started = start_redis(tmp_path_factory.mktemp("redis"))
    if started is None:
        pytest.skip("redis-server is not installed (make test installs it where it can)")
    process, url = started
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture
def store(redis_url):
    from stores.redis_store import RedisStore

    store = RedisStore(redis_url)
    store.client.flushdb()
    return store


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


def test_two_agents_share_conversations_through_redis(example, store, redis_url) -> None:
    from stores.redis_store import RedisStore

    two = two_workers_finish_a_form(example, store, RedisStore(redis_url), "r")
    assert [e.name for e in two.tracker("r").events].count("user") == 3
