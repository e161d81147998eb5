"""Suggested replies for a human agent: what the bot would have said to the customer's
latest message, and what the project already has to say about it.

    the customer's latest message
      -> predicted: the decision the bot would take if no human had the conversation
         (`policies.decision.decide` on the conversation without its handoff): the
         responses it and the other policies' predictions name, and `utter_<intent>` for
         the intent NLU predicted
      -> similar: the responses whose text is most like the message (shared words, and
         meaning when the project has a sentence encoder loaded: the knowledge index's or
         the FAQ selector's)
      -> faq: the answer the response selector picks for each retrieval intent
      -> knowledge: the passages the knowledge index retrieves, with their source ids

Responses are rendered in the customer's language (`language:` variations, else the
default language's) with the conversation's slots. A project with neither knowledge base
nor FAQ still gets its responses. Where the store masks personal data the slots and the
message are masked too: a suggestion never shows what the stored conversation does not.
"""
from __future__ import annotations

import random
import re
from dataclasses import asdict, dataclass

import numpy as np

from core.events import BotUttered, Handoff, HandoffReleased
from core.pii import mask_pii
from core.tracker import Tracker
from knowledge.index import STOP
from policies.decision import decide
from responses.templates import in_language, render

MAX_REPLIES = 5
MAX_PASSAGES = 3
LEXICAL_WEIGHT = 0.3
MIN_SIMILAR = 0.2  # below this a response is not "like" the message
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Suggestion:
    text: str
    source: str  # the response (utter_refund_status, utter_faq/gift_cards) or passage id
    kind: str  # "predicted" | "similar" | "faq" | "knowledge"
    why: str
    score: float


def unsilenced(tracker: Tracker) -> Tracker:
    """The conversation as if no human had it: without its handoffs, releases and the
    human agents' messages (what the bot's policies would read)."""
    events = [e for e in tracker.events
              if not isinstance(e, (Handoff, HandoffReleased)) and not _from_agent(e)]
    return Tracker(tracker.sender_id, tracker.slot_defs, events)


def _from_agent(event) -> bool:
    return isinstance(event, BotUttered) and isinstance(event.custom, dict) and bool(event.custom.get("agent"))


def terms(text: str) -> set[str]:
    """Words for overlap (Chinese has no spaces: each pair of neighbouring characters)."""
    words = set()
    for word in WORD.findall(text.lower()):
        if word.isascii():
            if word not in STOP and len(word) > 1:
                words.add(stem(word))
        else:
            words.update(word[i:i + 2] for i in range(max(1, len(word) - 1)))
    return words


def stem(word: str) -> str:
    """A rough English stem, so "returned" meets "return" (not a linguist's)."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[:-len(suffix)]
    return word


def overlap(query: set[str], text: str) -> float:
    return len(query & terms(text)) / len(query) if query else 0.0


class Suggester:
    """Suggestions for one agent's project; keeps the responses' embeddings per language."""

    def __init__(self, agent, masked: bool = False) -> None:
        self.agent, self.masked = agent, masked
        self.default = getattr(agent.project.config, "language", None)
        self._vectors: dict[str | None, tuple[list[str], np.ndarray]] = {}

    def suggest(self, tracker: Tracker) -> dict:
        """{message, language, intent, confidence, replies: [Suggestion], passages: [...]}
        for the customer's latest message (empty lists when the customer has said nothing)."""
        user = tracker.latest_message
        language = tracker.language
        out = {"message": None, "language": language, "intent": None, "confidence": None,
               "replies": [], "passages": []}
        if user is None:
            return out
        slots = {k: (mask_pii(v) if self.masked and isinstance(v, str) else v)
                 for k, v in tracker.slots.items()}
        text = user.text
        replies = self._predicted(tracker, slots, language) + self._faq(text, slots, language)
        replies += self._similar(text, slots, language, {r.source for r in replies})
        passages = self._passages(text, language)
        out.update(message=mask_pii(text) if self.masked else text, intent=user.intent,
                   confidence=round(user.message.intent.confidence, 3),
                   replies=[asdict(r) for r in _unique(replies)[:MAX_REPLIES]],
                   passages=passages)
        return out

    def _render(self, name: str, slots: dict, language: str | None) -> str | None:
        reply = render(name, self.agent.domain.responses.get(name, []), slots, random.Random(0),
                       language, None, self.default)
        return reply.text if reply is not None and reply.text else None

    def _predicted(self, tracker: Tracker, slots: dict, language: str | None) -> list[Suggestion]:
        """The responses the bot would have chosen (first) or the policies proposed."""
        agent = self.agent
        decision = decide(unsilenced(tracker), agent.domain, agent.policies, agent.rules)
        floor = agent.policies.fallback.core_fallback_threshold  # no guesses: what policies trust
        ranked = sorted((p for p in decision.predictions if p.confidence >= floor),
                        key=lambda p: (-p.priority, -p.confidence))
        found = []
        for prediction in dict.fromkeys([decision.chosen, *ranked]):
            if prediction.action not in agent.domain.responses:
                continue
            text = self._render(prediction.action, slots, language)
            if text:
                chosen = prediction is decision.chosen
                why = ("what the bot would say" if chosen else f"proposed by {prediction.policy}") + \
                      f" ({prediction.confidence:.2f})"
                found.append(Suggestion(text, prediction.action, "predicted", why,
                                        round(float(prediction.confidence), 3)))
        intent = tracker.latest_message.message.intent
        named = f"utter_{intent.name}"
        text = self._render(named, slots, language) if named in agent.domain.responses else None
        if text:
            found.append(Suggestion(text, named, "predicted", f"the response for intent {intent.name} "
                                    f"({intent.confidence:.2f})", round(float(intent.confidence), 3)))
        return found

    def _faq(self, text: str, slots: dict, language: str | None) -> list[Suggestion]:
        runner = self.agent.runner
        if runner.selector is None:
            return []
        found = []
        for base in sorted(runner.faq_bases):
            selection = runner.selector.select(text, base)
            if selection is None:
                continue
            name = f"utter_{selection.intent}"
            rendered = self._render(name, slots, language)
            if rendered:
                found.append(Suggestion(rendered, name, "faq", f"FAQ {selection.intent} "
                                        f"({selection.confidence:.2f})", round(selection.confidence, 3)))
        return found

    def _similar(self, text: str, slots: dict, language: str | None,
                 seen: set[str]) -> list[Suggestion]:
        """The responses whose text is most like the message."""
        names, texts = self._texts(language)
        if not names:
            return []
        query = terms(text)
        scores = np.array([overlap(query, t) for t in texts])
        embedder = self._embedder()
        if embedder is not None:
            dense = self._embedded(language, texts, embedder) @ embedder.embed([text])[0]
            scores = (1 - LEXICAL_WEIGHT) * dense + LEXICAL_WEIGHT * scores
        found = []
        for index in np.argsort(-scores):
            if scores[index] < MIN_SIMILAR or len(found) == MAX_REPLIES:
                break
            if names[index] in seen:
                continue
            rendered = self._render(names[index], slots, language)
            if rendered:
                found.append(Suggestion(rendered, names[index], "similar",
                                        f"similar text ({scores[index]:.2f})", round(float(scores[index]), 3)))
        return found

    def _texts(self, language: str | None) -> tuple[list[str], list[str]]:
        """Each response's first variation in the customer's language (unfilled)."""
        names, texts = [], []
        for name, variations in self.agent.domain.responses.items():
            usable = [v for v in in_language(variations, language, self.default) if v.text]
            if usable:
                names.append(name)
                texts.append(usable[0].text)
        return names, texts

    def _embedder(self):
        """A sentence encoder the project already loaded (none is loaded for this)."""
        answerer, selector = self.agent.answerer, self.agent.runner.selector
        index = getattr(answerer, "index", None)
        return getattr(index, "embedder", None) or getattr(selector, "embedder", None)

    def _embedded(self, language: str | None, texts: list[str], embedder) -> np.ndarray:
        cached = self._vectors.get(language)
        if cached is None or cached[0] != texts:
            cached = (texts, np.asarray(embedder.embed(texts)))
            self._vectors[language] = cached
        return cached[1]

    def _passages(self, text: str, language: str | None) -> list[dict]:
        """The knowledge passages for the message: those relevant enough for the bot to
        answer from (`relevant`), else the nearest ones, marked as not relevant."""
        answerer = self.agent.answerer
        if answerer is None:
            return []
        hits, relevant = answerer.relevant(text, language), True
        if not hits:
            hits, relevant = answerer.index.search(text, MAX_PASSAGES), False
        return [{"id": h.passage.id, "source": h.passage.source, "heading": h.passage.heading,
                 "text": h.passage.text, "score": round(h.score, 3), "relevant": relevant}
                for h in hits[:MAX_PASSAGES]]


def _unique(replies: list[Suggestion]) -> list[Suggestion]:
    """The first suggestion of each text (a response may be predicted and similar too)."""
    seen: set[str] = set()
    kept = []
    for reply in replies:
        if reply.text not in seen:
            seen.add(reply.text)
            kept.append(reply)
    return kept
