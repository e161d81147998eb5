"""PostgresStore against a real PostgreSQL server started on 127.0.0.1 (no mocks)."""
import shutil
import tempfile
import threading
from pathlib import Path

import pytest

from tests.dialogue.conftest import say
from tests.dialogue.test_tracker_events import EVENTS
from tests.services import start_postgres


@pytest.fixture(scope="module")
def dsn():
    # not under pytest's tmp dir: that is private to root, and postgres runs as `postgres`
    workdir = Path(tempfile.mkdtemp(prefix="switchboard-pg-"))
    started = start_postgres(workdir)
    if started is None:
        pytest.skip("PostgreSQL server binaries not installed (make test installs them where it can)")
    process, url = started
    yield url
    process.terminate()
    process.wait(20)
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def store(dsn):
    from core.postgres_store import PostgresStore

    store = PostgresStore(dsn)
    store._db().execute("TRUNCATE switchboard_events")
    return store


def test_events_round_trip_in_order(store) -> None:
    store.append("a", EVENTS[:3])
    store.append("a", EVENTS[3:])
    store.append("b", EVENTS[:1])
    assert store.load("a") == EVENTS and store.load("a", since=3) == EVENTS[3:]
    assert store.size("a") == len(EVENTS) and store.senders() == ["a", "b"]
    assert store.delete("a") == len(EVENTS) and store.load("a") == []


def test_concurrent_appends_to_one_conversation_keep_every_event(store) -> None:
    def write() -> None:
        for event in EVENTS:
            store.append("shared", [event])

    threads = [threading.Thread(target=write) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.size("shared") == 6 * len(EVENTS)


def test_two_agents_share_conversations_through_postgres(example, store, dsn) -> None:
    from core.postgres_store import PostgresStore
    from dialogue.agent import Agent
    from dialogue.handoff import HandoffQueue
    from tests.dialogue.conftest import KeywordParser

    project, policies = example
    one = Agent(project, KeywordParser(), policies, HandoffQueue(), seed=0, store=store)
    two = Agent(project, KeywordParser(), policies, HandoffQueue(), seed=0, store=PostgresStore(dsn))
    say(one, "I want to return something", sender="p")
    say(two, "it's NW-55871", sender="p")
    done = say(one, "maria.lopez@gmail.com", sender="p")
    assert done.actions == ["return_form", "action_start_return"]
