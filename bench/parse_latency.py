"""Held-out accuracy and single-message parse latency of a trained project, on each runtime
(torch, ONNX Runtime) with fp32, int8 feed-forward layers (the default) and int8 everywhere.

    python bench/parse_latency.py                 # the example assistant, models/nlu
    python bench/parse_latency.py -p ../shared/rasa-projects/moodbot --models /tmp/mood

Scores the project's held-out NLU file (tests/*.yml `nlu:` examples): intent accuracy
and exact-span entity micro F1. Latency: `--messages` single `parse()` calls over the
held-out texts after 20 warm-up calls, `--threads` torch threads; median and p99. Agreement:
the share of held-out messages whose intent and entities equal torch fp32's.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from project.loader import load_project  # noqa: E402
from core.training_data import Example  # noqa: E402


def scores(parser, examples: list[Example]) -> tuple[float, float]:
    messages = parser.parse_batch([e.text for e in examples])
    accuracy = sum(m.intent.name == e.retrieval_intent[0] for m, e in zip(messages, examples)) / len(examples)
    gold = {(i, s.entity, s.start, s.end) for i, e in enumerate(examples) for s in e.entities}
    found = {(i, x.entity, x.start, x.end) for i, m in enumerate(messages) for x in m.entities}
    f1 = 2 * len(gold & found) / (len(gold) + len(found)) if gold or found else 1.0
    return 100 * accuracy, 100 * f1


def latency(parser, texts: list[str], messages: int) -> tuple[float, float]:
    for text in texts[:20]:
        parser.parse(text)
    times = []
    for i in range(messages):
        start = time.perf_counter()
        parser.parse(texts[i % len(texts)])
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    args.add_argument("-p", "--project", type=Path, default=Path("."))
    args.add_argument("--models", type=Path, default=None, help="default: PROJECT/models")
    args.add_argument("--messages", type=int, default=300)
    args.add_argument("--threads", type=int, default=2)
    args.add_argument("--runtimes", nargs="+", default=["torch", "onnx"], choices=["torch", "onnx"],
                      help="torch first: its fp32 answers are what agreement is measured against")
    opts = args.parse_args()
    import torch

    from assistant.train import nlu_dir
    from nlu import NLUParser

    warnings.simplefilter("ignore")  # torch.ao.quantization's deprecation notice
    torch.set_num_threads(opts.threads)
    examples = load_project(opts.project).tests.examples
    if not examples:
        sys.exit("no held-out NLU examples in the project's tests/ folder")
    table = Table(title=f"{opts.project.resolve().name}: {len(examples)} held-out messages")
    for column in ("runtime", "weights", "intent acc", "entity F1", "agree %", "p50 ms", "p99 ms"):
        table.add_column(column, justify="right")
    labels = {"none": "fp32 (default)", "ffn": "int8 FFN", "all": "int8 all"}
    texts = [e.text for e in examples]
    reference = None
    for runtime in opts.runtimes:
        for mode, label in labels.items():
            parser = NLUParser.load(nlu_dir(opts.models or opts.project / "models"), quantize=mode,
                                    runtime=runtime)
            accuracy, f1 = scores(parser, examples)
            answers = [(m.intent.name, [(x.entity, x.start, x.end) for x in m.entities])
                       for m in parser.parse_batch(texts)]
            reference = reference or answers
            agree = 100 * sum(a == b for a, b in zip(answers, reference)) / len(answers)
            p50, p99 = latency(parser, texts, opts.messages)
            table.add_row(runtime, label, f"{accuracy:.1f}", f"{f1:.1f}", f"{agree:.1f}",
                          f"{p50:.2f}", f"{p99:.2f}")
    Console().print(table)


if __name__ == "__main__":
    main()
