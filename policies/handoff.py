"""Handoff triggers and the NLU fallback, as policies.

`HandoffPolicy` (above every policy but the guardrail) predicts `action_handoff` right after a customer
message when:
  * its intent is one of `handoff.trigger_intents` (the customer asked for a human);
  * it is the `handoff.fallbacks_before_handoff`-th message in a row the bot could not
    understand (NLU fallback, or a turn that ended in the core fallback);
  * it is the `handoff.frustrated_messages_before_handoff`-th frustrated message in a row
    (frustration ≥ `handoff.frustration_threshold`, see nlu.frustration).
`NLUFallbackPolicy` answers `nlu_fallback` (low NLU confidence) with
`action_default_fallback`: ask to rephrase, offering the top two intents.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.domain import Domain
from core.events import ActionExecuted, UserUttered
from core.message import NLU_FALLBACK
from nlu.gibberish import has_content
from core.tracker import Tracker
from core.prediction import Prediction

HANDOFF = "action_handoff"
FALLBACK = "action_default_fallback"


def misunderstood_in_a_row(tracker: Tracker, skip_latest: bool = False,
                           fallbacks: frozenset[str] = frozenset({FALLBACK})) -> int:
    """How many of the latest user messages, counting back, the bot could not understand.

    An earlier message counts when its turn ended in the fallback (the bot asked to
    rephrase), not when NLU was unsure but the bot still answered it (from the knowledge
    base, or by refusing an injection); a message with no letter or digit never counts. The message being answered now counts when NLU
    said `nlu_fallback`; `skip_latest` leaves it out. `fallbacks`: the actions that ask to
    rephrase (RulePolicy's `core_fallback_action_name` too). Reads back only as far as the
    run goes."""
    count, fell_back, latest = 0, False, True
    for event in tracker.latest_first():
        if isinstance(event, ActionExecuted) and event.action in fallbacks:
            fell_back = True
        elif isinstance(event, UserUttered):
            unanswered = latest and tracker.is_new_user_turn and event.intent == NLU_FALLBACK
            if (latest and skip_latest) or not has_content(event.text):
                pass  # "", "?", "...": nothing to misunderstand, so neither counted nor a break
            elif fell_back or unanswered:
                count += 1
            else:
                break
            latest, fell_back = False, False
    return count


@dataclass
class HandoffPolicy:
    # the actions that ask to rephrase: the built-in one and RulePolicy's core fallback
    fallbacks: frozenset[str] = frozenset({FALLBACK})
    name = "handoff"

    def predict(self, tracker: Tracker, domain: Domain) -> Prediction | None:
        if not tracker.is_new_user_turn or tracker.latest_message is None:
            return None
        config = domain.handoff
        user = tracker.latest_message
        if user.intent in config.trigger_intents:
            return Prediction(HANDOFF, 1.0, self.name, f"the customer asked for a human ({user.intent})")
        if user.message.asks_for_human and config.trigger_intents:
            return Prediction(HANDOFF, 1.0, self.name,
                              f"the customer asked for a human (in a {user.intent} message)")
        misunderstood = misunderstood_in_a_row(tracker, fallbacks=self.fallbacks)
        if user.intent == NLU_FALLBACK and misunderstood >= config.fallbacks_before_handoff:
            return Prediction(HANDOFF, 1.0, self.name,
                              f"{misunderstood} messages in a row not understood")
        frustrated = tracker.in_a_row(lambda t: t.frustration >= config.frustration_threshold)
        if frustrated >= config.frustrated_messages_before_handoff:
            return Prediction(HANDOFF, 1.0, self.name,
                              f"{frustrated} frustrated messages in a row")
        return None

    def escalate(self, tracker: Tracker, domain: Domain, chosen: Prediction) -> Prediction:
        """A core fallback that would be the N-th misunderstanding in a row becomes a handoff."""
        if chosen.action not in self.fallbacks or not tracker.is_new_user_turn:
            return chosen
        earlier = misunderstood_in_a_row(tracker, skip_latest=True, fallbacks=self.fallbacks)
        if earlier + 1 >= domain.handoff.fallbacks_before_handoff:
            return Prediction(HANDOFF, 1.0, self.name,
                              f"{earlier + 1} messages in a row not understood")
        return chosen


@dataclass
class NLUFallbackPolicy:
    name = "fallback"

    def predict(self, tracker: Tracker, domain: Domain) -> Prediction | None:
        user = tracker.latest_message
        if user is None or not tracker.is_new_user_turn or user.intent != NLU_FALLBACK:
            return None
        fallback = user.message.fallback
        if fallback is None:  # a payload `/nlu_fallback`, or a project's own classifier
            return Prediction(FALLBACK, 1.0, self.name, "not understood (nlu_fallback)")
        return Prediction(FALLBACK, 1.0, self.name,
                          f"not understood: {fallback.predicted or '?'} "
                          f"({fallback.confidence:.2f}), {fallback.reason}")


@dataclass
class GuardrailPolicy:
    """Prompt-injection attempts and requests for the system prompt are refused outright
    (`action_refuse`), whatever intent NLU saw in them."""

    name = "guardrail"

    def predict(self, tracker: Tracker, domain: Domain) -> Prediction | None:
        from nlu.injection import injection_reason

        user = tracker.latest_message
        if user is None or not tracker.is_new_user_turn:
            return None
        reason = injection_reason(user.text)
        return Prediction("action_refuse", 1.0, self.name, reason) if reason else None
