"""BANKING77: intent accuracy of the joint model on 10k examples / 77 intents, and its training time.

    python bench/banking77.py --data DIR [--time-budget 1140] [--trainable-layers 2] [--out F.json]

DIR holds train.csv and test.csv (columns `text,category`) from PolyAI's
task-specific-datasets repository, `banking_data/` (Casanueva et al. 2020, CC-BY-4.0): it is not
in ../shared/datasets, so the data is read from wherever it was cloned, never copied here.

Trains as `cli.py train` would: the trainer's own stratified dev split of train.csv (there is
no official dev set), early stopping on it, the best epoch kept, and, with --time-budget, the
wall-clock cap a project's config can set. Scores intent accuracy on the 3,080 test rows.
Published (the paper's Table 3, full data, BERT-base fine-tuned): 93.66.
"""
from __future__ import annotations

import argparse
import csv
import json
import resource
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.clinc150 import predictions, training_data  # noqa: E402

PUBLISHED = 93.66


def read(path: Path) -> list[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return [(row["text"], row["category"]) for row in csv.DictReader(f)]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, required=True, help="the directory with train.csv and test.csv")
    p.add_argument("--epochs", type=int, default=None, help="default: the recipe's")
    p.add_argument("--trainable-layers", type=int, default=None, help="default: the recipe's")
    p.add_argument("--time-budget", type=float, default=None, help="seconds; default: none")
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args()

    from nlu import NLUConfig, NLUParser, train_nlu

    overrides = {k: v for k, v in (("epochs", args.epochs), ("trainable_layers", args.trainable_layers))
                 if v is not None}
    config = NLUConfig(time_budget_s=args.time_budget, **overrides)
    train, test = read(args.data / "train.csv"), read(args.data / "test.csv")
    model_dir = Path(tempfile.mkdtemp()) / "nlu"
    started = time.perf_counter()
    report = train_nlu(training_data(train), config, model_dir, device="cpu", progress=False)
    train_s = time.perf_counter() - started
    parser = NLUParser.load(model_dir)
    predicted = predictions(parser, [text for text, _ in test])
    accuracy = 100 * sum(p == gold for (p, _), (_, gold) in zip(predicted, test)) / len(test)
    result = {"train_seconds": round(train_s, 1), "epochs_run": report.epochs_run,
              "best_epoch": report.best_epoch, "steps": report.steps,
              "stopped_because": report.stopped_because, "train_rows": report.train_examples,
              "dev_rows": report.dev_examples, "dev_metrics": report.metrics(),
              "history": [asdict(epoch) for epoch in report.history],
              "config": {k: getattr(config, k) for k in ("encoder", "epochs", "trainable_layers",
                                                         "batch_size", "learning_rate", "patience",
                                                         "time_budget_s")},
              "test_rows": len(test), "test_intent_accuracy": round(accuracy, 2),
              "published_bert_base": PUBLISHED,
              "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    print(f"trained in {train_s:.0f} s ({report.epochs_run} epochs, best {report.best_epoch}, "
          f"{report.steps} steps, {report.stopped_because}) on {report.train_examples} rows, dev {report.dev_examples}")
    print(f"test intent accuracy {accuracy:.2f} over {len(test)} rows "
          f"(published BERT-base, Casanueva et al. 2020: {PUBLISHED})")
    if args.out:
        args.out.write_text(json.dumps(result, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
