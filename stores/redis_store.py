"""A tracker store in Redis, for several server workers or hosts sharing conversations.

Each conversation is a Redis list `switchboard:events:<sender>` of event JSON (RPUSH to
append, LRANGE from `since` to read, LLEN for the size). `lock(sender)` is a `RedisLock`
(SET NX with expiry, released only by its owner), so two workers never process one
conversation's messages at the same time; a Redis lock store in endpoints.yml uses the same
lock in front of another tracker store. `scan()` reads every conversation for analytics:
SCAN over the keys, then one pipelined LRANGE per batch of keys. Rasa's `key_prefix` puts every key under
`<prefix>:`, so several assistants can share one Redis database.
"""
from __future__ import annotations

import json
import time
import uuid
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterable, Iterator

from core.events import Event, event_from_dict
from stores.sqlite import RowTest, Scanned, decoded, event_rows

if TYPE_CHECKING:
    import redis

EVENTS = "switchboard:events:"
LOCKS = "switchboard:lock:"
RELEASE = """if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"""


def namespace(key_prefix: str) -> str:
    """What goes in front of every key: `<key_prefix>:` as Rasa writes it, or nothing."""
    return f"{key_prefix}:" if key_prefix else ""


def connect(url: str) -> redis.Redis:
    """A client for `url` that has answered a PING (fail at start-up, not on the first message)."""
    import redis

    client = redis.Redis.from_url(url)
    client.ping()
    return client


class RedisLock:
    """Per-conversation locks shared by every worker and host on one Redis."""

    def __init__(self, client: redis.Redis, key_prefix: str = "", ttl_s: float = 30.0, wait_s: float = 30.0):
        self.client = client
        self.prefix = namespace(key_prefix) + LOCKS
        self.ttl_s, self.wait_s = ttl_s, wait_s

    @contextmanager
    def __call__(self, sender_id: str) -> Iterator[None]:
        """Hold the conversation across workers (expires after `ttl_s` if a worker dies)."""
        key, token = self.prefix + sender_id, uuid.uuid4().hex
        deadline = time.monotonic() + self.wait_s
        while not self.client.set(key, token, nx=True, px=int(self.ttl_s * 1000)):
            if time.monotonic() > deadline:
                raise TimeoutError(f"conversation {sender_id} is locked by another worker")
            time.sleep(0.005)
        try:
            yield
        finally:
            self.client.eval(RELEASE, 1, key, token)


def _once(keys: Iterator[bytes]) -> Iterator[bytes]:
    """`keys` without repeats (SCAN may return a key twice while Redis rehashes)."""
    seen: set[bytes] = set()
    for key in keys:
        if key not in seen:
            seen.add(key)
            yield key


class RedisStore:
    def __init__(self, url: str = "redis://127.0.0.1:6379/0", key_prefix: str = ""):
        self.client = connect(url)
        self.prefix = namespace(key_prefix) + EVENTS
        self.lock = RedisLock(self.client, key_prefix)

    def _key(self, sender_id: str) -> str:
        return self.prefix + sender_id

    def load(self, sender_id: str, since: int = 0) -> list[Event]:
        return [event_from_dict(json.loads(raw)) for raw in self.client.lrange(self._key(sender_id), since, -1)]

    def size(self, sender_id: str) -> int:
        return int(self.client.llen(self._key(sender_id)))

    def append(self, sender_id: str, events: Iterable[Event]) -> None:
        rows = event_rows(events)
        if rows:
            self.client.rpush(self._key(sender_id), *rows)

    def senders(self) -> list[str]:
        return sorted(k.decode()[len(self.prefix):] for k in self.client.scan_iter(self.prefix + "*"))

    def delete(self, sender_id: str) -> int:
        key = self._key(sender_id)
        count = self.size(sender_id)
        self.client.delete(key)
        return count

    def scan(self, since: float | None = None, keep: RowTest | None = None,
             batch: int = 500) -> Scanned:
        """Every conversation as (sender, event dicts), in no particular order; with `since`,
        only those with an event at or after that time (epoch seconds: their last event is
        fetched first, the whole list only for those); `keep`: see stores.sqlite.decoded.
        `batch` keys per round trip."""
        keys = _once(self.client.scan_iter(self.prefix + "*", count=batch))
        while chunk := [k for _, k in zip(range(batch), keys)]:
            if since is not None:
                chunk = [k for k, last in zip(chunk, self._each(chunk, "lindex", -1))
                         if last is not None and decoded([last], since) is not None]
            for key, rows in zip(chunk, self._each(chunk, "lrange", 0, -1)):
                events = decoded([r.decode() for r in rows] if keep else rows, keep=keep)
                if events is not None:
                    yield key.decode()[len(self.prefix):], events

    def _each(self, keys: list[bytes], command: str, *args) -> list:
        """`command` on each key, in one pipelined round trip (no transaction)."""
        pipe = self.client.pipeline(transaction=False)
        for key in keys:
            getattr(pipe, command)(key, *args)
        return pipe.execute()
