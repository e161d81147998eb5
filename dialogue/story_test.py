"""Conversation tests: replay `tests/test_stories.yml` against the trained assistant.

Each user turn goes through the real NLU (or, for a step with only `intent:`, a
`/intent{...}` payload); the intent and the actions the bot runs must be the ones the
story lists, and its `slot_was_set` / `active_loop` steps must hold after the turn. A
story stops at its first wrong turn, which is what the report shows.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from core.training_data import Story, StoryStep
from dialogue.agent import Agent
from policies.rules import _slot_matches


@dataclass(frozen=True)
class Failure:
    story: str
    where: str  # file:line of the wrong step
    turn: int  # 1-based user turn
    text: str
    expected: str
    got: str


@dataclass
class StoryTestReport:
    passed: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    actions_total: int = 0
    actions_correct: int = 0

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


def run_story_tests(agent: Agent, stories: list[Story]) -> StoryTestReport:
    report = StoryTestReport()
    for story in stories:
        failure = run_story(agent, story, report)
        if failure:
            report.failures.append(failure)
        else:
            report.passed.append(story.name)
    return report
