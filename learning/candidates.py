"""The customer messages worth a member of staff's minute: `find_candidates`.

    found = find_candidates(conversations(store), ReviewSettings(threshold=0.4),
                            known=training_keys(project.data), reviewed=annotations.keys())

A stored customer message is a candidate for one or more reasons:
  * `fallback`      NLU gave up on it (its intent became nlu_fallback);
  * `low`           its top intent's confidence was below the fallback threshold plus a
                    margin (`ReviewSettings.low_margin`): understood, barely;
  * `rephrased`     the customer's next message said nearly the same again (difflib ratio
                    of the normalised texts >= `rephrase_ratio`), or the bot asked them to
                    rephrase it;
  * `handoff`       the conversation went to a human right after it (or right after the
                    customer then asked for one);
  * `thumbs_down`   the customer gave the bot's reply to it a thumbs-down (Feedback event).
Button payloads ("/greet") and empty texts are never candidates.

Dedup: occurrences are grouped by `review_key` (PII masked, casefolded, whitespace
collapsed, so "Where's my parcel??" twice from two customers is one candidate of count 2).
Texts already in the training data and those already annotated or dismissed are skipped.

Ranking ("most useful first"): score = the sum, over a candidate's occurrences, of the
weights of that occurrence's reasons (REASON_WEIGHTS: a thumbs-down or a fallback 3, a
handoff or a rephrase 2, low confidence 1). A message that failed often and badly comes
first; ties go to the most recently seen.
"""
from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from core.message import NLU_FALLBACK
from core.pii import mask_pii

REASON_WEIGHTS = {"thumbs_down": 3, "fallback": 3, "handoff": 2, "rephrased": 2, "low": 1}
REASONS = tuple(REASON_WEIGHTS)
# what the bot says when it did not understand (dialogue.actions.REPHRASE_RESPONSES and the
# built-in fallback action; learning does not import dialogue)
REPHRASE_RESPONSES = frozenset({"utter_ask_rephrase", "utter_default"})
FALLBACK_ACTIONS = frozenset({"action_default_fallback"})

Conversation = tuple[str, list[dict[str, Any]]]  # (sender or pseudonym, event dicts)


@dataclass(frozen=True)
class ReviewSettings:
    threshold: float = 0.3  # the project's FallbackClassifier threshold
    low_margin: float = 0.2  # "low": below threshold + margin
    rephrase_ratio: float = 0.75
    since: float | None = None  # only messages at or after this time (epoch seconds)
    handoff_intents: frozenset[str] = frozenset({"human_handoff"})


@dataclass
class Candidate:
    """One distinct message (all its occurrences), as shown to the staff: masked."""

    id: str
    key: str
    text: str  # masked, as first seen
    reasons: dict[str, int] = field(default_factory=dict)  # reason -> occurrences with it
    intent: str = ""  # what the model predicted (the intent behind a fallback)
    confidence: float = 0.0
    entities: list[dict[str, str]] = field(default_factory=list)  # predicted, in `text`
    language: str = "en"
    count: int = 0
    senders: int = 0  # distinct conversations (pseudonyms; the ids are never shown)
    first_seen: float = 0.0
    last_seen: float = 0.0
    score: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "reasons": sorted(self.reasons, key=REASONS.index),
                "intent": self.intent, "confidence": round(self.confidence, 3),
                "entities": self.entities, "language": self.language, "count": self.count,
                "senders": self.senders, "first_seen": self.first_seen,
                "last_seen": self.last_seen, "score": self.score}


def review_key(text: str) -> str:
    """What makes two messages the same for review: masked, casefolded, spaces collapsed."""
    return " ".join(mask_pii(text).casefold().split())


def candidate_id(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]


def training_keys(data) -> set[str]:
    """The review keys of every NLU example in `data` (a TrainingData)."""
    return {review_key(example.text) for example in data.examples}


def conversations(store, since: float | None = None) -> Iterator[Conversation]:
    """Every stored conversation as (sender, event dicts): the store's `scan` where it has
    one (one pass), else sender by sender (analytics.scan)."""
    from analytics.scan import stored_conversations

    return stored_conversations(store, since)


@dataclass(frozen=True)
class Occurrence:
    event: dict[str, Any]
    reasons: frozenset[str]


def occurrences(events: list[dict[str, Any]], settings: ReviewSettings) -> Iterator[Occurrence]:
    """The customer messages of one conversation that are candidates, with their reasons."""
    users = [i for i, e in enumerate(events) if e.get("event") == "user" and _reviewable(e)]
    thumbs = {e.get("rated") for e in events if e.get("event") == "feedback"
              and e.get("kind", "message") == "message" and (e.get("score") or 0) < 0}
    handed: set[int] = set()
    for n, i in enumerate(users):
        end = users[n + 1] if n + 1 < len(users) else len(events)
        turn = events[i + 1:end]
        if any(e.get("event") == "handoff" for e in turn):
            # the message that made the customer give up: this one, unless it is the request
            # for a human itself (then the one before it, if any)
            if _asks_for_human(events[i], settings) and n > 0:
                handed.add(users[n - 1])
            elif not _asks_for_human(events[i], settings):
                handed.add(i)
    for n, i in enumerate(users):
        event = events[i]
        if settings.since is not None and event.get("timestamp", 0.0) < settings.since:
            continue
        end = users[n + 1] if n + 1 < len(users) else len(events)
        turn = events[i + 1:end]
        reasons = set()
        intent = event.get("intent") or {}
        if intent.get("name") == NLU_FALLBACK or event.get("fallback"):
            reasons.add("fallback")
        elif (intent.get("confidence") or 0.0) < settings.threshold + settings.low_margin:
            reasons.add("low")
        asked_again = any(_asks_to_rephrase(e) for e in turn)
        following = events[users[n + 1]] if n + 1 < len(users) else None
        if following is not None and (asked_again or _similar(event, following, settings)):
            reasons.add("rephrased")
        if i in handed:
            reasons.add("handoff")
        if any(e.get("event") == "bot" and e.get("timestamp") in thumbs for e in turn):
            reasons.add("thumbs_down")
        if reasons:
            yield Occurrence(event, frozenset(reasons))


def find_candidates(found: Iterable[Conversation], settings: ReviewSettings = ReviewSettings(),
                    known: set[str] = frozenset(), reviewed: set[str] = frozenset()) -> list[Candidate]:
    """The candidates in `found` conversations, most useful first (see the module docstring);
    `known`: review keys of the training data, `reviewed`: of annotated/dismissed messages."""
    by_key: dict[str, Candidate] = {}
    senders: dict[str, set[str]] = {}
    for sender, events in found:
        for occurrence in occurrences(events, settings):
            event = occurrence.event
            key = review_key(event["text"])
            if key in known or key in reviewed:
                continue
            candidate = by_key.get(key)
            if candidate is None:
                candidate = by_key[key] = _new_candidate(key, event)
            _add(candidate, occurrence)
            senders.setdefault(key, set()).add(sender)
    for key, candidate in by_key.items():
        candidate.senders = len(senders[key])
    return sorted(by_key.values(), key=lambda c: (-c.score, -c.last_seen, c.key))


def _new_candidate(key: str, event: dict[str, Any]) -> Candidate:
    text = mask_pii(event["text"])
    intent = event.get("intent") or {}
    fallback = event.get("fallback") or {}
    name = fallback.get("predicted") or intent.get("name") or ""
    confidence = fallback.get("confidence", intent.get("confidence")) or 0.0
    entities = []
    for entity in event.get("entities") or ():
        surface = entity.get("text", "")
        if surface and surface in text and mask_pii(surface) == surface:
            entities.append({"entity": entity.get("entity", ""), "text": surface,
                             "value": mask_pii(str(entity.get("value", surface)))})
    timestamp = event.get("timestamp", 0.0)
    return Candidate(candidate_id(key), key, text, intent=name, confidence=float(confidence),
                     entities=entities, language=event.get("language", "en"),
                     first_seen=timestamp, last_seen=timestamp)


def _add(candidate: Candidate, occurrence: Occurrence) -> None:
    timestamp = occurrence.event.get("timestamp", 0.0)
    candidate.count += 1
    candidate.first_seen = min(candidate.first_seen, timestamp)
    candidate.last_seen = max(candidate.last_seen, timestamp)
    for reason in occurrence.reasons:
        candidate.reasons[reason] = candidate.reasons.get(reason, 0) + 1
    candidate.score += sum(REASON_WEIGHTS[r] for r in occurrence.reasons)


def _reviewable(event: dict[str, Any]) -> bool:
    text = (event.get("text") or "").strip()
    return bool(text) and not text.startswith("/")


def _asks_for_human(event: dict[str, Any], settings: ReviewSettings) -> bool:
    intent = (event.get("intent") or {}).get("name")
    return bool(event.get("asks_for_human")) or intent in settings.handoff_intents


def _asks_to_rephrase(event: dict[str, Any]) -> bool:
    if event.get("event") == "bot":
        return event.get("response") in REPHRASE_RESPONSES
    return event.get("event") == "action" and event.get("action") in FALLBACK_ACTIONS


def _similar(event: dict[str, Any], following: dict[str, Any], settings: ReviewSettings) -> bool:
    a, b = review_key(event["text"]), review_key(following.get("text", ""))
    return difflib.SequenceMatcher(None, a, b).ratio() >= settings.rephrase_ratio
