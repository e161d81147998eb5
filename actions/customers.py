"""Who the customer is: the example's customer-profile look-up at the start of a session.

The website's backend passes a logged-in customer's id in the REST channel's metadata
(`{"sender": "...", "message": "...", "metadata": {"customer_id": "c-1001"}}`); the
agent puts it in the `session_started_metadata` slot and runs this `action_session_start`,
which fills the slots the responses and order actions use from data/customers.json.
An id that is not there is a stranger (nothing is filled). Only an authenticated caller
of the webhook (the server's token) should be able to send metadata: it is trusted.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from core.events import SlotSet, UserUttered
from dialogue.registry import action

CUSTOMERS = Path(__file__).resolve().parent.parent / "data" / "customers.json"


def find_customer(customer_id) -> dict | None:
    if not isinstance(customer_id, str) or not customer_id:
        return None
    return _customers(CUSTOMERS.stat().st_mtime_ns).get(customer_id)


@lru_cache(maxsize=1)
def _customers(mtime_ns: int) -> dict:
    """data/customers.json, read again only when the file changes (not on every look-up)."""
    return json.loads(CUSTOMERS.read_text(encoding="utf-8"))["customers"]


@action("action_session_start")
def start_session(tracker, domain):
    """Greet returning customers as such, and fill a logged-in customer's profile."""
    events = []
    earlier = tracker.events[: max(tracker.start - 1, 0)]
    if any(isinstance(e, UserUttered) for e in earlier):
        events.append(SlotSet(slot="returning_customer", value=True))
    metadata = tracker.slots.get("session_started_metadata") or {}
    customer_id = metadata.get("customer_id") if isinstance(metadata, dict) else None
    profile = find_customer(customer_id)
    if profile is not None:
        events += [SlotSet(slot="customer_id", value=customer_id),
                   SlotSet(slot="customer_name", value=profile["name"].split()[0]),
                   SlotSet(slot="email", value=profile["email"].lower()),
                   SlotSet(slot="known_customer", value=True)]
    return events
