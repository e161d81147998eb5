"""Session fixtures: a tiny random BERT (no download) and one model overfitted on it.

The encoder is a 2-layer, 32-wide BERT with a WordPiece vocabulary built from the
fixture sentences, saved to a temp dir and loaded through the same
`from_pretrained(path)` code path the real encoder uses.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from core.training_data import EntitySpan, Example, LookupTable, RegexFeature, TrainingData


def _example(text: str, intent: str, *ents: tuple[str, str, str]) -> Example:
    """ents: (surface, entity, value) — offsets are found in `text`."""
    spans = []
    for surface, entity, value in ents:
        start = text.index(surface)
        spans.append(EntitySpan(start, start + len(surface), entity, surface, value))
    return Example(text=text, intent=intent, entities=tuple(spans))


TINY_EXAMPLES = [
    _example("hello there", "greet"),
    _example("hi friend", "greet"),
    _example("good morning", "greet"),
    _example("fly to paris", "book_flight", ("paris", "city", "paris")),
    _example("book a flight to berlin", "book_flight", ("berlin", "city", "berlin")),
    _example("i want to go to new york", "book_flight", ("new york", "city", "new york")),
    _example("nyc please", "book_flight", ("nyc", "city", "New York")),
    _example("bye", "goodbye"),
    _example("see you later", "goodbye"),
    _example("order XY9876 in red", "order", ("XY9876", "order_id", "XY9876"), ("red", "color", "red")),
    _example("i want order QQ1111", "order", ("QQ1111", "order_id", "QQ1111")),
]


@pytest.fixture(scope="session")
def tiny_data() -> TrainingData:
    return TrainingData(
        examples=list(TINY_EXAMPLES),
        synonyms={"big apple": "New York"},
        regexes=[RegexFeature("order_id", r"\b[A-Z]{2}\d{4}\b"),
                 RegexFeature("zipcode", r"\b\d{5}\b")],  # names no entity: a feature only
        lookups=[LookupTable("color", ("red", "dark blue"))],
    )


@pytest.fixture(scope="session")
def tiny_encoder_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random 2-layer BERT whose vocabulary covers the fixture sentences."""
    from tests.tiny_bert import build_tiny_bert

    return build_tiny_bert(tmp_path_factory.mktemp("tiny_bert"), [e.text for e in TINY_EXAMPLES])


@pytest.fixture(scope="session")
def tiny_config(tiny_encoder_dir: Path):
    from nlu.config import NLUConfig

    return NLUConfig(encoder=str(tiny_encoder_dir), epochs=40, batch_size=8, learning_rate=3e-3,
                     head_learning_rate=1e-2, warmup_ratio=0.05, dropout=0.0, dev_fraction=0.0,
                     time_budget_s=None, ranking_size=3, seed=7, min_steps=0)


@pytest.fixture(scope="session")
def trained_dir(tiny_data: TrainingData, tiny_config, tmp_path_factory: pytest.TempPathFactory
                ) -> Path:
    from nlu.trainer import train_nlu

    out = tmp_path_factory.mktemp("models") / "tiny"
    train_nlu(tiny_data, tiny_config, out, progress=False)
    return out


@pytest.fixture(scope="session")
def parser(trained_dir: Path):
    from nlu.parser import NLUParser

    return NLUParser.load(trained_dir)
