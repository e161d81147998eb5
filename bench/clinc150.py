"""CLINC150: in-scope accuracy and out-of-scope recall of the joint model, and its training time.

    python bench/clinc150.py [--trainable-layers 3] [--epochs 20] [--out bench/results/clinc150.json]

Reads ../shared/datasets/clinc150 (Larson et al. 2019, CC-BY-3.0; its README has the protocol).
Trains the NLU's joint model (the default recipe unless options say otherwise) on train.jsonl
with its 100 `oos` rows as an intent of their own, early-stopping on dev.jsonl. Then two ways of
saying "out of scope", both scored on test.jsonl:

  class       the predicted intent is `oos`
  class + t   `oos`, or the top confidence is under a threshold t chosen on dev.jsonl only (the
              one that maximises in-scope accuracy + oos recall there), as the pipeline's
              fallback threshold does

In-scope accuracy is over the 4,500 in-scope test rows (a row predicted out of scope is wrong);
oos recall over the 1,000 `oos` rows; oos precision over the rows predicted out of scope.
Published (the paper's Table 2, Full, BERT): 96.9 / 40.3 (oos as a class), 96.2 / 52.3 (threshold).
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "datasets" / "clinc150"
OOS = "oos"


def read(split: str) -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in (DATA / f"{split}.jsonl").read_text().splitlines() if line.strip()]
    return [(row["text"], row["intent"]) for row in rows]


def training_data(rows: list[tuple[str, str]]):
    from core.training_data import Example, TrainingData

    return TrainingData(examples=[Example(text, intent) for text, intent in rows])


def predictions(parser, texts: list[str], batch: int = 64) -> list[tuple[str, float]]:
    out = []
    for lo in range(0, len(texts), batch):
        out += [(m.intent.name, m.intent.confidence) for m in parser.parse_batch(texts[lo : lo + batch])]
    return out


def scores(gold: list[str], predicted: list[tuple[str, float]], threshold: float) -> dict[str, float]:
    said = [OOS if intent == OOS or confidence < threshold else intent for intent, confidence in predicted]
    in_scope = [(g, s) for g, s in zip(gold, said) if g != OOS]
    oos_said = [g for g, s in zip(gold, said) if s == OOS]
    oos_gold = [s for g, s in zip(gold, said) if g == OOS]
    return {"in_scope_accuracy": 100 * sum(g == s for g, s in in_scope) / len(in_scope),
            "oos_recall": 100 * sum(s == OOS for s in oos_gold) / max(1, len(oos_gold)),
            "oos_precision": 100 * sum(g == OOS for g in oos_said) / max(1, len(oos_said))}


def best_threshold(gold: list[str], predicted: list[tuple[str, float]]) -> float:
    """The threshold (0.00 .. 0.99) with the highest in-scope accuracy + oos recall."""
    def total(t: float) -> float:
        s = scores(gold, predicted, t)
        return s["in_scope_accuracy"] + s["oos_recall"]
    return max((t / 100 for t in range(100)), key=total)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=None, help="default: the recipe's")
    p.add_argument("--trainable-layers", type=int, default=None, help="default: the recipe's")
    p.add_argument("--encoder", default=None, help="default: the recipe's (MiniLM-L6)")
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args()

    from nlu import NLUConfig, NLUParser, train_nlu

    overrides = {k: v for k, v in (("epochs", args.epochs), ("trainable_layers", args.trainable_layers),
                                   ("encoder", args.encoder)) if v is not None}
    config = NLUConfig(time_budget_s=None, **overrides)
    train, dev, test = read("train"), read("dev"), read("test")
    model_dir = Path(tempfile.mkdtemp()) / "nlu"
    started = time.perf_counter()
    report = train_nlu(training_data(train), config, model_dir, device="cpu",
                       dev_data=training_data(dev))
    train_s = time.perf_counter() - started
    parser = NLUParser.load(model_dir)
    dev_pred = predictions(parser, [t for t, _ in dev])
    threshold = best_threshold([i for _, i in dev], dev_pred)
    test_gold = [i for _, i in test]
    test_pred = predictions(parser, [t for t, _ in test])
    result = {"train_seconds": round(train_s, 1), "epochs_run": report.epochs_run,
              "best_epoch": report.best_epoch, "steps": report.steps,
              "stopped_because": report.stopped_because, "threshold": threshold,
              "config": {k: getattr(config, k) for k in ("encoder", "epochs", "trainable_layers",
                                                         "batch_size", "learning_rate", "patience")},
              "class": scores(test_gold, test_pred, 0.0),
              "class_and_threshold": scores(test_gold, test_pred, threshold),
              "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    print(f"trained in {train_s:.0f} s ({report.epochs_run} epochs, best {report.best_epoch}, "
          f"{report.steps} steps, {report.stopped_because}); threshold on dev: {threshold:.2f}")
    print(f"{'rule':<16}{'in-scope acc':>14}{'oos recall':>12}{'oos precision':>15}")
    for rule, key in (("class", "class"), (f"class + {threshold:.2f}", "class_and_threshold")):
        s = result[key]
        print(f"{rule:<16}{s['in_scope_accuracy']:>14.2f}{s['oos_recall']:>12.2f}{s['oos_precision']:>15.2f}")
    print("published BERT (Larson et al. 2019, Full): 96.9 / 40.3 as a class, 96.2 / 52.3 with a threshold")
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
