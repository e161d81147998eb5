import threading
from pathlib import Path

import pytest

from stores.sqlite import InMemoryStore, SQLiteStore
from core.tracker import Tracker
from tests.support import say
from tests.core.test_tracker_events import EVENTS


@pytest.fixture(params=["memory", "sqlite"])
def store(request, tmp_path: Path):
    return InMemoryStore() if request.param == "memory" else SQLiteStore(tmp_path / "t.sqlite")


def test_events_come_back_in_order(store) -> None:
    store.append("a", EVENTS[:3])
    store.append("a", EVENTS[3:])
    store.append("b", EVENTS[:1])
    assert store.load("a") == EVENTS and store.load("b") == EVENTS[:1]
    assert store.senders() == ["a", "b"] and store.load("nobody") == []
    assert store.delete("a") == len(EVENTS) and store.load("a") == []


def test_sqlite_survives_a_restart(tmp_path: Path) -> None:
    SQLiteStore(tmp_path / "t.sqlite").append("a", EVENTS)
    reopened = SQLiteStore(tmp_path / "t.sqlite")
    assert Tracker.from_events("a", reopened.load("a")).active_loop == "return_form"


def test_concurrent_appends_never_mix(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "t.sqlite")

    def write(sender: str) -> None:
        for event in EVENTS:
            store.append(sender, [event])

    threads = [threading.Thread(target=write, args=(f"s{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(store.load(f"s{i}") == EVENTS for i in range(8))


def test_agent_keeps_conversations_in_the_store(example, tmp_path: Path) -> None:
    from dialogue.agent import Agent
    from stores.handoffs import HandoffQueue
    from tests.support import KeywordParser

    project, policies = example
    path = tmp_path / "conversations.sqlite"
    first = Agent(project, KeywordParser(), policies, HandoffQueue(), seed=0, store=SQLiteStore(path))
    say(first, "I want to return something", sender="x")
    say(first, "it's NW-55871", sender="x")
    # a new process on the same file picks the conversation up where it was
    second = Agent(project, KeywordParser(), policies, HandoffQueue(), seed=0, store=SQLiteStore(path))
    assert second.tracker("x").slots["requested_slot"] == "email"
    done = say(second, "maria.lopez@gmail.com", sender="x")
    assert done.actions == ["return_form", "action_start_return"]


def test_sqlite_lock_serialises_a_conversation_across_processes(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    path = tmp_path / "l.sqlite"
    store = SQLiteStore(path)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; sys.path.insert(0, '.'); from stores.sqlite import SQLiteStore\n"
        f"s = SQLiteStore({str(path)!r})\n"
        "with s.lock('ann'):\n    print('locked', flush=True); time.sleep(1.0)\n")],
        cwd=Path(__file__).parent.parent.parent, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    started = time.perf_counter()
    with store.lock("ann"):  # waits for the other process
        waited = time.perf_counter() - started
    holder.wait(10)
    assert waited > 0.5
    with store.lock("bob"):  # other conversations never wait for it
        pass


def test_two_workers_share_handoff_tickets_beside_a_sqlite_file(example, tmp_path: Path) -> None:
    from tests.stores.store_checks import two_workers_share_a_handoff

    two_workers_share_a_handoff(example, str(tmp_path / "conversations.sqlite"), tmp_path)
