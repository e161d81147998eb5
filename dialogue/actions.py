"""Run one action and return the events it produces.

Responses (`utter_*`) are rendered from the domain; forms run `dialogue.forms`; the
built-in actions (listen, fallback, handoff, deactivate a form, restart) are here;
anything else is a custom action: a function registered in the project's `actions/`
(dialogue.registry, the fast path), else the project's action server (endpoints.yml
`action_endpoint`, dialogue.action_server). A built-in action that the domain lists under
`actions:` is the project's own when the project runs it (as in Rasa); an action server
without it (HTTP 404) falls back to the built-in one.
A custom action that raises, is missing, or whose server is down or too slow is logged and
answered with an apology: the conversation goes on, and the error is on stderr.
"""
from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from core import hours
from core.domain import Domain
from core.events import ActiveLoop, BotUttered, Event, Handoff, Restarted, SlotSet
from core.tracker import ACTION_LISTEN, Tracker
from dialogue.action_server import Failed, ServerReply
from dialogue.forms import FormActions, Rejected, run_form
from dialogue.rasa_format import events_from_rasa, messages_from_rasa
from stores.handoffs import TicketQueue, triage
from dialogue.registry import ProjectActions
from core.prediction import Prediction
from responses.templates import render_event

log = logging.getLogger("switchboard.actions")

REPHRASE_RESPONSES = ("utter_ask_rephrase", "utter_default")
DID_YOU_MEAN = {"en": " Did you mean:", "zh": "您是想问："}
NOT_OFFERED = ("nlu_fallback", "out_of_scope")
DEFAULT_HANDOFF_TEXT = ("I'm handing you over to a member of our support team. They can see our "
                        "conversation and will reply here as soon as they can.")
# outside business hours with no `handoff: closed_response`: when a human replies, never "now"
CLOSED_TEXT = {
    "en": "Our support team is away at the moment. A member of the team will reply here from "
          "{next_opening}: they'll see our conversation, and if you'd like to leave a message, "
          "just write it here and they'll get it.",
    "zh": "人工客服目前不在线，将于{next_opening}起在这里回复您。同事能看到我们的对话；"
          "如需留言，直接在这里输入即可，同事上线后会看到。",
}


FAILED_TEXT = {
    "en": "Sorry, something went wrong on our side. Could you try again, or ask for a human agent?",
    "zh": "抱歉，我们这边出了点问题。请稍后再试，或者转人工客服。",
}
UNAVAILABLE_TEXT = {
    "en": "Sorry, I can't do that right now: one of our systems isn't responding. Please try "
          "again in a few minutes, or ask for a human agent.",
    "zh": "抱歉，我们的系统暂时无法响应，现在办不了这件事。请过几分钟再试，或者转人工客服。",
}
REFUSAL_TEXT = ("I can't help with that. I can answer questions about orders, deliveries, "
                "returns, payments and your account.")


@dataclass
class ActionRunner:
    domain: Domain
    queue: TicketQueue
    rng: random.Random
    answerer: object = None  # responses.grounded.GroundedAnswerer, when there is a knowledge base
    selector: object = None  # knowledge.selector.ResponseSelector, when there are retrieval intents
    custom: ProjectActions = field(default_factory=ProjectActions)  # the project's actions/
    # the moment business hours are checked at (tests fix it); None: core.hours.now()
    clock: Callable[[], datetime] | None = None

    def __post_init__(self) -> None:
        self.retrieval_actions = set(self.domain.retrieval_actions)  # `utter_faq`…
        self.faq_bases = {a[len("utter_"):] for a in self.retrieval_actions}  # `faq`…
        self.builtins = {
            "action_default_fallback": self.fallback,
            "action_handoff": self.handoff,
            "action_deactivate_loop": lambda t, c: [ActiveLoop(loop=None),
                                                    SlotSet(slot="requested_slot", value=None)],
            "action_restart": lambda t, c: [Restarted()],
            "action_refuse": self.refuse,
            "action_generate": self.generate,
        }

    def run(self, name: str, tracker: Tracker, chosen: Prediction) -> list[Event] | Rejected:
        domain = self.domain
        if name == ACTION_LISTEN:
            return []
        if name in domain.responses:
            event = render_event(domain, name, tracker.slots, self.rng, *tracker.audience)
            return [event] if event else []
        if name in domain.forms:
            return run_form(domain.forms[name], tracker, domain, self.rng, self.custom.validators,
                            self.form_actions())
        if name in self.retrieval_actions:
            return self.retrieval_response(name, tracker)
        builtin = self.builtins.get(name)
        if builtin and not self.project_own(name):
            return builtin(tracker, chosen)
        result = self.custom_action(name, tracker)
        if isinstance(result, Failed):
            if result.not_found and builtin:
                log.info("the action server has no '%s': the built-in one runs", name)
                return builtin(tracker, chosen)
            log.error("action '%s' did not run: %s", name, result.reason)
            return [BotUttered(text=_in(UNAVAILABLE_TEXT if self.custom.server else FAILED_TEXT,
                                        tracker))]
        return result

    def project_own(self, name: str) -> bool:
        """Whether the project runs `name` itself: listed under the domain's `actions:` and
        registered in actions/ or (with an action server) served there."""
        return name in self.domain.actions and self.custom.served(name)

    def custom_action(self, name: str, tracker: Tracker, extra: list | tuple = ()
                      ) -> list[Event] | Rejected | Failed:
        """A custom action's events: the registered function, else the action server's
        reply (`extra`: events appended to what the server sees, e.g. slot candidates)."""
        function = self.custom.actions.get(name)
        if function is not None:
            try:
                return list(function(tracker, self.domain) or [])
            except Exception:  # noqa: BLE001 - a bug in a custom action must not end the chat
                log.exception("custom action '%s' failed", name)
                return [BotUttered(text=_in(FAILED_TEXT, tracker))]
        server = self.custom.server
        if server is None:
            return Failed(f"'{name}' is not registered in the project's actions/ and "
                          "endpoints.yml has no action_endpoint")
        reply = server.call(name, tracker, self.domain, extra)
        if not isinstance(reply, ServerReply):
            return reply
        replies, missing = messages_from_rasa(reply.responses, self.domain, tracker, self.rng)
        for response in missing:
            log.warning("action '%s' asked for the response '%s', which domain.yml does not have",
                        name, response)
        converted = events_from_rasa(reply.events, self.domain)
        if converted.ignored:
            log.warning("action '%s' returned events Switchboard does not apply: %s", name,
                        ", ".join(sorted(set(converted.ignored))))
        return [*replies, *converted.events]

    def form_actions(self) -> FormActions:
        """The project's own actions as a form calls them (validate_<form>, action_ask_*)."""
        def call(name: str, tracker: Tracker, extra: list):
            result = self.custom_action(name, tracker, extra)
            if isinstance(result, Failed):
                log.error("form action '%s' did not run: %s", name, result.reason)
                return None
            return result
        return FormActions(call=call, has=self.project_own)

    def fallback(self, tracker: Tracker, chosen: Prediction) -> list[Event]:
        """Ask to rephrase, offering the two likeliest intents as buttons."""
        name = next((r for r in REPHRASE_RESPONSES if r in self.domain.responses), None)
        event = render_event(self.domain, name, tracker.slots, self.rng, *tracker.audience) if name else None
        text = event.text if event else "Sorry, I didn't quite get that. Could you rephrase?"
        buttons = ()
        user = tracker.latest_message
        # the titles are the intent names humanized ("Order status"): English words, so a
        # customer writing in another language gets the rephrase request alone
        if user is not None and (tracker.language or "en").startswith("en") \
                and not (user.message.fallback and user.message.fallback.foreign):
            top = [s for s in user.message.intent_ranking
                   if s.name not in NOT_OFFERED and s.name not in self.faq_bases][:2]
            buttons = tuple((_humanize(s.name), f"/{s.name}") for s in top)
        did_you_mean = DID_YOU_MEAN.get(_language(tracker) or "en", DID_YOU_MEAN["en"])
        return [BotUttered(text=text + (did_you_mean if buttons else ""), buttons=buttons,
                           response=name)]

    def retrieval_response(self, name: str, tracker: Tracker) -> list[Event]:
        """`utter_faq`: the response of the sub-intent the selector picks (`utter_faq/x`)."""
        user = tracker.latest_message
        base = name[len("utter_"):]
        selection = self.selector.select(user.text, base) if self.selector and user else None
        if selection is None or not selection.trusted:
            from core.pii import mask_pii

            log.info("no trusted FAQ for %r: %s", mask_pii(user.text) if user else "", selection)
            return self.fallback(tracker, Prediction(name, 0.0, "rules", "no FAQ selected"))
        response = f"utter_{selection.intent}"
        event = render_event(self.domain, response, tracker.slots, self.rng, *tracker.audience)
        if event is None:
            log.warning("no response %s for the selected FAQ", response)
            return self.fallback(tracker, Prediction(name, 0.0, "rules", "missing FAQ response"))
        custom = {"retrieval_intent": selection.intent, "confidence": round(selection.confidence, 3)}
        return [BotUttered(text=event.text, buttons=event.buttons, response=response, custom=custom)]

    def refuse(self, tracker: Tracker, chosen: Prediction) -> list[Event]:
        log.info("refused a message (%s)", chosen.reason)  # expected behaviour, not a fault
        event = render_event(self.domain, "utter_refuse", tracker.slots, self.rng, *tracker.audience)
        return [event or BotUttered(text=REFUSAL_TEXT, response="action_refuse")]

    def generate(self, tracker: Tracker, chosen: Prediction) -> list[Event] | Rejected:
        """A grounded answer from the knowledge base, or Rejected (the caller falls back)."""
        from responses.grounded import Declined

        user = tracker.latest_message
        if self.answerer is None or user is None:
            return Rejected("no knowledge base is trained")
        summary = "intents so far: " + ", ".join(tracker.intent_history()[-5:])
        result = self.answerer.answer(user.text, summary, tracker.slots)
        if isinstance(result, Declined):
            log.info("generation declined: %s", result.reason)
            return Rejected(result.reason)
        sources = [{"id": h.passage.id, "source": h.passage.source, "score": round(h.score, 3)}
                   for h in result.hits if h.passage.id in result.citations]
        return [BotUttered(text=result.text, response="action_generate", custom={
            "citations": list(result.citations), "sources": sources, "backend": result.backend,
            "first_piece_ms": round(result.first_piece_ms, 1), "total_ms": round(result.total_ms, 1)})]

    def handoff(self, tracker: Tracker, chosen: Prediction) -> list[Event]:
        """File a ticket (with its priority, see `stores.handoffs.triage`) and tell the
        customer what happens next. Outside business hours the ticket is filed all the same
        (agents see it when they come in) and the bot says when a human will reply."""
        config = self.domain.handoff
        now = (self.clock or hours.now)()
        closed = config.business_hours is not None and not config.business_hours.is_open(now)
        opening = config.business_hours.next_opening(now) if closed else None
        priority, notes = triage(tracker, config)
        if closed:
            when = f"next opening {hours.format_opening(opening)}" if opening else "no opening hours"
            notes += (f"filed outside business hours, {when}",)
        ticket = self.queue.add(tracker, chosen.reason, priority, notes)
        notice = self._closed_notice(tracker, now, opening) if closed else self._handoff_notice(tracker)
        return [notice, Handoff(reason=chosen.reason, summary=ticket.summary, ticket=str(ticket.id))]

    def _handoff_notice(self, tracker: Tracker) -> BotUttered:
        name = self.domain.handoff.response
        event = render_event(self.domain, name, tracker.slots, self.rng, *tracker.audience) if name else None
        return event or BotUttered(text=DEFAULT_HANDOFF_TEXT)

    def _closed_notice(self, tracker: Tracker, now: datetime, opening: datetime | None) -> BotUttered:
        """`handoff.closed_response` (or a built-in sentence) with `{next_opening}` filled
        in the team's timezone, in the customer's language. Without any opening (every day
        closed) the built-in notice that promises no time, not the domain's handoff response
        (which may say "right now")."""
        if opening is None:
            return BotUttered(text=DEFAULT_HANDOFF_TEXT)
        language = tracker.audience[0]
        slots = {**tracker.slots, "next_opening": hours.format_opening(opening, now, language)}
        name = self.domain.handoff.closed_response
        event = render_event(self.domain, name, slots, self.rng, *tracker.audience) if name else None
        text = CLOSED_TEXT.get(language or "en", CLOSED_TEXT["en"])
        return event or BotUttered(text=text.format(next_opening=slots["next_opening"]))


def _humanize(intent: str) -> str:
    return intent.replace("/", ": ").replace("_", " ").capitalize()


def _language(tracker: Tracker) -> str | None:
    return tracker.language


def _in(texts: dict[str, str], tracker: Tracker) -> str:
    """The text in the conversation's language (English when there is none for it)."""
    language = (_language(tracker) or "en").split("-")[0]
    return texts.get(language, texts["en"])

