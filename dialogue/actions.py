"""Run one action and return the events it produces.

Responses (`utter_*`) are rendered from the domain; forms run `dialogue.forms`; the
built-in actions (listen, fallback, handoff, deactivate a form, restart) are here;
anything else is a custom action from the project's `actions/` (dialogue.registry).
A custom action that raises is logged and answered with an apology: the conversation
goes on, and the error is visible on stderr.
"""
from __future__ import annotations

import logging
import random
from dataclasses import dataclass

from core.domain import Domain
from core.events import ActiveLoop, BotUttered, Event, Handoff, Restarted, SlotSet
from core.tracker import ACTION_LISTEN, Tracker
from dialogue.forms import Rejected, run_form
from dialogue.handoff import HandoffQueue
from dialogue.registry import ACTIONS
from policies.prediction import Prediction
from responses.templates import render_event

log = logging.getLogger("switchboard.actions")

REPHRASE_RESPONSES = ("utter_ask_rephrase", "utter_default")
NOT_OFFERED = ("nlu_fallback", "out_of_scope")
DEFAULT_HANDOFF_TEXT = ("I'm handing you over to a member of our support team. They can see our "
                        "conversation and will reply here as soon as they can.")


@dataclass
class ActionRunner:
    domain: Domain
    queue: HandoffQueue
    rng: random.Random

    def run(self, name: str, tracker: Tracker, chosen: Prediction) -> list[Event] | Rejected:
        domain = self.domain
        if name == ACTION_LISTEN:
            return []
        if name in domain.responses:
            event = render_event(domain, name, tracker.slots, self.rng, _language(tracker))
            return [event] if event else []
        if name in domain.forms:
            return run_form(domain.forms[name], tracker, domain, self.rng)
        builtin = {
            "action_default_fallback": self.fallback,
            "action_handoff": self.handoff,
            "action_deactivate_loop": lambda t, c: [ActiveLoop(loop=None),
                                                    SlotSet(slot="requested_slot", value=None)],
            "action_restart": lambda t, c: [Restarted()],
        }.get(name)
        if builtin:
            return builtin(tracker, chosen)
        custom = ACTIONS.get(name)
        if custom is None:
            log.warning("action '%s' is not registered in the project's actions/", name)
            return []
        try:
            return list(custom(tracker, domain) or [])
        except Exception:  # noqa: BLE001 - a bug in a custom action must not end the chat
            log.exception("custom action '%s' failed", name)
            return [BotUttered(text="Sorry, something went wrong on our side. "
                                    "Could you try again, or ask for a human agent?")]

    def fallback(self, tracker: Tracker, chosen: Prediction) -> list[Event]:
        """Ask to rephrase, offering the two likeliest intents as buttons."""
        name = next((r for r in REPHRASE_RESPONSES if r in self.domain.responses), None)
        event = render_event(self.domain, name, tracker.slots, self.rng) if name else None
        text = event.text if event else "Sorry, I didn't quite get that. Could you rephrase?"
        buttons = ()
        user = tracker.latest_message
        if user is not None:
            top = [s for s in user.message.intent_ranking if s.name not in NOT_OFFERED][:2]
            buttons = tuple((_humanize(s.name), f"/{s.name}") for s in top)
        return [BotUttered(text=text + (" Did you mean:" if buttons else ""), buttons=buttons,
                           response=name)]

    def handoff(self, tracker: Tracker, chosen: Prediction) -> list[Event]:
        ticket = self.queue.add(tracker, chosen.reason)
        name = self.domain.handoff.response
        event = render_event(self.domain, name, tracker.slots, self.rng) if name else None
        notice = event or BotUttered(text=DEFAULT_HANDOFF_TEXT)
        return [notice, Handoff(reason=chosen.reason, summary=ticket.summary, ticket=str(ticket.id))]


def _humanize(intent: str) -> str:
    return intent.replace("/", ": ").replace("_", " ").capitalize()


def _language(tracker: Tracker) -> str | None:
    user = tracker.latest_message
    return user.message.language if user else None
