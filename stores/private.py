"""Stores that keep no personal data in clear: `PrivateStore(inner, sealer)` for
conversations, `PrivateQueue(inner, sealer)` for handoff tickets.

What it writes to `inner` (any store: SQLite, Redis, PostgreSQL):
  * every string of every event masked (core.pii.mask_pii: emails, phone numbers, cards,
    IBANs, ID numbers, addresses), user texts, bot texts and entities alike;
  * a slot value with personal data in it sealed instead (core.sealing), so the next turn
    (in any worker) still knows the customer's email; a value sealed under another secret
    reads back as no value, with a warning;
  * under the sender's pseudonym when the sender id is an email or a phone number.
Reading gives the events back with sealed slot values opened. A ticket's summary and
transcript are made from the masked conversation (sealed values are not opened for the
staff: a ticket shows `[email]`), under the sender's pseudonym. This is what domain.yml
`privacy: mask_pii` (on unless set to false) asks of the stores.
"""
from __future__ import annotations

import logging
from typing import Iterable

from core.events import Event, event_from_dict
from core.pii import mask_pii
from core.sealing import Sealer, is_sealed
from core.tracker import Tracker
from stores.handoffs import NORMAL, Ticket

log = logging.getLogger("switchboard.store")


def masked_value(value):
    """`value` (JSON-like) with every string inside it masked (core.pii.mask_pii)."""
    if isinstance(value, str):
        return mask_pii(value)
    if isinstance(value, dict):
        return {k: masked_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked_value(v) for v in value]
    return value


class PrivateStore:
    mask_pii = True

    def __init__(self, inner, sealer: Sealer) -> None:
        self.inner, self.sealer = inner, sealer

    def __getattr__(self, name: str):  # ping, path, close …: the inner store's
        return getattr(self.inner, name)

    def _stored(self, event: Event) -> Event:
        data = event.to_dict()
        masked = masked_value(data)
        if masked == data:
            return event
        if data.get("event") == "slot":
            masked["value"] = self.sealer.seal(data.get("value"))
        return event_from_dict(masked)

    def _opened(self, event: Event) -> Event:
        if event.name != "slot" or not is_sealed(getattr(event, "value", None)):
            return event
        data = event.to_dict()
        try:
            data["value"] = self.sealer.unseal(data["value"])
        except ValueError:
            log.warning("slot '%s' was sealed under another secret (SWITCHBOARD_SECRET or "
                        ".switchboard/secret changed): read as unset", data.get("slot"))
            data["value"] = None
        return event_from_dict(data)

    def load(self, sender_id: str, since: int = 0) -> list[Event]:
        return [self._opened(e) for e in self.inner.load(self.sealer.pseudonym(sender_id), since)]

    def size(self, sender_id: str) -> int:
        return self.inner.size(self.sealer.pseudonym(sender_id))

    def append(self, sender_id: str, events: Iterable[Event]) -> None:
        self.inner.append(self.sealer.pseudonym(sender_id), [self._stored(e) for e in events])

    def senders(self) -> list[str]:
        return self.inner.senders()

    def delete(self, sender_id: str) -> int:
        return self.inner.delete(self.sealer.pseudonym(sender_id))

    def lock(self, sender_id: str):
        return self.inner.lock(self.sealer.pseudonym(sender_id))

    def scan(self, since: float | None = None, keep=None):
        """Every conversation as stored (masked, under pseudonyms, sealed slot values left
        sealed): what analytics reads. A wrapped store without a `scan` of its own (a store
        behind endpoints.yml's lock store) is read sender by sender."""
        scan = getattr(self.inner, "scan", None)
        if scan is not None:
            return scan(since, keep)
        return ((s, [e.to_dict() for e in self.inner.load(s)]) for s in self.inner.senders())


class PrivateQueue:
    """A handoff queue whose tickets keep no personal data (see the module docstring);
    everything else is the wrapped queue's."""

    def __init__(self, inner, sealer: Sealer) -> None:
        self.inner, self.sealer = inner, sealer

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def add(self, tracker: Tracker, reason: str, priority: str = NORMAL,
            notes: tuple[str, ...] = ()) -> Ticket:
        events = [event_from_dict(masked_value(e.to_dict())) for e in tracker.events]
        masked = Tracker(self.sealer.pseudonym(tracker.sender_id), tracker.slot_defs, events)
        return self.inner.add(masked, reason, priority, tuple(mask_pii(n) for n in notes))

    def list(self, status: str | None = "open", sender_id: str | None = None) -> list[Ticket]:
        return self.inner.list(status, self.sealer.pseudonym(sender_id) if sender_id else None)

    def delete_sender(self, sender_id: str) -> int:
        return self.inner.delete_sender(self.sealer.pseudonym(sender_id))

    def claim(self, ticket_id: int, agent: str, force: bool = False) -> Ticket | None:
        """The inner queue's claim (an agent's name is the staff's, not the customer's)."""
        return self.inner.claim(ticket_id, agent, force)
