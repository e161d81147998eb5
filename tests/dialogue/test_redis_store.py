"""RedisStore against a real redis-server started on 127.0.0.1 (no mocks)."""
import threading

import pytest

from tests.dialogue.conftest import say
from tests.dialogue.test_tracker_events import EVENTS
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
    from core.redis_store import RedisStore

    store = RedisStore(redis_url)
    store.client.flushdb()
    return store


def test_events_round_trip_in_order(store) -> None:
    store.append("a", EVENTS[:3])
    store.append("a", EVENTS[3:])
    store.append("b", EVENTS[:1])
    assert store.load("a") == EVENTS and store.load("a", since=3) == EVENTS[3:]
    assert store.size("a") == len(EVENTS) and store.senders() == ["a", "b"]
    assert store.delete("a") == len(EVENTS) and store.load("a") == []


def test_lock_is_exclusive_across_clients(store, redis_url) -> None:
    from core.redis_store import RedisStore

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
    from core.redis_store import RedisStore
    from dialogue.agent import Agent
    from dialogue.handoff import HandoffQueue
    from tests.dialogue.conftest import KeywordParser

    project, policies = example
    one = Agent(project, KeywordParser(), policies, HandoffQueue(), seed=0, store=store)
    two = Agent(project, KeywordParser(), policies, HandoffQueue(), seed=0, store=RedisStore(redis_url))
    say(one, "I want to return something", sender="r")
    say(two, "it's NW-55871", sender="r")  # another worker takes the next message
    done = say(one, "maria.lopez@gmail.com", sender="r")
    assert done.actions == ["return_form", "action_start_return"]
    assert [e.name for e in two.tracker("r").events].count("user") == 3
