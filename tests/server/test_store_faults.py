"""Store faults (issue 17 point 5) on a real server: a tracker file deleted while running is
reopened with a loud log line and the next turn is stored; an unusable store is a 503 with
a JSON error and /health says what fails; a full disk says disk full."""
from __future__ import annotations

import logging

import pytest

from core.errors import StoreUnavailable
from core.events import SlotSet
from stores.sqlite import SQLiteStore


def say(server, sender: str, text: str):
    return server.call("POST", "/webhooks/rest/webhook", {"sender": sender, "message": text})


def test_a_deleted_store_file_is_reopened_and_the_turn_stored(make_server, tmp_path, caplog) -> None:
    path = tmp_path / "conversations.sqlite"
    with make_server(store_path=path) as server, caplog.at_level(logging.ERROR):
        assert say(server, "dee", "hi")[0] == 200
        for leftover in tmp_path.glob("conversations.sqlite*"):
            if leftover.is_file():
                leftover.unlink()
        status, replies = say(server, "eve", "where is my order 12345")
        assert status == 200 and replies
        assert "was deleted or replaced while the server ran: reopening it" in caplog.text
    assert SQLiteStore(path).size("eve") > 0  # in the file that is there now, not a lost one


def test_an_unusable_store_is_a_503_and_health_says_so(make_server, tmp_path) -> None:
    path = tmp_path / "conversations.sqlite"
    with make_server(store_path=path) as server:
        assert say(server, "fay", "hi")[0] == 200
        for leftover in tmp_path.glob("conversations.sqlite*"):
            if leftover.is_file():
                leftover.unlink()
        path.write_bytes(b"this is not a database" * 100)
        status, body = say(server, "fay", "hi again")
        assert status == 503 and "cannot be used" in body["error"] and "send it again later" in body["error"]
        status, body = server.call("GET", "/health")
        assert status == 503 and body["status"] == "failing" and "conversations.sqlite" in body["store"]


def test_a_full_disk_says_so(tmp_path) -> None:
    store = SQLiteStore(tmp_path / "full.sqlite")
    db = store._db()
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")  # what a full disk looks like to SQLite
    with pytest.raises(StoreUnavailable, match="is full"):
        store.append("gus", [SlotSet(slot="x", value="y" * 100_000)])
