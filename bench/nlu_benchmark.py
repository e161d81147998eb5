"""Benchmark the joint NLU against a non-neural baseline on SNIPS / ATIS.

    .venv/bin/python bench/nlu_benchmark.py --dataset snips --out results/snips.json
    .venv/bin/python bench/nlu_benchmark.py --dataset snips-1k --max-train 300 --epochs 2

Chinese (SMP2019-ECDT, CAIS; converted by bench/zh_datasets.py, character tokens):
    .venv/bin/python bench/nlu_benchmark.py --dataset /tmp/zh-nlu/smp2019 --encoder multilingual-e5-small

Reads ../shared/datasets/<dataset>/{train,dev,test} (relative to the repo root) or a directory,
trains on train, early-stops on dev, reports on test: intent accuracy, slot F1
(span-level, seqeval), sentence accuracy, training time, single-message parse
latency on CPU (p50/p99 via the real `NLUParser.parse`) and peak RSS.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.baseline import Baseline, score  # noqa: E402
from bench.seq_data import SeqExample, read_split, tags_from_entities, to_training_data  # noqa: E402

DATASETS = REPO.parent / "shared" / "datasets"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", default="snips", help="snips | atis | snips-1k | a directory")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--min-steps", type=int, default=None,
                   help="NLUConfig.min_steps (small data raises the epochs to reach it); "
                        "0 for exactly --epochs, e.g. a smoke run")
    p.add_argument("--encoder", default="all-MiniLM-L6-v2")
    p.add_argument("--device", default="auto", help="cpu | cuda | auto")
    p.add_argument("--max-train", type=int, default=None, help="seeded sample of the train split")
    p.add_argument("--max-test", type=int, default=None, help="first N test examples")
    p.add_argument("--crf", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-4, help="encoder learning rate")
    p.add_argument("--head-lr", type=float, default=1e-3)
    p.add_argument("--patience", type=int, default=5)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--latency-messages", type=int, default=300)
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads for latency")
    p.add_argument("--trainable-layers", type=int, default=None,
                   help="encoder layers fine-tuned from the top (the rest cached once); default: the recipe's")
    p.add_argument("--intent-pooling", default="cls", choices=("cls", "mean"))
    p.add_argument("--freeze-embeddings", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--quantize", action="store_true",
                   help="also score and time the CPU parser with int8 FFN layers and int8 everywhere")
    p.add_argument("--no-baseline", action="store_true")
    p.add_argument("--model-dir", type=Path, default=None, help="keep the trained model here")
    p.add_argument("--out", type=Path, default=None, help="write results as JSON")
    return p.parse_args(argv)


def load(args: argparse.Namespace) -> tuple[list[SeqExample], list[SeqExample], list[SeqExample]]:
    root = Path(args.dataset) if Path(args.dataset).is_dir() else DATASETS / args.dataset
    train, dev, test = (read_split(root, s) for s in ("train", "dev", "test"))
    if args.max_train and args.max_train < len(train):
        keep = sorted(random.Random(args.seed).sample(range(len(train)), args.max_train))
        train = [train[i] for i in keep]
    return train, dev, test[: args.max_test] if args.max_test else test


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]


def time_calls(fn: Any, texts: list[str], n: int, warmup: int = 20) -> dict[str, float]:
    """p50/p99 latency in ms of fn(text), one message at a time, after warm-up."""
    for t in texts[:warmup]:
        fn(t)
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        fn(texts[i % len(texts)])
        times.append((time.perf_counter() - t0) * 1000)
    return {"p50_ms": percentile(times, 50), "p99_ms": percentile(times, 99), "n": n}


def run_baseline(train: list[SeqExample], test: list[SeqExample], n_lat: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    model = Baseline().fit(train)
    train_s = time.perf_counter() - t0
    intents, tags = model.predict(test)
    sep = test[0].sep if test else " "
    lat = time_calls(lambda t: model.predict([SeqExample.from_text(t, sep)]),
                     [e.text for e in test], n_lat)
    return {"system": "baseline", **vars(score(test, intents, tags)),
            "train_seconds": train_s, **lat, "peak_rss_mb": peak_rss_mb()}


def run_joint(args: argparse.Namespace, train: list[SeqExample], dev: list[SeqExample],
              test: list[SeqExample], model_dir: Path) -> list[dict[str, Any]]:
    import torch

    from nlu import NLUConfig, NLUParser, train_nlu

    config = NLUConfig(encoder=args.encoder, epochs=args.epochs, batch_size=args.batch_size,
                       learning_rate=args.lr, head_learning_rate=args.head_lr,
                       use_crf=args.crf, seed=args.seed, patience=args.patience,
                       freeze_embeddings=args.freeze_embeddings,
                       trainable_layers=args.trainable_layers,
                       intent_pooling=args.intent_pooling, time_budget_s=None, ranking_size=3,
                       **({} if args.min_steps is None else {"min_steps": args.min_steps}))
    t0 = time.perf_counter()
    report = train_nlu(to_training_data(train), config, model_dir, device=args.device,
                       dev_data=to_training_data(dev))
    train_s = time.perf_counter() - t0
    parser = NLUParser.load(model_dir, device=args.device, quantize="none")
    scores = score_parser(parser, test)
    torch.set_num_threads(args.threads)
    cpu_parser = parser if report.device == "cpu" else \
        NLUParser.load(model_dir, device="cpu", quantize="none")
    lat = time_calls(cpu_parser.parse, [e.text for e in test], args.latency_messages)
    name = f"joint{' +CRF' if args.crf else ''}"
    rows = [{"system": name, **vars(scores), "train_seconds": train_s, **lat,
             "peak_rss_mb": peak_rss_mb(), "device": report.device,
             "best_epoch": report.best_epoch, "epochs_run": report.epochs_run,
             "dev": {"intent_accuracy": report.best.dev_intent_accuracy,
                     "entity_f1": report.best.dev_entity_f1}}]
    for mode in ("ffn", "all") if args.quantize else ():
        q_parser = NLUParser.load(model_dir, device="cpu", quantize=mode)
        q_lat = time_calls(q_parser.parse, [e.text for e in test], args.latency_messages)
        rows.append({"system": f"{name} int8 {mode}", **vars(score_parser(q_parser, test)),
                     "train_seconds": train_s, **q_lat, "peak_rss_mb": peak_rss_mb()})
    return rows


def score_parser(parser: Any, test: list[SeqExample]) -> Any:
    """Parse the test texts in batches and score them against the gold tokens/tags."""
    msgs = parser.parse_batch([e.text for e in test])
    tags = [tags_from_entities(e, [(x.entity, x.start, x.end) for x in m.entities])
            for e, m in zip(test, msgs)]
    return score(test, [m.intent.name for m in msgs], tags)


def print_table(dataset: str, rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"NLU benchmark: {dataset} (test); baseline = TF-IDF+LogReg / crfsuite")
    for col in ("system", "intent acc", "slot F1", "sentence acc", "train s",
                "parse p50 ms", "parse p99 ms", "peak RSS MB"):
        table.add_column(col, justify="left" if col == "system" else "right")
    for r in rows:
        table.add_row(r["system"], f"{r['intent_accuracy']:.2f}", f"{r['slot_f1']:.2f}",
                      f"{r['sentence_accuracy']:.2f}", f"{r['train_seconds']:.1f}",
                      f"{r['p50_ms']:.2f}", f"{r['p99_ms']:.2f}", f"{r['peak_rss_mb']:.0f}")
    Console(width=max(Console().width, 110)).print(table)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    train, dev, test = load(args)
    print(f"{args.dataset}: train {len(train)}, dev {len(dev)}, test {len(test)}")
    rows = [] if args.no_baseline else [run_baseline(train, test, args.latency_messages)]
    with tempfile.TemporaryDirectory() as tmp:
        rows += run_joint(args, train, dev, test, args.model_dir or Path(tmp) / "model")
    print_table(args.dataset, rows)
    result = {"dataset": args.dataset, "sizes": {"train": len(train), "dev": len(dev),
              "test": len(test)}, "args": {k: str(v) for k, v in vars(args).items()},
              "results": rows}
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
