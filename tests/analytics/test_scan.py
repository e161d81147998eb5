"""`scan()` of every store gives each conversation's stored event dicts, and the same
figures as reading them one by one."""
import json
from dataclasses import asdict

from analytics.figures import analyse
from analytics.scan import by_loading, stored_conversations
from tests.analytics.story import DAY1, SINCE, UNTIL, fill, scanned


def as_json(value):
    """`value` as JSON gives it back (tuples are lists: stores of Event objects keep tuples)."""
    return json.loads(json.dumps(value))


def expected(since=None) -> dict[str, list[dict]]:
    return {s: as_json(events) for s, events in scanned()
            if since is None or events[-1]["timestamp"] >= since}


def check_scan(store) -> None:
    fill(store)
    assert as_json(dict(stored_conversations(store))) == expected()
    assert sorted(dict(store.scan(since=SINCE))) == ["ann", "bob"]  # old's last event is older
    assert dict(store.scan(since=UNTIL)) == {}
    assert asdict(analyse(store, SINCE, UNTIL)) | {"seconds": 0} == \
        asdict(analyse(_NoScan(store), SINCE, UNTIL)) | {"seconds": 0}


class _NoScan:
    """The store, seen through its TrackerStore methods only (by_loading's road)."""

    def __init__(self, store) -> None:
        self.senders, self.load = store.senders, store.load


def test_in_memory() -> None:
    from stores.sqlite import InMemoryStore

    check_scan(InMemoryStore())


def test_sqlite(tmp_path) -> None:
    from stores.sqlite import SQLiteStore

    store = SQLiteStore(tmp_path / "c.sqlite")
    check_scan(store)
    assert [s for s, _ in store.scan(batch=2)] == ["ann", "bob", "old"]  # batches join up


def test_sqlite_empty(tmp_path) -> None:
    from stores.sqlite import SQLiteStore

    assert list(SQLiteStore(tmp_path / "c.sqlite").scan()) == []
    assert analyse(SQLiteStore(tmp_path / "c.sqlite"), SINCE, UNTIL).total.conversations == 0


def test_private_store_reads_as_stored(tmp_path) -> None:
    from core.events import SlotSet, UserUttered
    from core.message import IntentScore, Message
    from core.sealing import Sealer
    from stores.private import PrivateStore
    from stores.sqlite import SQLiteStore

    store = PrivateStore(SQLiteStore(tmp_path / "c.sqlite"), Sealer(b"k"))
    check_scan(store)
    store.append("ann@example.com", [
        UserUttered(message=Message("I am ann@example.com", IntentScore("greet", 1.0)), timestamp=DAY1),
        SlotSet(slot="email", value="ann@example.com", timestamp=DAY1)])
    text = str(dict(store.scan()))
    assert "ann@example.com" not in text  # masked text, pseudonymous sender, sealed slot


def test_private_store_around_a_store_without_scan(tmp_path) -> None:
    from core.sealing import Sealer
    from stores.private import PrivateStore
    from stores.sqlite import SQLiteStore

    inner = SQLiteStore(tmp_path / "c.sqlite")
    fill(inner)
    assert as_json(dict(PrivateStore(_NoScan(inner), Sealer(b"k")).scan())) == expected()


def test_redis(redis_url, redis_client) -> None:
    from stores.redis_store import RedisStore

    store = RedisStore(redis_url, key_prefix="bot")
    RedisStore(redis_url).append("other-assistant", [])  # nothing written: no key
    check_scan(store)
    assert len(list(store.scan(batch=1))) == 3


def test_postgres(empty_postgres) -> None:
    from stores.postgres_store import PostgresStore

    store = PostgresStore(empty_postgres)
    check_scan(store)
    with store.lock("ann"):  # the scan has a connection of its own: no wait on this one
        assert len(list(store.scan(batch=2))) == 3


def test_by_loading_filters_on_since(tmp_path) -> None:
    from stores.sqlite import SQLiteStore

    store = SQLiteStore(tmp_path / "c.sqlite")
    fill(store)
    assert as_json(dict(by_loading(store, SINCE))) == expected(SINCE)


def test_scan_order_does_not_change_figures() -> None:
    from analytics.conversations import conversations
    from analytics.figures import report

    forward = report(conversations(scanned()), SINCE, UNTIL)
    backward = report(conversations(reversed(scanned())), SINCE, UNTIL)
    assert asdict(forward) == asdict(backward)


def test_rows_left_unparsed_change_no_figure(tmp_path) -> None:
    """`needed` refuses slots, action_listen and bot messages no agent signed, and only
    those, on the benchmark's conversations too."""
    from analytics.conversations import conversations, needed
    from analytics.figures import report
    from bench.analytics import synthetic
    from core.events import BotUttered, SlotSet, UserUttered
    from core.message import IntentScore, Message
    from stores.sqlite import decoded, event_rows

    rows = {s: r for s, r in synthetic(500, now=UNTIL)}
    every = [(s, decoded(r)) for s, r in rows.items()]
    fewer = [(s, decoded(r, keep=needed)) for s, r in rows.items()]
    assert sum(map(len, dict(fewer).values())) < 0.7 * sum(map(len, dict(every).values()))
    assert asdict(report(conversations(every), 0, UNTIL)) == asdict(report(conversations(fewer), 0, UNTIL))
    tricky = Message('say "event": "slot" and "action": "action_listen"', IntentScore("greet", 1.0))
    kept, refused = event_rows([UserUttered(message=tricky, metadata={"event": "slot"}),
                                BotUttered(text="x", custom={"agent": "sam"})]), \
        event_rows([SlotSet(slot="a", value={"agent": 1}), BotUttered(text='"agent": x')])
    assert [needed(r) for r in kept] == [True, True]
    assert [needed(r) for r in refused] == [False, False]
