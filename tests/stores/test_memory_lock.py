"""`lock(sender)` is part of every tracker store; the in-memory one is a per-sender thread lock."""
import threading
import time

from stores.sqlite import InMemoryStore


def test_in_memory_lock_serialises_two_threads_on_one_conversation() -> None:
    store, order = InMemoryStore(), []

    def turn(name: str) -> None:
        with store.lock("ann"):
            order.append(f"{name} starts")
            time.sleep(0.1)
            order.append(f"{name} ends")

    threads = [threading.Thread(target=turn, args=(name,)) for name in ("one", "two")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert [o.split()[1] for o in order] == ["starts", "ends", "starts", "ends"]


def test_other_conversations_do_not_wait() -> None:
    store = InMemoryStore()
    with store.lock("ann"):
        other = threading.Thread(target=lambda: store.lock("bob").__enter__())
        other.start()
        other.join(1)
        assert not other.is_alive()
