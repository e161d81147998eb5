"""`open_stores`: the tracker store and the handoff queue beside it, from an explicit URL,
endpoints.yml or the default; Redis and PostgreSQL against real servers (skipped, saying
why, where one is not installed)."""
from pathlib import Path

import pytest

from core.errors import SwitchboardError
from core.tracker import Tracker
from project.loader import state_path
from stores.factory import LockedStore, open_stores, store_settings
from stores.handoffs import HandoffQueue
from stores.sqlite import InMemoryStore, SQLiteStore
from tests.core.test_tracker_events import EVENTS


def test_default_is_the_projects_sqlite_file_with_the_queue_beside_it(tmp_path: Path) -> None:
    stores = open_stores(tmp_path)
    assert isinstance(stores.tracker, SQLiteStore) and isinstance(stores.handoffs, HandoffQueue)
    assert stores.tracker.path == str(state_path(tmp_path, "conversations.sqlite"))
    assert stores.handoffs.path == str(state_path(tmp_path, "handoffs.sqlite"))
    assert stores.description.endswith("(default)") and stores.warnings == ()


@pytest.mark.parametrize("form", ["{path}", "sqlite:///{path}", "sqlite:///{relative}"])
def test_sqlite_urls(form: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    url = form.format(path=tmp_path / "db" / "chats.sqlite", relative="db/chats.sqlite")
    stores = open_stores(tmp_path / "project", url, mask_pii=True)
    stores.tracker.append("ann", EVENTS)
    assert SQLiteStore(tmp_path / "db" / "chats.sqlite").load("ann") == EVENTS
    assert Path(stores.handoffs.path).resolve() == tmp_path / "db" / "handoffs.sqlite"
    assert stores.tracker.mask_pii


def test_memory_url(tmp_path: Path) -> None:
    stores = open_stores(tmp_path, "memory://")
    assert isinstance(stores.tracker, InMemoryStore) and stores.handoffs.path == ":memory:"
    assert "memory" in stores.description


def test_an_explicit_url_wins_over_endpoints_yml(tmp_path: Path) -> None:
    (tmp_path / "endpoints.yml").write_text("tracker_store:\n  type: in_memory\nnlg:\n  url: x\n")
    stores = open_stores(tmp_path, str(tmp_path / "c.sqlite"))
    assert isinstance(stores.tracker, SQLiteStore) and stores.warnings == ()
    assert isinstance(open_stores(tmp_path).tracker, InMemoryStore)


def test_an_unsupported_url_says_what_works_and_hides_the_password(tmp_path: Path) -> None:
    with pytest.raises(SwitchboardError) as error:
        open_stores(tmp_path, "mysql://me:hunter2@db/rasa")
    assert "mysql://me:***@db/rasa" in str(error.value) and "redis://" in str(error.value)
    assert "hunter2" not in str(error.value)


def test_a_server_that_cannot_be_reached_is_a_clear_error(tmp_path: Path) -> None:
    from tests.services import free_port

    with pytest.raises(SwitchboardError, match=r"cannot open the conversation store Redis redis://:\*\*\*@"):
        open_stores(tmp_path, f"redis://:pw@127.0.0.1:{free_port()}/0")


def test_redis_url_opens_conversations_and_tickets_in_redis(tmp_path: Path, redis_url, redis_client) -> None:
    from stores.redis_handoffs import RedisHandoffQueue
    from stores.redis_store import RedisStore

    one, two = open_stores(tmp_path, redis_url), open_stores(tmp_path, redis_url)  # two server processes
    assert isinstance(one.tracker, RedisStore) and isinstance(one.handoffs, RedisHandoffQueue)
    one.tracker.append("ann", EVENTS)
    ticket = one.handoffs.add(Tracker.from_events("ann", EVENTS), "asked")
    assert two.tracker.load("ann") == EVENTS and two.handoffs.get(ticket.id) == ticket


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_postgres_url_opens_conversations_and_tickets_in_postgres(scheme: str, tmp_path: Path,
                                                                  empty_postgres) -> None:
    from stores.postgres_handoffs import PostgresHandoffQueue
    from stores.postgres_store import PostgresStore

    url = empty_postgres.replace("postgresql://", f"{scheme}://")
    one, two = open_stores(tmp_path, url), open_stores(tmp_path, url)
    assert isinstance(one.tracker, PostgresStore) and isinstance(one.handoffs, PostgresHandoffQueue)
    ticket = one.handoffs.add(Tracker.from_events("ann", EVENTS), "asked")
    assert two.handoffs.list() == [ticket] and ticket.id == 1


def test_a_redis_lock_store_locks_turns_of_a_sqlite_tracker_store(tmp_path: Path, redis_url, redis_client) -> None:
    import threading

    port = redis_url.rsplit(":", 1)[1].split("/")[0]
    (tmp_path / "endpoints.yml").write_text(
        "tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: chats.db\n"
        f"lock_store:\n  type: redis\n  url: 127.0.0.1\n  port: {port}\n  key_prefix: bot\n")
    one, two = open_stores(tmp_path), open_stores(tmp_path)
    assert isinstance(one.tracker, LockedStore) and "turns locked in Redis" in one.description
    one.tracker.append("ann", EVENTS)
    assert SQLiteStore(tmp_path / "chats.db").load("ann") == EVENTS
    order = []
    with one.tracker.lock("ann"):
        waiting = threading.Thread(target=lambda: (two.tracker.lock("ann").__enter__(), order.append("two")))
        waiting.start()
        waiting.join(0.3)
        order.append("one")
        assert redis_client.keys("bot:switchboard:lock:*") == [b"bot:switchboard:lock:ann"]
    waiting.join(5)
    assert order == ["one", "two"]


def test_settings_can_be_read_without_connecting(tmp_path: Path) -> None:
    settings = store_settings(tmp_path, "redis://nowhere.invalid:6379/0")
    assert (settings.kind, settings.target) == ("redis", "redis://nowhere.invalid:6379/0")
