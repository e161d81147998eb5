"""Parse `data/*.yml` and `tests/*.yml` (Rasa 3 format) into `TrainingData`.

Every example keeps its own line: inside an `examples: |` block, example i sits on
the block's first line + i, which is how support staff will look for it.
"""
from __future__ import annotations

import re
from typing import Any

from project.checks import FileChecker, check_version, describe
from project.markup import MarkupError, parse_markup
from core.patterns import backtracks
from core.training_data import (
    Example, LookupTable, RegexFeature, Source, Story, StoryStep, TrainingData,
)
from project.yaml_loader import YDict, line_of

TOP_KEYS = ("version", "nlu", "rules", "stories", "responses")
NLU_KINDS = ("intent", "synonym", "regex", "lookup")
STEP_KINDS = ("intent", "user", "action", "bot", "slot_was_set", "active_loop", "checkpoint", "or")
# Rasa 2's names Rasa 3 still reads in stories and rules, as it reads them.
LEGACY_ACTIONS = {"action_deactivate_form": "action_deactivate_loop"}
STEP_EXTRA = {"intent": ("entities", "user"), "user": ("intent", "entities")}
RULE_KEYS = ("rule", "steps", "condition", "conversation_start", "wait_for_user_input", "metadata")
STORY_KEYS = ("story", "steps", "metadata")


def parse_data(root: Any, check: FileChecker, *, test_file: bool = False) -> tuple[TrainingData, YDict]:
    """Build TrainingData from one loaded file. Returns it and the raw `responses` (if any)."""
    data = TrainingData()
    if not check.expect(root, dict, 1, "file"):
        return data, YDict()
    check.known_keys(root, TOP_KEYS, "")
    check_version(root, check)
    nlu = check.sequence(root.get("nlu"), root.line_of("nlu"), "nlu")
    for index, item in enumerate(nlu):
        _nlu_item(item, nlu.line_of(index), f"nlu[{index}]", data, check)
    for kind, key in (("rule", "rules"), ("story", "stories")):
        items = check.sequence(root.get(key), root.line_of(key), key)
        target = data.rules if kind == "rule" else data.stories
        for index, item in enumerate(items):
            story = _story(item, items.line_of(index), f"{key}[{index}]", kind, test_file, check)
            if story:
                target.append(story)
    responses = root.get("responses")
    return data, responses if isinstance(responses, dict) else YDict()


def example_lines(block: Any, line: int) -> list[tuple[str, int]]:
    """Split an `examples:` block into (example text, line), dropping the '- ' prefix.

    Lines of a literal `|` block start on the line after the key; for other styles
    the exact line is unknown and the block's own line is used.
    """
    first = line + 1 if getattr(block, "style", None) in ("|", ">") else line
    result = []
    for offset, raw in enumerate(str(block).split("\n")):
        if raw.strip():
            result.append((raw.strip(), first + offset if first > line else line))
    return result


def _nlu_item(item: Any, line: int, key: str, data: TrainingData, check: FileChecker) -> None:
    spec = check.mapping(item, line, key)
    kinds = [k for k in NLU_KINDS if k in spec]
    if not kinds and any(k not in ("examples", "metadata") for k in spec):
        check.known_keys(spec, (*NLU_KINDS, "examples", "metadata"), key)
        return
    if len(kinds) != 1:
        found = f"got {', '.join(kinds)}" if kinds else f"got keys {', '.join(map(str, spec)) or 'none'}"
        check.error(line, key, f"each nlu item needs exactly one of intent, synonym, regex, lookup ({found})")
        return
    kind = kinds[0]
    name = spec[kind]
    check.known_keys(spec, (kind, "examples", "metadata"), key)
    if not isinstance(name, (str, int)) or not str(name).strip():
        check.error(spec.line_of(kind), f"{key}.{kind}", f"expected a name, got {describe(name)}")
        return
    name = str(name).strip()
    where = f"{kind} '{name}'"
    examples = _examples(spec, where, check)
    if kind == "intent":
        block = Source(check.file, spec.line_of(kind))
        for text, ex_line in examples:
            _example(text, name, ex_line, block, where, data, check)
    elif kind == "synonym":
        for text, _ in examples:
            data.synonyms[text.lower()] = name
    elif kind == "regex":
        _regex(name, examples, where, data, check)
    else:
        data.lookups.append(LookupTable(name, tuple(t for t, _ in examples),
                                        Source(check.file, spec.line_of(kind))))


def _examples(spec: YDict, where: str, check: FileChecker) -> list[tuple[str, int]]:
    """(text, line) for each example, in block form or as a list of {text: ...}."""
    block, line = spec.get("examples"), spec.line_of("examples")
    if block is None:
        check.error(spec.line, "examples", f"missing in {where}; add 'examples: |' with '- ' lines")
        return []
    if isinstance(block, list):
        items = []
        for index, entry in enumerate(block):
            text = entry.get("text") if isinstance(entry, dict) else entry
            if isinstance(text, str) and text.strip():
                items.append((text.strip(), line_of(text, block.line_of(index))))
            else:
                check.error(block.line_of(index), "examples", f"each example in {where} needs 'text'")
        return items
    if not isinstance(block, str):
        check.error(line, "examples", f"expected a '|' block of '- ' lines, got {describe(block)}")
        return []
    if getattr(block, "style", None) == ">":
        check.error(line, "examples", f"use '|' (examples: |) in {where}, not '>', which folds all examples into one line")
        return []
    result = []
    for text, ex_line in example_lines(block, line):
        if not text.startswith("- ") and text != "-":
            check.error(ex_line, "examples",
                        f"each example in {where} must start with '- ', got {describe(text)}")
            continue
        result.append((text[2:].strip(), ex_line))
    if not result:
        check.error(line, "examples", f"no examples in {where}")
    return result


def _example(marked: str, intent: str, line: int, block: Source, where: str,
             data: TrainingData, check: FileChecker) -> None:
    if not marked:
        check.error(line, "examples", f"empty example ('- ' with no text) in {where}")
        return
    try:
        text, spans, warnings = parse_markup(marked)
    except MarkupError as exc:
        check.error(line, "examples",
                    f"bad entity markup in {describe(marked)} at column {exc.column}: {exc}")
        return
    for warning in warnings:
        check.warn(line, "examples", warning)
    for span in spans:
        if span.value != span.text:
            data.synonyms.setdefault(span.text.lower(), span.value)
    data.examples.append(Example(text, intent, spans, Source(check.file, line), block))


def _regex(name: str, examples: list[tuple[str, int]], where: str,
           data: TrainingData, check: FileChecker) -> None:
    for pattern, ex_line in examples:
        try:
            re.compile(pattern)
        except re.error as exc:
            check.error(ex_line, "examples", f"invalid regular expression {pattern!r} in {where}: {exc}")
            continue
        if backtracks(pattern):
            check.warn(ex_line, "examples", f"regular expression {pattern!r} in {where} repeats "
                       "a part that itself repeats or branches: on some messages it takes "
                       "exponential time; it runs with a 50 ms limit per message (no match past "
                       "it). Rewrite it without the nested repetition (e.g. (a+)+ -> a+)")
        data.regexes.append(RegexFeature(name, pattern, Source(check.file, ex_line)))


def _story(item: Any, line: int, key: str, kind: str, test_file: bool,
           check: FileChecker) -> Story | None:
    spec = check.mapping(item, line, key)
    if not spec:
        return None
    check.known_keys(spec, RULE_KEYS if kind == "rule" else STORY_KEYS, key)
    name = spec.get(kind)
    if not isinstance(name, (str, int)):
        check.error(line, f"{key}.{kind}", f"each {kind} needs a name ('- {kind}: what it does')")
        name = f"<unnamed {kind} at line {line}>"
    steps = _steps(spec.get("steps"), spec.line_of("steps"), f"{key}.steps", test_file, check)
    if "steps" not in spec:
        check.error(line, f"{key}.steps", "missing; a story or rule needs steps")
    conditions = _steps(spec.get("condition"), spec.line_of("condition"), f"{key}.condition",
                        test_file, check) if kind == "rule" else ()
    flags = {}
    for flag, default in (("conversation_start", False), ("wait_for_user_input", True)):
        value = spec.get(flag, default)
        flags[flag] = bool(value) if check.expect(value, bool, spec.line_of(flag), f"{key}.{flag}") else default
    return Story(str(name), "test" if test_file else kind, steps, conditions,
                 flags["conversation_start"], flags["wait_for_user_input"], Source(check.file, line))


def _steps(value: Any, line: int, key: str, test_file: bool, check: FileChecker) -> tuple[StoryStep, ...]:
    items = check.sequence(value, line, key)
    steps = []
    for index, item in enumerate(items):
        step = _step(item, items.line_of(index), f"{key}[{index}]", test_file, check)
        if step:
            steps.append(step)
    return tuple(steps)


def _step(item: Any, line: int, key: str, test_file: bool, check: FileChecker) -> StoryStep | None:
    spec = check.mapping(item, line, key)
    kinds = [k for k in STEP_KINDS if k in spec]
    if not kinds:
        check.error(line, key, f"a step needs one of {', '.join(STEP_KINDS)} (got {', '.join(map(str, spec)) or 'nothing'})")
        return None
    kind = "user" if "user" in kinds else kinds[0]
    check.known_keys(spec, (kind, *STEP_EXTRA.get(kind, ())), key)
    source = Source(check.file, line)
    value = spec[kind]
    if kind == "slot_was_set":
        slots, lines = _slot_values(value, spec.line_of(kind), f"{key}.{kind}", check)
        return StoryStep(kind, slots=slots, source=source, item_lines=lines)
    if kind == "or":
        alternatives = _steps(value, spec.line_of(kind), f"{key}.or", test_file, check)
        return StoryStep(kind, alternatives=alternatives, source=source)
    if kind == "active_loop":
        return StoryStep(kind, "" if value is None else str(value), source=source)
    if kind == "user":
        return _user_step(spec, key, source, check)
    if not isinstance(value, (str, int)) or not str(value).strip():
        check.error(spec.line_of(kind), f"{key}.{kind}", f"expected a name, got {describe(value)}")
        return None
    entities, lines = _step_entities(spec.get("entities"), spec.line_of("entities"),
                                     f"{key}.entities", check)
    name = str(value).strip()
    if kind == "action":
        name = LEGACY_ACTIONS.get(name, name)
    return StoryStep(kind, name, entities=entities, source=source, item_lines=lines)


def _user_step(spec: YDict, key: str, source: Source, check: FileChecker) -> StoryStep | None:
    """A test-story turn: `user: text with [markup](entity)` and usually `intent:`."""
    raw = spec["user"]
    if not isinstance(raw, str):
        check.error(spec.line_of("user"), f"{key}.user", f"expected the user's text, got {describe(raw)}")
        return None
    try:
        text, spans, _ = parse_markup(raw.strip())
    except MarkupError as exc:
        check.error(spec.line_of("user"), f"{key}.user", f"bad entity markup at column {exc.column}: {exc}")
        return None
    entities = tuple((s.entity, s.value) for s in spans)
    intent = spec.get("intent")
    return StoryStep("intent", str(intent).strip() if intent else "", entities=entities,
                     user_text=text, source=source)


def _step_entities(value: Any, line: int, key: str,
                   check: FileChecker) -> tuple[tuple[tuple[str, str | None], ...], tuple[int, ...]]:
    """(entity, value) pairs of a story step, and the line of each."""
    entities, lines = [], []
    items = check.sequence(value, line, key)
    for index, item in enumerate(items):
        lines.append(items.line_of(index))
        if isinstance(item, str):
            entities.append((str(item), None))
        elif isinstance(item, dict) and "entity" in item:
            entities.append((str(item["entity"]), None if item.get("value") is None else str(item["value"])))
        elif isinstance(item, dict) and len(item) == 1:
            name, val = next(iter(item.items()))
            entities.append((str(name), None if val is None else str(val)))
        else:
            check.error(line_of(item, line), f"{key}[{index}]", f"expected 'entity' or 'entity: value', got {describe(item)}")
            lines.pop()
    return tuple(entities), tuple(lines)


def _slot_values(value: Any, line: int, key: str,
                 check: FileChecker) -> tuple[tuple[tuple[str, object], ...], tuple[int, ...]]:
    """(slot, value) pairs of a slot_was_set step, and the line of each."""
    slots, lines = [], []
    items = check.sequence(value, line, key)
    for index, item in enumerate(items):
        lines.append(items.line_of(index))
        if isinstance(item, str):
            slots.append((str(item), True))
        elif isinstance(item, dict) and len(item) == 1:
            name, val = next(iter(item.items()))
            slots.append((str(name), val))
        else:
            check.error(line_of(item, line), f"{key}[{index}]", f"expected 'slot: value', got {describe(item)}")
            lines.pop()
    return tuple(slots), tuple(lines)
