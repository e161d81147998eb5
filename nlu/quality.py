"""Is a trained NLU model good enough to replace the one in use?

`baseline_accuracy(train, dev)` trains the non-neural baseline (TF-IDF over character
n-grams + logistic regression, scikit-learn) on the same split in a second or two;
`problems(report)` says what is wrong with a training run, in words a support team can act
on: a cap that stopped it, a dev intent accuracy under `MIN_DEV_ACCURACY`, or more than
`BASELINE_MARGIN` (and two dev examples) under the baseline. `cli.py train` refuses such a model (the previous set
stays in use) unless `--allow-partial`.
"""
from __future__ import annotations

from typing import Sequence

from core.training_data import Example

MIN_DEV_ACCURACY = 0.5
BASELINE_MARGIN = 0.05  # dev sets are small: a few points under the baseline is noise
BASELINE_SLACK = 2  # ... and so are two dev examples, on a set of a few dozen


def baseline_accuracy(train: Sequence[Example], dev: Sequence[Example]) -> float | None:
    """The baseline's dev intent accuracy (None without two intents or a dev set)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    intents = {e.intent for e in train}
    scored = [e for e in dev if e.intent in intents]
    if len(intents) < 2 or not scored:
        return None
    model = make_pipeline(TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True),
                          LogisticRegression(max_iter=2000, C=10.0))
    model.fit([e.text.lower() for e in train], [e.intent for e in train])
    predicted = model.predict([e.text.lower() for e in scored])
    return sum(p == e.intent for p, e in zip(predicted, scored)) / len(scored)


def problems(report) -> list[str]:
    """What makes this run's model untrustworthy (empty: none). `report`: nlu.report.TrainReport."""
    found = []
    if report.stopped_because in ("time_budget", "max_steps"):
        cap = ("time_budget_s" if report.stopped_because == "time_budget" else "max_steps")
        found.append(f"training was stopped by `{cap}` after {report.steps} optimizer steps "
                     f"({report.epochs_run} epochs, {report.train_seconds:.0f} s), before it "
                     f"finished: raise or remove `{cap}` in config.yml")
    if not report.dev_examples or not report.history:
        return found
    accuracy = report.best.dev_intent_accuracy
    baseline = report.baseline_intent_accuracy
    if accuracy < MIN_DEV_ACCURACY:
        found.append(f"dev intent accuracy is {accuracy:.1%} (under {MIN_DEV_ACCURACY:.0%}): check "
                     "that each intent has enough distinct examples, or train longer (`epochs:`)")
    elif baseline is not None and accuracy < baseline - max(
            BASELINE_MARGIN, BASELINE_SLACK / report.dev_examples):
        found.append(f"dev intent accuracy is {accuracy:.1%}, under the {baseline:.1%} of a "
                     "TF-IDF baseline trained on the same data: train longer (`epochs:`) or "
                     "check the encoder")
    return found
