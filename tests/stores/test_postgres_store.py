"""PostgresStore against a real PostgreSQL server started on 127.0.0.1 (no mocks)."""
import shutil
import tempfile
import threading
from pathlib import Path

import pytest

from tests.dialogue.store_checks import check_round_trip, two_workers_finish_a_form
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
    from stores.postgres_store import PostgresStore

    store = PostgresStore(dsn)
    store._db().execute("TRUNCATE switchboard_events")
    return store


def test_events_round_trip_in_order(store) -> None:
    check_round_trip(store)


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
    from stores.postgres_store import PostgresStore

    two_workers_finish_a_form(example, store, PostgresStore(dsn), "p")
