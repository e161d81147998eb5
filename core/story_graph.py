"""Stories and rules as Rasa reads them before training: `checkpoint`s joined, `or` expanded.

    stitch_checkpoints(stories)  # a story ending in `- checkpoint: x` continues with each
                                 # story that starts with `- checkpoint: x`
    rule_variants(rules)         # a rule with `or:` steps becomes one rule per alternative

A story that starts with a checkpoint no story ends with is never reached (Rasa says so too:
`unreachable_checkpoints` reports it in `validate`). Expansion is capped, as a loop of
checkpoints could otherwise grow without end.
"""
from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Iterable, Iterator

from core.training_data import Story, StoryStep

MAX_DEPTH = 8  # checkpoints followed one after another
MAX_STITCHED = 2000  # stories built from one start
MAX_VARIANTS = 16  # `or` steps multiply a story into at most this many variants
MAX_RULE_VARIANTS = 64


def _leading(steps: tuple[StoryStep, ...]) -> list[str]:
    names = []
    for step in steps:
        if step.kind != "checkpoint":
            break
        names.append(step.name)
    return names


def _trailing(steps: tuple[StoryStep, ...]) -> list[str]:
    return _leading(tuple(reversed(steps)))


def _body(steps: tuple[StoryStep, ...]) -> tuple[StoryStep, ...]:
    return tuple(s for s in steps if s.kind != "checkpoint")


def stitch_checkpoints(stories: Iterable[Story]) -> list[Story]:
    """Whole stories: those without checkpoints as they are, the pieces joined at theirs."""
    stories = list(stories)
    if not any(s.kind == "checkpoint" for story in stories for s in story.steps):
        return stories
    starting: dict[str, list[Story]] = {}
    for story in stories:
        for name in _leading(story.steps):
            starting.setdefault(name, []).append(story)
    joined: list[Story] = []
    for story in stories:
        if _leading(story.steps):
            continue  # reached from the stories that end with its checkpoint
        built: list[Story] = []
        _follow(story, _body(story.steps), story.name, _trailing(story.steps), 0, starting, built)
        joined += built
    return joined


def _follow(first: Story, steps: tuple[StoryStep, ...], name: str, ends: list[str], depth: int,
            starting: dict[str, list[Story]], out: list[Story]) -> None:
    following = [story for checkpoint in ends for story in starting.get(checkpoint, [])]
    if not following or depth >= MAX_DEPTH:
        out.append(replace(first, name=name, steps=steps))
        return
    for story in following:
        if len(out) >= MAX_STITCHED:
            return
        _follow(first, steps + _body(story.steps), f"{name} > {story.name}",
                _trailing(story.steps), depth + 1, starting, out)


def unreachable_checkpoints(stories: Iterable[Story]) -> list[tuple[Story, str]]:
    """(story, checkpoint) for each story that starts with a checkpoint no story ends with."""
    stories = list(stories)
    ending = {name for story in stories for name in _trailing(story.steps)}
    return [(story, name) for story in stories for name in _leading(story.steps)
            if name not in ending]


def variants(steps: tuple[StoryStep, ...]) -> Iterator[tuple[StoryStep, ...]]:
    """Each sequence of steps the `or` steps allow."""
    choices = [step.alternatives if step.kind == "or" else (step,) for step in steps]
    for combination in itertools.product(*choices):
        yield tuple(combination)


def rule_variants(rules: Iterable[Story]) -> list[Story]:
    """Each rule once per alternative of its `or` steps (most rules have none)."""
    out: list[Story] = []
    for rule in rules:
        if not any(step.kind == "or" for step in rule.steps):
            out.append(rule)
            continue
        out += [replace(rule, steps=steps)
                for steps in itertools.islice(variants(rule.steps), MAX_RULE_VARIANTS)]
    return out
