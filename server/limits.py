"""Rate limits on the customer channel, as token buckets in the server's memory.

    sender   messages per conversation (a customer's token, or a channel that signs its
             requests itself, such as Slack)
    address  messages per client address, for customers' tokens (one person cannot flood
             the bot by opening many conversations)
    session  new conversations per client address (POST /webhooks/rest/session)

Staff tokens (the local operator, a backend with the `channel` scope) are not limited: they
speak for many customers from one address. Past a limit the answer is 429 with Retry-After
and the message is not processed. Each worker process counts on its own, so with N workers
a sender may get up to N times the rate. The client address is the one uvicorn reports:
behind a reverse proxy, run uvicorn with the proxy's address trusted (--forwarded-allow-ips)
so that it is the customer's and not the proxy's.

Set with SWITCHBOARD_RATE_LIMITS or `cli.py run --rate-limit`, e.g. "sender=20/60,session=10/60"
(N/SECONDS: N in that many seconds; "off" for none of that kind).
"""
from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from core.errors import SwitchboardError

from server import auth as access


class Limited(SwitchboardError):
    """Over a rate limit (HTTP 429)."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Rate:
    count: int
    per_s: float

    def __str__(self) -> str:
        return f"{self.count}/{self.per_s:g}s"


DEFAULTS = {"sender": Rate(20, 60), "address": Rate(60, 60), "session": Rate(10, 60)}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*$")


def parse_limits(text: str) -> dict[str, Rate | None]:
    """"sender=20/60,session=off" -> the kinds it sets; ValueError naming the bad part."""
    limits: dict[str, Rate | None] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, _, value = part.partition("=")
        kind = kind.strip()
        if kind not in DEFAULTS:
            raise ValueError(f"'{part}': the kinds are {', '.join(DEFAULTS)}")
        if value.strip() == "off":
            limits[kind] = None
            continue
        match = _RATE.match(value)
        if not match or int(match.group(1)) < 1 or float(match.group(2)) <= 0:
            raise ValueError(f"'{part}': expected {kind}=N/SECONDS (e.g. {kind}={DEFAULTS[kind].count}/"
                             f"{DEFAULTS[kind].per_s:g}) or {kind}=off")
        limits[kind] = Rate(int(match.group(1)), float(match.group(2)))
    return limits


class Buckets:
    """One token bucket per key, the least recently used dropped past `max_keys` (a flood
    of new keys costs bounded memory)."""

    def __init__(self, rate: Rate, max_keys: int = 100_000) -> None:
        self.rate, self.max_keys = rate, max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str, now: float | None = None) -> float:
        """0.0 if `key` may go on (one token taken), else the seconds until it may."""
        now = time.monotonic() if now is None else now
        refill = self.rate.count / self.rate.per_s
        with self._lock:
            tokens, then = self._buckets.pop(key, (float(self.rate.count), now))
            tokens = min(float(self.rate.count), tokens + (now - then) * refill)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / refill
            self._buckets[key] = (tokens - 1 if wait == 0 else tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        return wait


class RateLimits:
    def __init__(self, limits: dict[str, Rate | None] | None = None) -> None:
        chosen = {**DEFAULTS, **(limits or {})}
        self.rates = chosen
        self._buckets = {kind: Buckets(rate) for kind, rate in chosen.items() if rate is not None}

    def _take(self, kind: str, key: str, what: str) -> None:
        buckets = self._buckets.get(kind)
        wait = buckets.take(key) if buckets is not None else 0.0
        if wait:
            raise Limited(f"too many {what} (at most {buckets.rate}); try again in {wait:.0f} s", wait)

    def message(self, sender: str, address: str | None) -> None:
        """Limited unless the current principal may send one more message as `sender`."""
        principal = access.current.get()
        if principal is not None and principal.kind == "staff":
            return
        self._take("sender", sender, "messages in this conversation")
        if principal is not None and address:  # a customer's token
            self._take("address", address, "messages from this address")

    def session(self, address: str | None) -> None:
        principal = access.current.get()
        if address and not (principal is not None and principal.kind == "staff"):
            self._take("session", address, "new conversations from this address")
