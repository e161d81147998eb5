"""The example assistant trained on the real default encoder (all-MiniLM-L6-v2).

Slow (about 3 minutes on 2 CPU cores): it trains exactly what `make shell` trains.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from core.project import load_project

ROOT = Path(__file__).parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def parser(tmp_path_factory: pytest.TempPathFactory):
    from assistant.train import nlu_dir, train_project
    from nlu import NLUParser

    models = tmp_path_factory.mktemp("example_models")
    train_project(load_project(ROOT), models, progress=False)
    return NLUParser.load(nlu_dir(models))


def test_held_out_intent_accuracy_at_least_90_percent(parser) -> None:
    held_out = load_project(ROOT).tests.examples
    messages = parser.parse_batch([e.text for e in held_out])
    correct = sum(m.intent.name == e.intent for m, e in zip(messages, held_out))
    assert correct / len(held_out) >= 0.90, f"{correct}/{len(held_out)}"


def test_order_number_is_extracted_with_exact_offsets(parser) -> None:
    message = parser.parse("where is my order 12345")
    assert message.intent.name == "order_status"
    (entity,) = [e for e in message.entities if e.entity == "order_id"]
    assert (entity.value, entity.start, entity.end) == ("12345", 18, 23)
