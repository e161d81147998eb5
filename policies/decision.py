"""`decide`: the one function that picks the bot's next action, with every reason shown.

    decision = decide(tracker, domain, ensemble, rules, rejected={})
    decision.chosen        # Prediction(action, confidence, policy, reason, priority)
    decision.predictions   # what every policy and built-in rule proposed

In this order:
  1. **ends the turn** — after `action_generate`, `action_refuse` or a fallback (the
     built-in one, or RulePolicy's `core_fallback_action_name`) the bot listens (no story
     needs to say so);
  2. the configured policies (config.yml `policies:`) and the built-in rules predict:
     the guardrail (prompt injection → `action_refuse`), the handoff triggers
     (domain.yml `handoff:`) and the NLU fallback (`nlu_fallback` → ask to rephrase);
     predictions of an action that was rejected this turn (a form that could not use the
     message, a grounded answer that failed its checks) are dropped, and so is listening
     before the bot has said anything to the customer's message: the bot always answers
     (the core fallback if nothing else is confident);
  3. `core.prediction.choose`: highest priority, then confidence; below RulePolicy's
     `core_fallback_threshold` nothing is guessed (the core fallback);
  4. **handoff escalation** — a fallback that would be the N-th misunderstanding in a row
     hands over instead (`handoff.fallbacks_before_handoff`);
  5. **knowledge answer** — when the bot would fall back, or answer with a template for
     an intent NLU is unsure of, and a knowledge passage is relevant: `action_generate`
     (if that answer was rejected this turn: the fallback);
  6. **introduction** — a first message of the conversation that would get the fallback
     gets `utter_help` (else `utter_greet`): what the bot can do;
  7. **form re-ask** — a form interrupted this turn asks its question again before the
     bot listens.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable

from core.domain import Domain
from core.prediction import Prediction, choose
from core.tracker import ACTION_LISTEN, Tracker
from policies.handoff import FALLBACK, GuardrailPolicy, HandoffPolicy, NLUFallbackPolicy

# After these the bot always waits for the customer.
ENDS_TURN = ("action_generate", "action_refuse", FALLBACK)
GENERATE = "action_generate"


@dataclass(frozen=True)
class Decision:
    chosen: Prediction
    predictions: tuple[Prediction, ...]


@dataclass
class TurnRules:
    """The built-in rules, configured by domain.yml (`handoff:`, `generation:`) rather than
    by `policies:`. `relevant(text)` returns knowledge hits (`.score`, `.passage.id`), best
    first; None when the project has no knowledge base."""

    guardrail: GuardrailPolicy = field(default_factory=GuardrailPolicy)
    handoff: HandoffPolicy = field(default_factory=HandoffPolicy)  # its `fallbacks` too
    nlu_fallback: NLUFallbackPolicy = field(default_factory=NLUFallbackPolicy)
    relevant: Callable[[str], list[Any]] | None = None


def decide(tracker: Tracker, domain: Domain, ensemble, rules: TurnRules,
           rejected: dict[str, str] | None = None) -> Decision:
    """The bot's next action (see the module docstring for the order of the steps)."""
    rejected = rejected or {}
    fallbacks = rules.handoff.fallbacks
    if (tracker.latest_action in ENDS_TURN or tracker.latest_action in fallbacks) \
            and not tracker.is_new_user_turn:
        chosen = Prediction(ACTION_LISTEN, 1.0, "rules", f"{tracker.latest_action} ends the turn")
        return Decision(_form_reask(tracker, chosen), (chosen,))
    built_in = [rules.guardrail.predict(tracker, domain), rules.handoff.predict(tracker, domain),
                rules.nlu_fallback.predict(tracker, domain)]
    predictions = [p for p in built_in if p is not None]
    predictions += ensemble.predictions(tracker, domain, frozenset(rejected))
    predictions = [p for p in predictions if p.action not in rejected]
    # never silent: until the bot has said something to the customer's message, listening
    # is no answer
    unanswered = tracker.latest_message is not None and not tracker.answered()
    candidates = [p for p in predictions if not (unanswered and p.action == ACTION_LISTEN)]
    fallback = ensemble.fallback
    chosen = choose(candidates, fallback.core_fallback_threshold)
    if chosen.policy == "core_fallback":
        chosen = _core_fallback(chosen, candidates, fallback)
    chosen = rules.handoff.escalate(tracker, domain, chosen)
    chosen = _knowledge(tracker, domain, chosen, rules.relevant, rejected.get(GENERATE), fallbacks)
    chosen = _introduce(tracker, domain, chosen, fallbacks)
    return Decision(_form_reask(tracker, chosen, predictions), tuple(predictions))


INTRODUCTIONS = ("utter_help", "utter_greet")


def _introduce(tracker: Tracker, domain: Domain, chosen: Prediction,
               fallbacks: frozenset[str]) -> Prediction:
    """A first message nothing understood ("yes", "?", "") gets what the bot can do
    (`utter_help`, else `utter_greet`), not a request to rephrase."""
    if chosen.action not in fallbacks or not tracker.is_new_user_turn \
            or len(tracker.user_turns()) != 1:
        return chosen
    response = next((r for r in INTRODUCTIONS if r in domain.responses), None)
    if response is None:
        return chosen
    return Prediction(response, 1.0, "rules", f"first message not understood ({chosen.reason}): "
                      "say what the bot can do")


def _form_reask(tracker: Tracker, chosen: Prediction, predictions=()) -> Prediction:
    """A form interrupted this turn asks its question again before the bot listens, unless
    a story says the bot listens here (MemoizationPolicy remembers that turn: as in Rasa,
    the story wins)."""
    form = tracker.active_loop
    told = any(p.policy == "memoization" and p.action == ACTION_LISTEN for p in predictions)
    if chosen.action == ACTION_LISTEN and form and form not in tracker.actions_since_user() \
            and not told:
        return Prediction(form, 1.0, "rules", f"back to form '{form}' before listening")
    return chosen


def _core_fallback(chosen: Prediction, predictions: list[Prediction], options) -> Prediction:
    """RulePolicy's `enable_fallback_prediction: false` acts on the best guess instead;
    `core_fallback_action_name` names the action that asks to rephrase."""
    if not options.enable_fallback_prediction and predictions:
        best = max(predictions, key=lambda p: (p.priority, p.confidence))
        return replace(best, reason=f"{best.reason}; below the core threshold, but the core "
                       "fallback is disabled (enable_fallback_prediction: false)")
    if options.core_fallback_action_name != FALLBACK:
        return replace(chosen, action=options.core_fallback_action_name)
    return chosen


def _knowledge(tracker: Tracker, domain: Domain, chosen: Prediction, relevant,
               generation_rejected: str | None, fallbacks: frozenset[str]) -> Prediction:
    user = tracker.latest_message
    if relevant is None or not tracker.is_new_user_turn or user is None:
        return chosen
    unsure = (chosen.action.startswith("utter_")
              and user.message.intent.confidence < domain.generation.template_confidence)
    if chosen.action not in fallbacks and not unsure:
        return chosen
    if generation_rejected is not None:
        return Prediction(FALLBACK, 1.0, "core_fallback", f"no grounded answer: {generation_rejected}")
    hits = relevant(user.text)
    if not hits:
        if unsure:  # an unsure template and nothing to ground an answer in: ask instead
            intent = user.message.intent
            return Prediction(FALLBACK, 1.0, "core_fallback",
                              f"NLU unsure of '{intent.name}' ({intent.confidence:.2f} < "
                              f"{domain.generation.template_confidence}) and no passage is relevant")
        return chosen
    best = hits[0]
    return Prediction(GENERATE, best.score, "knowledge",
                      f"no template fits ({chosen.reason}); passage {best.passage.id} "
                      f"scores {best.score:.2f}")
