"""The NLU pipeline's components: each takes the `Message` so far and returns a new one
with its own fields filled (spaCy's pipes over one `Doc`). `nlu.registry` names them for
config.yml; `nlu.pipeline` runs them in the order the config lists them.

    LanguageDetector      message.language (nlu.language: script rules + fastText lid.176)
    JointBERT             intent, ranking and model entities (one encoder pass)
    RegexEntityExtractor  + entities from data/nlu.yml regexes and lookup tables
    EntitySynonymMapper   entity values mapped to their canonical synonym
    GibberishDetector     message.gibberish: no word known from the training data
    FrustrationScorer     message.frustration, 0..1 (offline English/Chinese lexicon)
    HumanRequestDetector  message.asks_for_human: "…, 转人工" in a message of any intent
    FallbackClassifier    intent -> nlu_fallback when unsure, gibberish or foreign
    ResponseSelector      enables the FAQ selector (`faq/x`, models/selector/); it picks the
                          answer when `utter_faq` runs, so the message passes unchanged
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any

from core.message import NLU_FALLBACK, Fallback, IntentScore, Message
from core.training_data import TrainingData
from nlu.config import NLUConfig
from nlu.extractors import (
    apply_synonyms, collect_patterns, compile_patterns, lookup_entities, merge_entities,
    regex_entities,
)
from nlu.frustration import frustration
from nlu.gibberish import has_content, is_gibberish, known_words
from nlu.human_request import asks_for_human
from nlu.language import identifier

log = logging.getLogger("switchboard.nlu")


@dataclass(frozen=True)
class PipelineContext:
    """What components may need when they are built: the project's languages and training
    data, and the trained joint model (None until loaded; `validate` never loads it)."""

    language: str
    languages: tuple[str, ...]
    data: TrainingData
    parser: Any = None  # nlu.parser.NLUParser or anything with .parse(text) -> Message


class LanguageDetector:
    """`message.language`: the language identified among the project's languages and the
    common ones (`nlu.language`); the project's default language when the text is too short
    to tell or has no letters. A served language is spelled as config.yml spells it, so the
    FallbackClassifier never takes it for a foreign one."""

    name = "LanguageDetector"

    def __init__(self, options: Any, context: PipelineContext) -> None:
        self.identifier = identifier(context.language, tuple(context.languages))

    def process(self, message: Message) -> Message:
        found = self.identifier.detect(message.text)
        log.debug("language %s (%s, %.2f)", found.language, found.reason, found.confidence)
        return replace(message, language=found.language, language_guessed=found.confidence == 0.0)


class JointBERT:
    """The trained joint model (`models/nlu/`): its options are `nlu.config.NLUConfig`."""

    name = "JointBERT"

    def __init__(self, options: NLUConfig, context: PipelineContext) -> None:
        if context.parser is None:
            raise ValueError("JointBERT needs the trained model (models/nlu); run `cli.py train`")
        self.parser = context.parser
        inner = self.parser  # through wrappers (nlu.batcher.BatchingParser) to the model
        while not hasattr(inner, "rule_entities") and hasattr(inner, "parser"):
            inner = inner.parser
        if hasattr(inner, "rule_entities"):  # regexes/synonyms are their own components
            inner.rule_entities = False

    def process(self, message: Message) -> Message:
        parsed = self.parser.parse(message.text)
        return replace(message, intent=parsed.intent, intent_ranking=parsed.intent_ranking,
                       entities=message.entities + parsed.entities)


class RegexEntityExtractor:
    """Regex and lookup-table entities of data/nlu.yml (read when the assistant loads, so an
    edited regex needs no retraining). Regex matches win over the model's overlapping
    entities, which win over lookup matches."""

    name = "RegexEntityExtractor"

    def __init__(self, options: Any, context: PipelineContext) -> None:
        patterns = collect_patterns(context.data)
        self.patterns = compile_patterns(patterns["regexes"], patterns["lookups"])

    def process(self, message: Message) -> Message:
        text = message.text
        entities = merge_entities(regex_entities(text, self.patterns), message.entities,
                                  lookup_entities(text, self.patterns))
        return replace(message, entities=tuple(entities))


class EntitySynonymMapper:
    name = "EntitySynonymMapper"

    def __init__(self, options: Any, context: PipelineContext) -> None:
        self.synonyms: dict[str, str] = dict(collect_patterns(context.data)["synonyms"])

    def process(self, message: Message) -> Message:
        if not self.synonyms or not message.entities:
            return message
        return replace(message, entities=tuple(apply_synonyms(message.entities, self.synonyms)))


class GibberishDetector:
    """Runs after the entity extractors: a message with an entity is never gibberish."""

    name = "GibberishDetector"

    def __init__(self, options: Any, context: PipelineContext) -> None:
        self.vocabulary = known_words(context.data)

    def process(self, message: Message) -> Message:
        return replace(message, gibberish=is_gibberish(message, self.vocabulary))


class FrustrationScorer:
    name = "FrustrationScorer"

    def __init__(self, options: Any, context: PipelineContext) -> None:
        pass

    def process(self, message: Message) -> Message:
        return replace(message, frustration=frustration(message.text))


class HumanRequestDetector:
    name = "HumanRequestDetector"

    def __init__(self, options: Any, context: PipelineContext) -> None:
        pass

    def process(self, message: Message) -> Message:
        return replace(message, asks_for_human=asks_for_human(message.text))


_UNIT = {"must": "a number between 0 and 1"}
EMPTY_REASON = "nothing but spaces and punctuation"


@dataclass(frozen=True)
class FallbackOptions:
    # Minimum confidence of the top intent; below it the message is not understood.
    threshold: float = field(default=0.3, metadata=_UNIT)
    # Rasa's: when the top two intents are closer than this, the message is not
    # understood either. Off unless given.
    ambiguity_threshold: float | None = field(default=None, metadata=_UNIT)

    def problems(self) -> list[tuple[str, str]]:
        out = []
        for key in ("threshold", "ambiguity_threshold"):
            value = getattr(self, key)
            if value is not None and not 0 <= value <= 1:
                out.append((key, f"must be a number between 0 and 1, got {value!r}"))
        return out


class FallbackClassifier:
    """Replaces the intent with `nlu_fallback`, recording why (`Message.fallback`), when the
    model is unsure (below `threshold`, or the top two within `ambiguity_threshold`), when
    GibberishDetector flagged the message, or when LanguageDetector found a language the
    project does not list."""

    name = "FallbackClassifier"

    def __init__(self, options: FallbackOptions, context: PipelineContext) -> None:
        self.options = options
        self.language = context.language
        self.languages = {context.language, *context.languages}

    def process(self, message: Message) -> Message:
        reason = self._reason(message)
        if reason is None:
            return message
        intent = message.intent
        foreign = message.language not in self.languages
        return replace(message, intent=IntentScore(NLU_FALLBACK, intent.confidence),
                       fallback=Fallback(intent.name, intent.confidence, reason, foreign))

    def _reason(self, message: Message) -> str | None:
        if message.language not in self.languages:
            return f"written in '{message.language}', the NLU is trained on '{self.language}'"
        if message.gibberish:
            return ("no word known from the training data" if has_content(message.text)
                    else EMPTY_REASON)
        confidence = message.intent.confidence
        if confidence < self.options.threshold:
            return f"confidence below {self.options.threshold}"
        ambiguity = self.options.ambiguity_threshold
        ranking = message.intent_ranking
        if ambiguity is not None and len(ranking) > 1 and \
                ranking[0].confidence - ranking[1].confidence < ambiguity:
            return (f"'{ranking[0].name}' and '{ranking[1].name}' are within "
                    f"{ambiguity} of each other")
        return None


class ResponseSelector:
    name = "ResponseSelector"

    def __init__(self, options: Any, context: PipelineContext) -> None:
        pass

    def process(self, message: Message) -> Message:
        return message
