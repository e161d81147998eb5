"""`cli.py test nlu` (and bare `cli.py test`) on the mini project with a tiny BERT: the
report files Rasa writes, their contents checked against the pipeline's own predictions,
cross-validation, and clear errors for a bad `--nlu` file. The scoring functions of
`nlu.evaluation` are tested on hand-made spans."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.message import Entity, IntentScore, Message
from core.training_data import EntitySpan, Example
from nlu import evaluation as ev
from project.loader import load_project
from tests.tiny_bert import build_tiny_bert

HERE = Path(__file__).parent
CLI = HERE.parent.parent / "cli.py"
MINI = HERE.parent / "fixtures" / "mini_project"
PNG = b"\x89PNG\r\n\x1a\n"
AVERAGES = {"accuracy", "macro avg", "weighted avg"}
SCORES = {"precision", "recall", "f1-score", "support"}

NLU_TEST = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - hello
    - hi there
- intent: goodbye
  examples: |
    - bye bye
- intent: order_status
  examples: |
    - where is order [54321](order_id)
    - status of my order [11111](order_id)
- intent: inform
  examples: |
    - my email is [c@d.com](email)
    - it is [22222](order_id)
"""
NLU_TEST_ZH = """version: "3.1"
nlu:
- intent: order_status
  examples: |
    - 订单[12345](order_id)到哪了
"""


def cli(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, str(CLI), *args], capture_output=True, text=True,
                            timeout=600, env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"})
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini project with a regex, NLU test files (English and Chinese) and a test story,
    trained once."""
    from assistant.project import load_checked_project
    from assistant.train import train_project

    root = tmp_path_factory.mktemp("nlu_report") / "project"
    shutil.copytree(MINI, root)
    (root / "data" / "regex.yml").write_text(
        'version: "3.1"\nnlu:\n- regex: order_id\n  examples: |\n    - \\d{5}\n')
    tests = root / "tests"
    tests.mkdir()
    (tests / "nlu_test.yml").write_text(NLU_TEST)
    (tests / "nlu_test_zh.yml").write_text(NLU_TEST_ZH, encoding="utf-8")
    (tests / "test_stories.yml").write_text(
        'version: "3.1"\nstories:\n- story: greeting\n  steps:\n  - intent: greet\n'
        "  - action: utter_greet\n")
    texts = [e.text for e in load_project(MINI).data.examples] + [NLU_TEST, NLU_TEST_ZH]
    encoder = build_tiny_bert(root.parent / "tiny_bert", texts)
    (root / "config.yml").write_text(
        'version: "3.1"\nlanguage: en\npipeline:\n- name: JointBERT\n'
        f"  encoder: {encoder}\n  epochs: 40\n  batch_size: 4\n  learning_rate: 0.003\n"
        "  head_learning_rate: 0.01\n  dev_fraction: 0\n  time_budget_s: null\n"
        "- name: RegexEntityExtractor\n- name: FallbackClassifier\n  threshold: 0.3\n")
    train_project(load_checked_project(root), root / "models", progress=False, allow_partial=True)
    return root


def pipeline_predictions(root: Path) -> dict[str, str]:
    """text -> intent, from the project's pipeline parsing one text at a time."""
    from assistant.project import load_checked_project
    from nlu import NLUParser
    from nlu.build import build_project_pipeline

    loaded = load_checked_project(root)
    pipeline = build_project_pipeline(loaded, NLUParser.load(root / "models" / "nlu"))
    return {e.text: pipeline.process(e.text).intent.name for e in loaded.tests.examples}


def test_nlu_writes_the_reports_rasa_writes(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    result = cli("test", "nlu", "-p", str(project), "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Worst intents" in result.stdout and "NLU: intent accuracy" in result.stdout
    for name in ("intent_confusion_matrix.png", "intent_histogram.png"):
        assert (out / name).read_bytes()[:8] == PNG
        from matplotlib.image import imread

        height, width = imread(out / name).shape[:2]
        assert height > 300 and width > 300

    gold = {e.text: e.intent for e in load_project(project).tests.examples}
    predicted = pipeline_predictions(project)
    report = json.loads((out / "intent_report.json").read_text())
    assert set(report) == set(gold.values()) | set(predicted.values()) | AVERAGES
    from sklearn.metrics import classification_report

    texts = list(gold)
    assert report == json.loads(json.dumps(classification_report(
        [gold[t] for t in texts], [predicted[t] for t in texts], output_dict=True,
        zero_division=0)))
    errors = json.loads((out / "intent_errors.json").read_text())
    assert {e["text"] for e in errors} == {t for t in texts if gold[t] != predicted[t]}
    for entry in errors:
        assert entry["intent"] == gold[entry["text"]]
        assert entry["intent_prediction"]["name"] == predicted[entry["text"]]
        assert 0 <= entry["intent_prediction"]["confidence"] <= 1

    for extractor in ("JointBERT", "RegexEntityExtractor"):
        entities = json.loads((out / f"{extractor}_report.json").read_text())
        assert {"micro avg", "macro avg", "weighted avg"} <= set(entities)
        assert all(set(scores) == SCORES for scores in entities.values())
        assert isinstance(json.loads((out / f"{extractor}_errors.json").read_text()), list)
    regex = json.loads((out / "RegexEntityExtractor_report.json").read_text())
    assert regex["order_id"]["recall"] == 1.0  # the regex finds every 5-digit id, Chinese too
    assert regex["order_id"]["support"] == 4
    assert not (project / "results").exists()  # --out was honoured


def test_cross_validation_scores_every_training_example_once(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "cv"
    result = cli("test", "nlu", "-p", str(project), "--cross-validation", "2", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "fold 1 of 2" in result.stdout and "fold 2 of 2" in result.stdout
    assert "2-fold cross-validation" in result.stdout
    report = json.loads((out / "intent_report.json").read_text())
    assert report["macro avg"]["support"] == len(load_project(project).data.examples)
    assert (out / "intent_confusion_matrix.png").read_bytes()[:8] == PNG


def test_bare_test_runs_the_nlu_then_the_stories(project: Path) -> None:
    result = cli("test", "-p", str(project))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert out.index("NLU: intent accuracy") < out.index("1/1 stories passed")
    for name in ("intent_report.json", "story_report.json", "failed_test_stories.yml"):
        assert (project / "results" / name).is_file()
    core = cli("test", "core", "-p", str(project))
    assert core.returncode == 0 and "stories passed" in core.stdout
    assert "NLU:" not in core.stdout


def test_a_bad_nlu_file_is_named_with_its_line(project: Path, tmp_path: Path) -> None:
    missing = cli("test", "nlu", "-p", str(project), "--nlu", str(tmp_path / "nope.yml"))
    assert missing.returncode == 1
    assert "nope.yml: --nlu: not found" in missing.stderr
    bad = tmp_path / "bad.yml"
    bad.write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: [1, 2]\n  oops: 3\n')
    invalid = cli("test", "nlu", "-p", str(project), "--nlu", str(bad))
    assert invalid.returncode == 1
    assert f"{bad}:5: nlu[0].oops:" in invalid.stderr, invalid.stderr
    empty = tmp_path / "stories_only.yml"
    empty.write_text('version: "3.1"\nstories: []\n')
    none = cli("test", "nlu", "-p", str(project), "--nlu", str(empty))
    assert none.returncode == 1 and "No labelled NLU examples" in none.stderr


# ---- nlu.evaluation on hand-made data -------------------------------------------------

def test_char_bio_tags_chinese_character_by_character() -> None:
    assert ev.char_bio("订单12345到哪了", [("order_id", 2, 7)]) == \
        ["O", "O", "B-order_id"] + ["I-order_id"] * 4 + ["O", "O", "O"]


def test_entity_report_counts_exact_spans_only() -> None:
    example = Example("订单12345到哪了", "order_status", (EntitySpan(2, 7, "order_id", "12345", "12345"),))
    exact = Entity("order_id", 2, 7, "12345", "12345")
    short = Entity("order_id", 2, 6, "1234", "1234")
    assert ev.entity_report([example], [[exact]])["micro avg"]["f1-score"] == 1.0
    assert ev.entity_report([example], [[short]])["order_id"]["f1-score"] == 0.0
    assert ev.entity_report([Example("hi", "greet")], [[]]) is None
    assert ev.entity_errors([example], [[short]])[0]["predicted_entities"][0]["end"] == 6
    assert ev.entity_errors([example], [[exact]]) == []


def test_intent_errors_list_the_wrong_predictions_most_confident_first() -> None:
    examples = [Example("a", "x"), Example("b", "y"), Example("c", "y")]
    messages = [Message("a", IntentScore("x", 0.9)), Message("b", IntentScore("x", 0.5)),
                Message("c", IntentScore("z", 0.8))]
    errors = ev.intent_errors(examples, messages)
    assert [e["text"] for e in errors] == ["c", "b"]
    assert errors[0] == {"text": "c", "intent": "y",
                         "intent_prediction": {"name": "z", "confidence": 0.8}}
    assert ev.most_confused(["y", "y", "y"], ["x", "z", "x"]) == {"y": ("x", 2)}


def test_stratified_folds_spread_each_intent() -> None:
    examples = [Example(str(i), intent) for i, intent in enumerate("aaaabbbcc")]
    folds = ev.stratified_folds(examples, 3)
    assert sorted(i for f in folds for i in f) == list(range(len(examples)))
    assert max(map(len, folds)) - min(map(len, folds)) <= 1
    for intent in "abc":
        per_fold = [sum(examples[i].intent == intent for i in f) for f in folds]
        assert max(per_fold) - min(per_fold) <= 1
