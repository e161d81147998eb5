"""Conversation tests: replay `tests/test_stories.yml` against the trained assistant.

Two ways, as `cli.py test` offers them:

* **replay** (the default, what `rasa test` does): the story is the conversation. Each user
  step's text goes through the real NLU and its intent (and the entities it marks) must come
  out; then the story's own events are what happened: at each action step the policies
  predict the next action and the prediction is scored against the story's, and the story's
  action, `slot_was_set` and `active_loop` steps are applied as written (a form does not run
  and wait; a custom action is not called). Before each later user step the bot must predict
  `action_listen`. Every prediction is scored, so one story can fail at several steps.
  A replayed response (`utter_*`) is rendered, any other action leaves an empty bot turn,
  so the policies see what a live conversation would have shown them.
* **live** (`--live`): every turn runs for real (NLU, policies, forms, the project's actions
  and its action server); the intent and the actions must be the ones the story lists, and
  its `slot_was_set` / `active_loop` steps must hold after the turn. A story stops at its
  first wrong turn.
"""
from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field, replace

from core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from core.message import Entity, IntentScore, Message
from core.story_graph import MAX_VARIANTS, stitch_checkpoints, variants
from core.tracker import ACTION_LISTEN, Tracker
from core.training_data import Story, StoryStep
from dialogue.agent import Agent
from policies.decision import decide
from policies.rules import _slot_matches
from responses.templates import render_event


@dataclass(frozen=True)
class Failure:
    story: str
    where: str  # file:line of the wrong step
    turn: int  # 1-based user turn
    text: str
    expected: str
    got: str


@dataclass(frozen=True)
class Scored:
    """One step of a replayed story, with what the assistant predicted there (None: right)."""

    step: StoryStep
    predicted: str | None = None


@dataclass
class StoryTestReport:
    passed: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    actions_total: int = 0
    actions_correct: int = 0
    # replay: (gold action, predicted action) at every scored step, for the report
    predictions: list[tuple[str, str]] = field(default_factory=list)
    # replay: each failed story as its steps, each with what was predicted instead
    failed_stories: list[tuple[Story, list[Scored]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def _turns(story: Story) -> list[tuple[StoryStep | None, list[StoryStep]]]:
    """[(user step, the steps that follow it until the next user step)]."""
    turns: list[tuple[StoryStep | None, list[StoryStep]]] = []
    for step in story.steps:
        if step.kind == "intent":
            turns.append((step, []))
        elif turns:
            turns[-1][1].append(step)
        else:
            turns.append((None, [step]))
    return turns


def _user_text(step: StoryStep) -> str:
    if step.user_text is not None:
        return step.user_text
    entities = {name: value for name, value in step.entities if value is not None}
    return f"/{step.name}" + (json.dumps(entities) if entities else "")


def run_story(agent: Agent, story: Story, report: StoryTestReport) -> Failure | None:
    sender = f"test:{story.name}"
    agent.store.delete(sender)
    for number, (user, following) in enumerate(_turns(story), start=1):
        if user is None:
            continue  # a story may open with bot steps; nothing to replay
        text = _user_text(user)
        result = agent.handle(sender, text)
        where = str(user.source) if user.source else story.name
        if user.name and result.message.intent.name != user.name:
            return Failure(story.name, where, number, text, f"intent {user.name}",
                           f"intent {result.message.intent.name} ({result.message.intent.confidence:.2f})")
        expected = [s.name for s in following if s.kind == "action"]
        got = result.actions
        report.actions_total += len(expected)
        report.actions_correct += sum(a == b for a, b in zip(expected, got))
        if got != expected:
            first = next((s for s in following if s.kind == "action"), user)
            return Failure(story.name, str(first.source or where), number, text,
                           "actions " + (", ".join(expected) or "(none)"),
                           "actions " + (", ".join(got) or "(none)"))
        tracker = agent.tracker(sender)
        for step in following:
            if step.kind == "slot_was_set":
                for name, value in step.slots:
                    if name == "requested_slot" and tracker.active_loop is None and value is None:
                        continue
                    actual = tracker.slots.get(name)
                    if not _slot_matches(actual, value):
                        return Failure(story.name, str(step.source), number, text,
                                       f"slot {name} = {value!r}", f"slot {name} = {actual!r}")
            elif step.kind == "active_loop" and (tracker.active_loop or "") != step.name:
                return Failure(story.name, str(step.source), number, text,
                               f"active form {step.name or 'none'}",
                               f"active form {tracker.active_loop or 'none'}")
    return None


def stories_to_run(stories: list[Story]) -> list[Story]:
    """The stories to run: checkpoints joined, one story per `or` alternative."""
    out = []
    for story in stitch_checkpoints(stories):
        steps = list(itertools.islice(variants(story.steps), MAX_VARIANTS))
        out += [story] if len(steps) == 1 else [
            replace(story, name=f"{story.name} (or: {i + 1})", steps=variant)
            for i, variant in enumerate(steps)]
    return out


def run_story_tests(agent: Agent, stories: list[Story], live: bool = False) -> StoryTestReport:
    report = StoryTestReport()
    for story in stories_to_run(stories):
        failure = run_story(agent, story, report) if live else replay_story(agent, story, report)
        if failure:
            report.failures.append(failure)
        else:
            report.passed.append(story.name)
    return report


# ----- replay, as `rasa test` does -------------------------------------------------------

def replay_story(agent: Agent, story: Story, report: StoryTestReport) -> Failure | None:
    tracker = Tracker(f"test:{story.name}", dict(agent.domain.slots))
    tracker.append(ActionExecuted(action=ACTION_LISTEN))
    scored: list[Scored] = []
    first: Failure | None = None
    turn = 0
    listening = True

    def score(gold: str, step: StoryStep, text: str) -> None:
        nonlocal first
        predicted = decide(tracker, agent.domain, agent.policies, agent.rules).chosen.action
        if predicted != gold and predicted == tracker.active_loop and predicted in agent.domain.forms:
            # as `rasa test` does: the form might have rejected the message (nothing to
            # fill), so the decision is taken again without it
            predicted = decide(tracker, agent.domain, agent.policies, agent.rules,
                               {predicted: "the story shows the form could not use it"}).chosen.action
        report.actions_total += 1
        report.actions_correct += predicted == gold
        report.predictions.append((gold, predicted))
        if predicted != gold:
            scored.append(Scored(step, predicted))
            if first is None:
                first = Failure(story.name, str(step.source or story.name), turn, text,
                                f"action {gold}", f"action {predicted}")
        elif step.kind == "action":
            scored.append(Scored(step))

    text = ""
    for step in story.steps:
        if step.kind == "intent":
            if not listening:  # the bot should have stopped and listened here
                score(ACTION_LISTEN, StoryStep("action", ACTION_LISTEN, source=step.source), text)
                tracker.append(ActionExecuted(action=ACTION_LISTEN))
            turn += 1
            text = _user_text(step)
            message, wrong = _understood(agent, step, text)
            scored.append(Scored(step, wrong))
            if wrong and first is None:
                first = Failure(story.name, str(step.source or story.name), turn, text,
                                _expected_nlu(step), wrong)
            user = UserUttered(message=message)
            tracker.append(user)
            tracker.extend(agent.slots_from_message(tracker, user))
            listening = False
        elif step.kind == "action":
            if step.name != ACTION_LISTEN:
                score(step.name, step, text)
            tracker.append(ActionExecuted(action=step.name))
            event = render_event(agent.domain, step.name, tracker.slots, agent.rng, *tracker.audience) \
                if step.name in agent.domain.responses else None
            if step.name != ACTION_LISTEN:
                tracker.append(event or BotUttered(text="", custom={"replayed": step.name}))
            listening = step.name == ACTION_LISTEN
        elif step.kind == "slot_was_set":
            tracker.extend(SlotSet(slot=name, value=value) for name, value in step.slots)
            scored.append(Scored(step))
        elif step.kind == "active_loop":
            tracker.append(ActiveLoop(loop=step.name or None))
            scored.append(Scored(step))
        elif step.kind == "bot":
            tracker.append(BotUttered(text=step.name))
            scored.append(Scored(step))
    if first is not None:
        report.failed_stories.append((story, scored))
    return first


def _understood(agent: Agent, step: StoryStep, text: str) -> tuple[Message, str | None]:
    """The message the story says the customer sent (its intent and entities), and what NLU
    got wrong about it (None: right). A step with only `intent:` is a payload: nothing to
    check."""
    entities = tuple(Entity(name, 0, 0, value or "", value or "", extractor="story")
                     for name, value in step.entities)
    parsed = agent.understand(text)
    if step.user_text is None:
        intent = IntentScore(step.name, 1.0)
        return replace(parsed, intent=intent, intent_ranking=(intent,),
                       entities=parsed.entities or entities, fallback=None), None
    wrong = []
    if step.name and parsed.intent.name != step.name:
        wrong.append(f"intent {parsed.intent.name} ({parsed.intent.confidence:.2f})")
    # the story marks the text ([德国](country)); a synonym may have normalised the value
    found = {(e.entity, v.lower()) for e in parsed.entities for v in (e.value, e.text)}
    missing = [f"{n}={v}" for n, v in step.entities if v is not None and (n, v.lower()) not in found]
    if missing:
        wrong.append(f"entities {', '.join(f'{e.entity}={e.value}' for e in parsed.entities) or '(none)'}")
    if not step.name:  # an end-to-end step with text only: the story does not say the intent
        return parsed, "; ".join(wrong) or None
    intent = IntentScore(step.name, 1.0)
    ranking = (intent, *(s for s in parsed.intent_ranking if s.name != step.name))
    gold = replace(parsed, intent=intent, intent_ranking=ranking, fallback=None,
                   entities=parsed.entities if not missing else entities or parsed.entities)
    return gold, "; ".join(wrong) or None


def _expected_nlu(step: StoryStep) -> str:
    entities = ", ".join(f"{n}={v}" for n, v in step.entities if v is not None)
    return f"intent {step.name}" + (f", entities {entities}" if entities else "")
