"""The rule policy: follow data/rules.yml exactly, and keep an active form going.

A rule is a short sequence of turns (user intents and bot actions) with checks on the
conversation's state (`condition`, `slot_was_set`, `active_loop` steps). When the latest
turns of the conversation are exactly the start of a rule, the rule's next action is
predicted; at its end the bot listens (unless `wait_for_user_input: false`).
Among matching rules, the longest wins, then the one whose condition checks more (the
most specific).

Forms: right after the customer speaks while a form is active, the form runs again,
unless a rule written for that form and this intent says otherwise (the unhappy paths),
or the form has just said it cannot use the message (`loop_rejected`). A yes / no to the
form's own confirmation question (`confirm_known`) always goes to the form.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum

from core.domain import YES_NO, Domain
from core.events import ActionExecuted, ActiveLoop, Restarted, SessionStarted, SlotSet, UserUttered
from core.tracker import ACTION_LISTEN, Tracker
from core.training_data import Story, StoryStep
from core.prediction import Prediction


@dataclass(frozen=True)
class Token:
    """One turn: the customer's intent (kind 'user') or an action the bot ran."""

    kind: str  # "user" | "action"
    name: str
    entities: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True)
class Snapshot:
    """The state after a turn (and the slot / form events that followed it)."""

    slots: dict
    loop: str | None
    entities: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Check:
    slots: tuple[tuple[str, object], ...] = ()
    loop: str | None = None  # "" means "no form active"
    loop_checked: bool = False

    def holds(self, snap: Snapshot) -> bool:
        if self.loop_checked and (snap.loop or "") != self.loop:
            return False
        return all(_slot_matches(snap.slots.get(name), value) for name, value in self.slots)


class _Any(Enum):
    HAS_VALUE = "has a value"  # a slot check that only asks for a value, whichever (pickles)


HAS_VALUE = _Any.HAS_VALUE


def _slot_matches(actual: object, expected: object) -> bool:
    if expected is HAS_VALUE:
        return actual is not None
    if expected is None:
        return actual is None
    return str(actual).lower() == str(expected).lower() if actual is not None else False


@dataclass(frozen=True)
class CompiledRule:
    name: str
    tokens: tuple[Token, ...]
    checks: tuple[Check, ...]  # checks[i] applies after tokens[i]
    condition: Check
    conversation_start: bool
    wait_for_user_input: bool


def compile_rule(rule: Story) -> CompiledRule:
    condition = Check()
    for step in rule.conditions:
        condition = _merge(condition, step)
    tokens: list[Token] = []
    checks: list[Check] = []
    pending = Check()
    for step in rule.steps:
        if step.kind in ("intent", "action"):
            if tokens:
                checks.append(pending)
            else:  # checks before the first turn act as conditions
                condition = _combine(condition, pending)
            pending = Check()
            tokens.append(Token("user" if step.kind == "intent" else "action", step.name,
                                step.entities))
        else:
            pending = _merge(pending, step)
    checks.append(pending)
    return CompiledRule(rule.name, tuple(tokens), tuple(checks), condition,
                        rule.conversation_start, rule.wait_for_user_input)


def _expected(domain: Domain, name: str, value: object) -> object:
    """What a rule's `slot_was_set` asks of the slot, read as Rasa featurises it: a text or
    list slot only as set / not set (`order_id: "48213"` holds for any order number), a
    bare `- name` as "has a value", any other value as that value."""
    slot = domain.slots.get(name)
    kind = slot.type if slot is not None else None
    if value is None:
        return None
    if kind in ("text", "list") or (value is True and kind != "bool"):
        return HAS_VALUE
    return value


def for_domain(rule: CompiledRule, domain: Domain) -> CompiledRule:
    """The rule with its slot checks read for this domain's slot types (`_expected`)."""
    def read(check: Check) -> Check:
        return replace(check, slots=tuple((n, _expected(domain, n, v)) for n, v in check.slots))
    return replace(rule, checks=tuple(read(c) for c in rule.checks), condition=read(rule.condition))


def _combine(first: Check, then: Check) -> Check:
    """Both checks; where both name the active form, `then` wins."""
    if then.loop_checked:
        return Check(first.slots + then.slots, then.loop, True)
    return Check(first.slots + then.slots, first.loop, first.loop_checked)


def _merge(check: Check, step: StoryStep) -> Check:
    if step.kind == "slot_was_set":
        return Check(check.slots + step.slots, check.loop, check.loop_checked)
    if step.kind == "active_loop":
        return Check(check.slots, step.name, True)
    return check


def tracker_turns(tracker: Tracker) -> tuple[list[Token], list[Snapshot], Snapshot]:
    """The current session as turns, the state after each, and the state before the first.

    Incremental like `policies.states.history`: only events appended since the last call
    are processed. Snapshots share their slot dicts until a slot changes."""
    cache = getattr(tracker, "_turns_cache", None)
    if cache is None or cache[0] > len(tracker.events):
        slots = {n: s.initial_value for n, s in tracker.slot_defs.items()}
        cache = (0, [], [], Snapshot(dict(slots), None), slots, None)
    done, tokens, snaps, initial, slots, loop = cache
    for event in tracker.events[done:]:
        if isinstance(event, (Restarted, SessionStarted)):
            slots = {n: s.initial_value for n, s in tracker.slot_defs.items()}
            tokens, snaps, loop = [], [], None
            initial = Snapshot(dict(slots), loop)
        elif isinstance(event, UserUttered):
            entities = tuple((e.entity, e.value) for e in event.message.entities)
            tokens.append(Token("user", event.intent))
            snaps.append(Snapshot(slots, loop, entities))
        elif isinstance(event, ActionExecuted) and event.action != ACTION_LISTEN:
            tokens.append(Token("action", event.action))
            snaps.append(Snapshot(slots, loop))
        elif isinstance(event, (SlotSet, ActiveLoop)):
            if isinstance(event, SlotSet):
                slots = {**slots, event.slot: event.value}  # a new dict: older snapshots keep theirs
            else:
                loop = event.loop
            if snaps:
                snaps[-1] = Snapshot(slots, loop, snaps[-1].entities)
            else:
                initial = Snapshot(dict(slots), loop)
    tracker._turns_cache = (len(tracker.events), tokens, snaps, initial, slots, loop)
    return tokens, snaps, initial


@dataclass
class RulePolicy:
    rules: list[CompiledRule] = field(default_factory=list)
    priority: int = 6
    name = "rules"

    @classmethod
    def from_options(cls, options) -> "RulePolicy":  # policies.registry.RuleOptions
        return cls(priority=options.priority)

    def train(self, data, domain: Domain) -> dict:
        """Compile `data.rules` (a policies.registry.PolicyData)."""
        self.rules = [for_domain(compile_rule(rule), domain) for rule in data.rules]
        return {"rules": len(self.rules)}

    def predict(self, tracker: Tracker, domain: Domain,
                rejected: frozenset[str] = frozenset()) -> Prediction | None:
        loop_rejected = bool(tracker.active_loop) and tracker.active_loop in rejected
        tokens, snaps, initial = tracker_turns(tracker)
        best: tuple[int, CompiledRule, str] | None = None
        for rule in self.rules:
            for length in range(1, len(rule.tokens) + 1):
                if not self._matches(rule, length, tokens, snaps, initial):
                    continue
                action = self._next_action(rule, length)
                if action is None:
                    continue
                if loop_rejected and action == tracker.active_loop:
                    continue
                specificity = length * 10 + min(9, _size(rule.condition))
                if best is None or specificity > best[0]:
                    best = (specificity, rule, action)
        form = self._continue_form(tracker, loop_rejected)
        if form and (not (best and _written_for_form(best[1], tracker.active_loop))
                     or _answers_confirmation(tracker, domain)):
            return form
        if best is None:
            return None
        return Prediction(best[2], 1.0, self.name, f"rule '{best[1].name}'")

    @staticmethod
    def _continue_form(tracker: Tracker, loop_rejected: bool) -> Prediction | None:
        """An active form runs on each new message, and waits for the answer after asking."""
        form = tracker.active_loop
        if not form:
            return None
        if tracker.is_new_user_turn and not loop_rejected:
            return Prediction(form, 1.0, "rules", f"form '{form}' is active")
        if tracker.latest_action == form:
            return Prediction(ACTION_LISTEN, 1.0, "rules", f"form '{form}' waits for the answer")
        return None

    @staticmethod
    def _next_action(rule: CompiledRule, length: int) -> str | None:
        if length < len(rule.tokens):
            following = rule.tokens[length]
            return following.name if following.kind == "action" else ACTION_LISTEN
        return ACTION_LISTEN if rule.wait_for_user_input else None

    @staticmethod
    def _matches(rule: CompiledRule, length: int, tokens: list[Token], snaps: list[Snapshot],
                 initial: Snapshot) -> bool:
        if length > len(tokens):
            return False
        offset = len(tokens) - length
        if rule.conversation_start and offset != 0:
            return False
        for i in range(length):
            want, got = rule.tokens[i], tokens[offset + i]
            if want.kind != got.kind or want.name != got.name:
                return False
            if want.kind == "user" and not _entities_match(want.entities, snaps[offset + i].entities):
                return False
            if not rule.checks[i].holds(snaps[offset + i]):
                return False
        before = snaps[offset - 1] if offset else initial
        condition = rule.condition
        first = rule.tokens[0]
        if condition.loop_checked and first.kind == "action" and first.name == condition.loop:
            # `condition: active_loop: F` on a rule that starts with form F running: the
            # form was active while it ran, even if it was activated and completed at once.
            condition = Check(condition.slots)
        return condition.holds(before)


def _size(check: Check) -> int:
    """How much a condition asks: the rule with more checks is the more specific."""
    return len(check.slots) + (1 if check.loop_checked else 0)


def _answers_confirmation(tracker: Tracker, domain: Domain) -> bool:
    """A yes / no right after the form asked to confirm a remembered value is the form's
    (not an unhappy path's: "no" means "not that order", not "stop the return")."""
    form = domain.forms.get(tracker.active_loop or "")
    user = tracker.latest_message
    return bool(form and user and tracker.is_new_user_turn and form.confirming(tracker.slots)
                and user.intent in YES_NO)


def _written_for_form(rule: CompiledRule, form: str | None) -> bool:
    """Whether the rule is an unhappy path written for the active form."""
    return rule.condition.loop_checked and rule.condition.loop == form


def _entities_match(wanted: tuple[tuple[str, str | None], ...],
                    found: tuple[tuple[str, str], ...]) -> bool:
    for entity, value in wanted:
        if not any(e == entity and (value is None or str(v) == value) for e, v in found):
            return False
    return True
