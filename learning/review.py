"""The review step, as the CLI and the /review page run it: the project's candidates and
the current model's guess for each.

    found = review(project, store, days=30)
    intent, entities = guess(parser.parse, found[0])
"""
from __future__ import annotations

import time
from collections.abc import Callable

from core.message import NLU_FALLBACK, Message
from learning.annotations import Annotations, example_text
from learning.candidates import (
    Candidate,
    ReviewSettings,
    conversations,
    find_candidates,
    training_keys,
)
from project.checks import FileChecker
from project.loader import Project


def fallback_threshold(project: Project) -> float:
    """The FallbackClassifier's threshold in the project's pipeline (its default if unlisted)."""
    from nlu.components import FallbackOptions
    from nlu.registry import resolve_pipeline

    resolved = resolve_pipeline(project.config, project.root, FileChecker(project.config.file))
    options = next((r.options for r in resolved if r.name == "FallbackClassifier"), None)
    return getattr(options, "threshold", FallbackOptions().threshold)


def review_settings(project: Project, days: float | None = None) -> ReviewSettings:
    since = time.time() - days * 86400 if days else None
    handoff = frozenset(project.domain.handoff.trigger_intents or ("human_handoff",))
    return ReviewSettings(threshold=fallback_threshold(project), since=since,
                          handoff_intents=handoff)


def review(project: Project, store, days: float | None = None,
           book: Annotations | None = None) -> list[Candidate]:
    """The stored messages worth reviewing, most useful first (learning.candidates),
    without the training data's texts and those already annotated or dismissed."""
    settings = review_settings(project, days)
    book = book or Annotations.open(project.root)
    return find_candidates(conversations(store, settings.since), settings,
                           known=training_keys(project.data), reviewed=book.keys())


def guess(parse: Callable[[str], Message] | None, candidate: Candidate) -> tuple[str, list[dict]]:
    """(intent, entities) the current model gives the candidate's example text (the intent
    behind a fallback); without a model, what was stored when the customer wrote it."""
    if parse is None:
        return candidate.intent, candidate.entities
    text = example_text(candidate.text)
    message = parse(text)
    intent = message.fallback.predicted if message.fallback else message.intent.name
    if intent == NLU_FALLBACK:
        intent = candidate.intent
    entities = [{"entity": e.entity, "text": e.text, "value": e.value} for e in message.entities]
    return intent, entities


def match_intent(answer: str, intents: list[str]) -> list[str]:
    """The domain intents `answer` may mean: itself, else those it starts, else those it is
    part of ("ord" -> order_status; "status" -> order_status, refund_status)."""
    answer = answer.strip()
    if answer in intents:
        return [answer]
    starting = [i for i in intents if i.startswith(answer)]
    return starting or [i for i in intents if answer in i]
