"""The bundled example assistant is valid and as rich as the README promises."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from project.loader import load_project

ROOT = Path(__file__).parent.parent


def test_example_assistant_validates_without_errors() -> None:
    project = load_project(ROOT)
    assert project.errors == []


def test_example_assistant_size() -> None:
    project = load_project(ROOT)
    domain, data = project.domain, project.data
    assert len(domain.intents) >= 25
    counts = Counter(e.retrieval_intent[0] for e in data.examples)  # faq/x counts for faq
    assert min(counts[i] for i in domain.intents) >= 20
    annotated = {s.entity for e in data.examples for s in e.entities}
    assert {"order_id", "email", "product", "date", "amount", "country"} <= annotated
    assert all(f"utter_{i}" in domain.responses or any(
        r.steps[0].name == i for r in data.rules) for i in domain.intents)
    assert len(data.rules) >= 10 and len(data.stories) >= 10
    assert len([s for s in project.tests.stories]) >= 15
    assert {p.stem for p in (ROOT / "data" / "knowledge").glob("*.md")} >= {
        "returns", "shipping", "warranty", "privacy"}


def test_held_out_nlu_examples_are_not_in_training() -> None:
    project = load_project(ROOT)
    train = {" ".join(e.text.lower().split()) for e in project.data.examples}
    held_out = project.tests.examples
    assert len(held_out) >= 100
    assert not [e.text for e in held_out if " ".join(e.text.lower().split()) in train]
