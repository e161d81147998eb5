"""Reminders: the intents actions asked to trigger later (Rasa's `ReminderScheduled`).

    clock = ReminderClock(fire)                  # fire(sender_id, reminder) when one is due
    clock.track(sender_id, events)               # after every turn: what it scheduled/cancelled
    clock.pending(sender_id)                     # [ReminderScheduled] not yet due
    clock.close()

One daemon thread waits for the earliest due reminder. A reminder of the same name in the
same conversation replaces the earlier one; `ReminderCancelled` removes those matching all
of its given fields; a customer message cancels the ones scheduled before it with
`kill_on_user_message` (Rasa's default), as Rasa does. Reminders live in this process: a
restarted server does not fire the ones an earlier process scheduled (said in the README).
"""
from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from typing import Callable, Iterable

from core.events import Event, ReminderCancelled, ReminderScheduled, UserUttered

log = logging.getLogger("switchboard.reminders")


class ReminderClock:
    def __init__(self, fire: Callable[[str, ReminderScheduled], None],
                 clock: Callable[[], float] = time.time) -> None:
        self._fire = fire
        self._now = clock
        self._pending: dict[tuple[str, str], ReminderScheduled] = {}
        self._heap: list[tuple[float, int, str, ReminderScheduled]] = []
        self._seq = itertools.count()
        self._wake = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None

    def track(self, sender_id: str, events: Iterable[Event]) -> None:
        """Apply a turn's new events, in order."""
        for event in events:
            if isinstance(event, ReminderScheduled):
                self._schedule(sender_id, event)
            elif isinstance(event, ReminderCancelled):
                self._cancel(sender_id, event)
            elif isinstance(event, UserUttered) and event.input_channel != EXTERNAL:
                self._user_spoke(sender_id, event.timestamp)

    def forget(self, sender_id: str) -> None:
        """Drop every pending reminder of the conversation (it was deleted)."""
        with self._wake:
            for key in [k for k in self._pending if k[0] == sender_id]:
                del self._pending[key]

    def pending(self, sender_id: str) -> list[ReminderScheduled]:
        with self._wake:
            return sorted((r for (s, _), r in self._pending.items() if s == sender_id),
                          key=lambda r: r.due)

    def _schedule(self, sender_id: str, reminder: ReminderScheduled) -> None:
        with self._wake:
            self._pending[(sender_id, reminder.reminder)] = reminder
            heapq.heappush(self._heap, (reminder.due, next(self._seq), sender_id, reminder))
            self._start()
            self._wake.notify()

    def _cancel(self, sender_id: str, cancel: ReminderCancelled) -> None:
        wanted = set(cancel.entities)
        with self._wake:
            for key, reminder in list(self._pending.items()):
                if key[0] == sender_id and cancel.reminder in (None, reminder.reminder) \
                        and cancel.intent in (None, reminder.intent) \
                        and wanted <= set(reminder.entities):
                    del self._pending[key]

    def _user_spoke(self, sender_id: str, at: float) -> None:
        with self._wake:
            for key, reminder in list(self._pending.items()):
                if key[0] == sender_id and reminder.kill_on_user_message and reminder.timestamp < at:
                    del self._pending[key]

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="reminders", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._closed and (not self._heap or self._heap[0][0] > self._now()):
                    self._wake.wait(None if not self._heap else max(0.0, self._heap[0][0] - self._now()))
                if self._closed:
                    return
                _, _, sender_id, reminder = heapq.heappop(self._heap)
                key = (sender_id, reminder.reminder)
                if self._pending.get(key) is not reminder:
                    continue  # replaced or cancelled since
            try:  # still pending while its turn runs (pending() waits for it)
                self._fire(sender_id, reminder)
            except Exception:  # noqa: BLE001 - one reminder must not stop the others
                log.exception("reminder '%s' (%s) for %s failed", reminder.reminder,
                              reminder.intent, sender_id)
            with self._wake:
                if self._pending.get(key) is reminder:
                    del self._pending[key]

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify_all()


EXTERNAL = "external"  # the input channel of intents triggered by reminders and the HTTP API
