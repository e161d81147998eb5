"""A tracker store in Redis, for several server workers or hosts sharing conversations.

Each conversation is a Redis list `switchboard:events:<sender>` of event JSON (RPUSH to
append, LRANGE from `since` to read, LLEN for the size). `lock(sender)` is a Redis lock
(SET NX with expiry, released only by its owner), so two workers never process one
conversation's messages at the same time.
"""
from __future__ import annotations

import json
import time
import uuid
from contextlib import contextmanager
from typing import Iterable, Iterator

from core.events import Event, event_from_dict
from stores.sqlite import event_rows

PREFIX = "switchboard:events:"
RELEASE = """if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"""


class RedisStore:
    def __init__(self, url: str = "redis://127.0.0.1:6379/0", mask_pii: bool = False):
        import redis

        self.client = redis.Redis.from_url(url)
        self.mask_pii = mask_pii
        self.client.ping()  # fail at start-up, not on the first message

    def _key(self, sender_id: str) -> str:
        return PREFIX + sender_id

    def load(self, sender_id: str, since: int = 0) -> list[Event]:
        return [event_from_dict(json.loads(raw)) for raw in self.client.lrange(self._key(sender_id), since, -1)]

    def size(self, sender_id: str) -> int:
        return int(self.client.llen(self._key(sender_id)))

    def append(self, sender_id: str, events: Iterable[Event]) -> None:
        rows = event_rows(events, self.mask_pii)
        if rows:
            self.client.rpush(self._key(sender_id), *rows)

    def senders(self) -> list[str]:
        return sorted(k.decode()[len(PREFIX):] for k in self.client.scan_iter(PREFIX + "*"))

    def delete(self, sender_id: str) -> int:
        key = self._key(sender_id)
        count = self.size(sender_id)
        self.client.delete(key)
        return count

    @contextmanager
    def lock(self, sender_id: str, ttl_s: float = 30.0, wait_s: float = 30.0) -> Iterator[None]:
        """Hold the conversation across workers (expires after `ttl_s` if a worker dies)."""
        key, token = f"switchboard:lock:{sender_id}", uuid.uuid4().hex
        deadline = time.monotonic() + wait_s
        while not self.client.set(key, token, nx=True, px=int(ttl_s * 1000)):
            if time.monotonic() > deadline:
                raise TimeoutError(f"conversation {sender_id} is locked by another worker")
            time.sleep(0.005)
        try:
            yield
        finally:
            self.client.eval(RELEASE, 1, key, token)
