"""Claims on every handoff queue (SQLite, Redis, PostgreSQL, and the private wrapper): an
agent takes an open ticket, another agent sees who holds it and takes it only with `force`,
and files and tables from before claims get the column."""
from pathlib import Path

import pytest

from stores.handoffs import HandoffQueue
from tests.stores.test_handoff_queues import OLD_SCHEMA, old_postgres_queue, queues, tracker  # noqa: F401 - the fixture


def test_an_open_ticket_is_claimed_once_and_taken_over_only_by_force(queues) -> None:  # noqa: F811
    one, two = queues
    ticket = one.add(tracker("ann"), "asked for a human")
    assert ticket.assignee is None and two.get(ticket.id).assignee is None
    assert one.claim(ticket.id, "sam").assignee == "sam"
    assert two.get(ticket.id).assignee == "sam"  # the other worker sees who holds it
    assert two.claim(ticket.id, "kim").assignee == "sam"  # refused: the caller sees sam
    assert two.claim(ticket.id, "sam").assignee == "sam"  # claiming one's own again is fine
    assert [t.assignee for t in two.list()] == ["sam"]
    assert two.claim(ticket.id, "kim", force=True).assignee == "kim"
    released = one.release(ticket.id, "kim")
    assert released.status == "released" and released.assignee == "kim"
    assert one.claim(ticket.id, "sam", force=True).assignee == "kim"  # a released ticket stays
    assert one.claim(ticket.id + 100, "sam") is None


def test_the_private_queue_passes_claims_through(tmp_path: Path) -> None:
    from core.sealing import Sealer
    from stores.private import PrivateQueue

    queue = PrivateQueue(HandoffQueue(tmp_path / "h.sqlite"), Sealer(b"k"))
    ticket = queue.add(tracker("jane.doe@example.com"), "asked")
    assert queue.claim(ticket.id, "sam").assignee == "sam"
    assert queue.get(ticket.id).assignee == "sam"


def test_a_handoffs_file_from_before_claims_gets_the_column(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "handoffs.sqlite"
    with sqlite3.connect(path) as db:  # priorities but no claims yet
        db.execute(OLD_SCHEMA)
        db.execute("ALTER TABLE handoffs ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal'")
        db.execute("INSERT INTO handoffs (sender_id, created_at, reason, summary, transcript, priority) "
                   "VALUES ('old', 1.0, 'asked', '{}', '[]', 'high')")
    db.close()
    queue = HandoffQueue(path)
    (old,) = queue.list()
    assert (old.priority, old.assignee) == ("high", None)
    assert queue.claim(old.id, "sam").assignee == "sam"
    assert HandoffQueue(path).get(old.id).assignee == "sam"


def test_a_postgres_table_from_before_claims_gets_the_column(empty_postgres) -> None:
    queue = old_postgres_queue(empty_postgres)
    (old,) = queue.list()
    assert old.assignee is None and queue.claim(old.id, "sam").assignee == "sam"


@pytest.mark.parametrize("holder", [None, "sam"])
def test_two_agents_claiming_at_once_one_gets_it(queues, holder) -> None:  # noqa: F811
    from concurrent.futures import ThreadPoolExecutor

    one, two = queues
    ticket = one.add(tracker("ann"), "asked")
    if holder:
        one.claim(ticket.id, holder)
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda pair: pair[0].claim(ticket.id, pair[1]), [(one, "kim"), (two, "lee")]))
    winners = {r.assignee for r in results}
    assert len(winners) == 1 and (holder is None or winners == {"sam"})
