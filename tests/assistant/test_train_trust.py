"""Training you can trust (issue 17 point 4): no wall-clock cap by default; a cap that stops
training, or a model far below what the data supports, is refused with a message and the
models in use stay; `--allow-partial` keeps it, loudly; a train that fails half-way
replaces nothing (models/.staging is swapped in whole or not at all)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nlu.config import NLUConfig
from tests.test_cli_train_shell import MINI, cli
from tests.tiny_bert import build_tiny_bert

CONFIG = ('version: "3.1"\nlanguage: en\npipeline:\n- name: JointBERT\n  encoder: {encoder}\n'
          "  epochs: 40\n  batch_size: 4\n  learning_rate: 0.003\n  head_learning_rate: 0.01\n"
          "  dev_fraction: 0\n{extra}- name: FallbackClassifier\n  threshold: 0.3\n")
NEW_STORY = "\n- story: added later\n  steps:\n  - intent: greet\n  - action: utter_greet\n"


@pytest.fixture
def trained(tmp_path: Path) -> tuple[Path, str]:
    from project.loader import load_project

    root = tmp_path / "project"
    shutil.copytree(MINI, root)
    texts = [e.text for e in load_project(MINI).data.examples]
    encoder = str(build_tiny_bert(tmp_path / "tiny_bert", texts))
    (root / "config.yml").write_text(CONFIG.format(encoder=encoder, extra=""))
    assert cli("train", "-p", str(root)).returncode == 0
    return root, encoder


def fingerprints(root: Path) -> tuple[str, str]:
    nlu = json.loads((root / "models" / "nlu" / "metadata.json").read_text())["fingerprint"]
    dialogue = json.loads((root / "models" / "dialogue" / "metadata.json").read_text())["fingerprint"]
    return nlu, dialogue


def test_there_is_no_wall_clock_cap_by_default() -> None:
    assert NLUConfig().time_budget_s is None


def test_a_cap_that_stops_training_is_refused_unless_allow_partial(trained) -> None:
    root, encoder = trained
    before = fingerprints(root)
    (root / "config.yml").write_text(CONFIG.format(encoder=encoder, extra="  max_steps: 2\n"))
    stories = root / "data" / "stories.yml"
    stories.write_text(stories.read_text() + NEW_STORY)
    refused = cli("train", "-p", str(root))
    assert refused.returncode != 0
    said = refused.stdout + refused.stderr
    assert "training was stopped by `max_steps` after 2 optimizer steps" in said
    assert "--allow-partial" in said
    assert fingerprints(root) == before  # neither the NLU nor the new dialogue model went in
    assert not (root / "models" / ".staging").exists()

    kept = cli("train", "-p", str(root), "--allow-partial")
    assert kept.returncode == 0
    assert "--allow-partial: the new NLU model is in use although training was stopped" in kept.stdout
    after = fingerprints(root)
    assert after[0] != before[0] and after[1] != before[1]


def test_a_train_that_fails_half_way_replaces_nothing(trained) -> None:
    root, _ = trained
    before = fingerprints(root)
    (root / "config.yml").write_text(CONFIG.format(encoder=str(root / "no-such-encoder"), extra=""))
    stories = root / "data" / "stories.yml"
    stories.write_text(stories.read_text() + NEW_STORY)
    failed = cli("train", "-p", str(root))
    assert failed.returncode != 0
    assert fingerprints(root) == before
    assert sorted(p.name for p in (root / "models").iterdir()) == ["dialogue", "nlu"]


def test_quality_problems_name_what_to_do() -> None:
    from nlu.quality import baseline_accuracy, problems
    from nlu.report import EpochScores, TrainReport
    from core.training_data import Example

    def report(accuracy: float, baseline: float | None, stopped: str = "early_stopping") -> TrainReport:
        scores = EpochScores(1, 0.1, accuracy, None, 1.0)
        return TrainReport(Path("m"), "f", "cpu", 900, 100, 1, 1, 30, 5.0, stopped, (scores,), baseline)

    assert problems(report(0.95, 0.90)) == []
    assert problems(report(0.92, 0.95)) == []  # within the margin: noise on a small dev set
    (under,) = problems(report(0.80, 0.95))
    assert "80.0%, under the 95.0% of a TF-IDF baseline" in under
    (low,) = problems(report(0.3, None))
    assert "dev intent accuracy is 30.0% (under 50%)" in low
    assert "stopped by `time_budget_s`" in problems(report(0.95, 0.9, "time_budget"))[0]

    train = [Example(t, i) for i, ts in (("greet", "hi hello hey hiya"), ("bye", "bye ciao farewell later"))
             for t in ts.split()]
    assert baseline_accuracy(train, [Example("hello there", "greet"), Example("bye now", "bye")]) == 1.0
    assert baseline_accuracy(train, []) is None
