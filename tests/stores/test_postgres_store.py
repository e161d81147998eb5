"""PostgresStore against a real PostgreSQL server started on 127.0.0.1 (no mocks)."""
import threading

import pytest

from tests.stores.store_checks import (
    check_round_trip, two_workers_finish_a_form, two_workers_share_a_handoff,
)
from tests.core.test_tracker_events import EVENTS


@pytest.fixture
def store(empty_postgres):
    from stores.postgres_store import PostgresStore

    return PostgresStore(empty_postgres)


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


def test_two_workers_share_handoff_tickets_through_postgres(example, empty_postgres, tmp_path) -> None:
    two_workers_share_a_handoff(example, empty_postgres, tmp_path)
