"""Retention and deletion that leave nothing behind (issue 17 point 2): conversations idle
past `privacy.retention_days` go (store, tickets, caches), by the server's sweep and by
`cli.py conversations purge`; a deleted conversation is gone from the SQLite file and its
WAL, and never comes back from another process's cache."""
from __future__ import annotations

import time
from pathlib import Path

from core.events import BotUttered, SlotSet
from stores.handoffs import HandoffQueue
from stores.retention import DAY_S, cutoff, purge
from stores.sqlite import SQLiteStore
from tests.support import ROOT
from tests.test_cli_train_shell import cli

SECRET = "jane.secret@example.com"


def old(days: float, *events):
    stamp = time.time() - days * DAY_S
    return [type(e)(**{**e.__dict__, "timestamp": stamp}) for e in events]


def test_purge_deletes_idle_conversations_and_keeps_the_rest(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "c.sqlite")
    queue = HandoffQueue(tmp_path / "h.sqlite")
    store.append("idle", old(120, SlotSet(slot="email", value=SECRET), BotUttered(text="hi")))
    store.append("recent", old(3, SlotSet(slot="email", value="x@example.com")))
    store.append("today", [SlotSet(slot="a", value="b")])
    purged = purge(store, queue, cutoff(90))
    assert purged.conversations == ["idle"] and purged.events == 2
    assert sorted(store.senders()) == ["recent", "today"]


def test_a_deleted_conversation_leaves_no_trace_in_the_file_or_its_wal(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    store = SQLiteStore(path)
    store.append("jane", [SlotSet(slot="email", value=SECRET)] * 50)
    store.append("other", [SlotSet(slot="x", value="kept")])
    assert store.delete("jane") == 50
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("c.sqlite*") if p.is_file())
    assert SECRET.encode() not in raw and b"kept" in raw


def test_a_conversation_deleted_elsewhere_never_comes_back_from_a_cache(example, tmp_path) -> None:
    from dialogue.agent import Agent
    from tests.support import KeywordParser

    project, policies = example
    path = tmp_path / "c.sqlite"

    def agent() -> Agent:
        return Agent(project, KeywordParser(), policies, HandoffQueue(tmp_path / "h.sqlite"),
                     seed=0, store=SQLiteStore(path))

    first, second = agent(), agent()  # two server processes on one store
    second.handle("kim", f"my email is {SECRET}")
    assert any(SECRET in str(e.to_dict()) for e in second.tracker("kim").events)
    first.forget("kim")
    for text in ("hi", "where is my order 12345", "thanks", "hello again", "bye"):
        first.handle("kim", text)  # a new conversation, longer than the one cached
    assert not any(SECRET in str(e.to_dict()) for e in second.tracker("kim").events)


def test_the_server_sweeps_and_the_cli_purges(example, tmp_path) -> None:
    from dialogue.agent import Agent
    from server.app import start_retention
    from tests.support import KeywordParser

    project, policies = example
    assert project.domain.privacy.retention_days == 90  # the example says so to customers
    store = SQLiteStore(tmp_path / "c.sqlite")
    store.append("idle", old(100, SlotSet(slot="email", value=SECRET)))
    agent = Agent(project, KeywordParser(), policies, HandoffQueue(tmp_path / "h.sqlite"), seed=0,
                  store=store)
    agent.handle("active", "hi")
    start_retention(agent, 90, every_s=0.05)
    deadline = time.time() + 5
    while "idle" in store.senders() and time.time() < deadline:
        time.sleep(0.02)
    assert store.senders() == ["active"]

    store.append("older", old(40, SlotSet(slot="a", value="b")))
    result = cli("conversations", "purge", "-p", str(ROOT), "--store", str(tmp_path / "c.sqlite"),
                 "--older-than", "30", "--yes")
    assert result.returncode == 0 and "Deleted 1 conversation(s)" in result.stdout
    assert store.senders() == ["active"]

