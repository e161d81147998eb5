"""Held-out NLU figures of a trained project through its whole NLU pipeline (what the bot
acts on: fallback included), and the per-message latency of that pipeline.

    python bench/example_nlu.py [--project .] [--models PROJECT/models] [--repeat 3]

Reads the project's `tests/*.yml` NLU examples (the example's tests/nlu_test.yml: held-out
messages training never sees). Intent accuracy counts `nlu_fallback` as wrong; entity F1
is span-level and exact (entity name, start, end). Figures for all examples, and for English
and Chinese apart when the tests hold both (by the text's script). Runs on this tree or an older checkout
of it (`--tree DIR` puts DIR first on sys.path), so two versions compare in one run.
"""
from __future__ import annotations

import json
import re
import statistics
import sys
import time
from pathlib import Path

import click

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _load(project: Path, models: Path):
    try:
        from assistant.loading import load_agent
    except ImportError:  # an older tree
        from dialogue.agent import Agent

        return Agent.load(project, models, seed=0)
    return load_agent(project, models, seed=0)


def _spans(entities) -> set[tuple[str, int, int]]:
    return {(e.entity, e.start, e.end) for e in entities}


def _language(text: str) -> str:
    return "zh" if CJK.search(text) else "en"


def _scores(examples, messages) -> dict:
    correct = sum(m.intent.name == e.retrieval_intent[0] for m, e in zip(messages, examples))
    gold = [{(s.entity, s.start, s.end) for s in e.entities} for e in examples]
    found = [_spans(m.entities) for m in messages]
    hits = sum(len(g & f) for g, f in zip(gold, found))
    precision = hits / max(1, sum(map(len, found)))
    recall = hits / max(1, sum(map(len, gold)))
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return {"examples": len(examples), "intent_accuracy": round(100 * correct / len(examples), 2),
            "entity_f1": round(100 * f1, 2),
            "fallback": sum(m.intent.name == "nlu_fallback" for m in messages)}


@click.command()
@click.option("--project", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--models", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--tree", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Import Switchboard from this checkout instead.")
@click.option("--repeat", default=3, show_default=True, help="Latency passes over the set.")
def main(project: Path, models: Path | None, tree: Path | None, repeat: int) -> None:
    sys.path.insert(0, str((tree or Path(__file__).resolve().parent.parent).resolve()))
    agent = _load(project, models or project / "models")
    examples = agent.project.tests.examples
    messages = [agent.understand(e.text) for e in examples]  # warm-up and the figures
    result = {"all": _scores(examples, messages)}
    for language in ("en", "zh"):  # by the script of the text, not by what the model says
        pairs = [(e, m) for e, m in zip(examples, messages) if _language(e.text) == language]
        if pairs and len(pairs) < len(examples):
            result[language] = _scores(*map(list, zip(*pairs)))
    timings = []
    for _ in range(repeat):
        for example in examples:
            started = time.perf_counter()
            agent.understand(example.text)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    result["p50_ms"] = round(statistics.median(timings), 2)
    result["p99_ms"] = round(timings[int(0.99 * (len(timings) - 1))], 2)
    click.echo(json.dumps(result))


if __name__ == "__main__":
    main()
