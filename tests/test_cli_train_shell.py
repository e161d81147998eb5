"""`cli.py train` and `cli.py shell` as a user runs them, on the mini project with a tiny BERT.

Training is skipped when neither the NLU data nor its config changed; response text
edits never retrain; the shell reads piped input and never shows a traceback.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from project.loader import load_project
from tests.tiny_bert import build_tiny_bert

HERE = Path(__file__).parent
CLI = HERE.parent / "cli.py"
MINI = HERE / "fixtures" / "mini_project"


def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, str(CLI), *args], input=stdin, capture_output=True,
                            text=True, timeout=300, env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"})
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "project"
    shutil.copytree(MINI, root)
    texts = [e.text for e in load_project(MINI).data.examples] + ["asdf qwerty"]
    encoder = build_tiny_bert(root.parent / "tiny_bert", texts)
    (root / "config.yml").write_text(
        'version: "3.1"\nlanguage: en\npipeline:\n- name: JointBERT\n'
        f"  encoder: {encoder}\n  epochs: 40\n  batch_size: 4\n  learning_rate: 0.003\n"
        "  head_learning_rate: 0.01\n  dev_fraction: 0\n  time_budget_s: null\n"
        "- name: FallbackClassifier\n  threshold: 0.3\n"
    )
    return root


def test_train_then_skip_until_nlu_data_changes(project: Path) -> None:
    first = cli("train", "-p", str(project))
    assert first.returncode == 0 and "Trained NLU" in first.stdout
    again = cli("train", "-p", str(project))
    assert "up to date" in again.stdout
    domain = project / "domain.yml"
    domain.write_text(domain.read_text().replace("Hello! How can I help?", "Hi, what can I do?"))
    assert "up to date" in cli("train", "-p", str(project)).stdout
    nlu = project / "data" / "nlu.yml"
    nlu.write_text(nlu.read_text().replace("    - hello there\n", "    - hello there\n    - hey\n"))
    assert "Trained NLU" in cli("train", "-p", str(project)).stdout


def test_shell_answers_piped_lines(project: Path) -> None:
    cli("train", "-p", str(project))
    result = cli("shell", "-p", str(project), "--debug", stdin="hello there\nwhere is my order 12345\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "You: hello there" in out and "You: where is my order 12345" in out
    assert "intent: greet" in out and "Bot: Hi, what can I do?" in out
    assert "order_id=12345" in out  # the regex-free tiny model still learned the entity
    assert "{order_id}" not in out


def test_shell_without_a_model_says_what_to_do(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(MINI, root)
    result = cli("shell", "-p", str(root), stdin="hi\n")
    assert result.returncode == 1
    assert "python cli.py train" in result.stderr


def test_incompatible_model_is_refused_clearly(project: Path, tmp_path: Path) -> None:
    cli("train", "-p", str(project))
    models = tmp_path / "models"
    shutil.copytree(project / "models", models)
    meta_path = models / "nlu" / "metadata.json"
    meta = json.loads(meta_path.read_text())
    meta["format_version"] = 999
    meta_path.write_text(json.dumps(meta))
    result = cli("shell", "-p", str(project), "--models", str(models), stdin="hi\n")
    assert result.returncode == 1
    assert "format_version 999" in result.stderr and "retrain" in result.stderr


def test_conversation_tests_report_the_first_wrong_turn(project: Path) -> None:
    cli("train", "-p", str(project))
    tests = project / "tests"
    tests.mkdir(exist_ok=True)
    (tests / "test_stories.yml").write_text(
        'version: "3.1"\nstories:\n'
        "- story: greeting\n  steps:\n  - intent: greet\n  - action: utter_greet\n"
        "- story: wrong on purpose\n  steps:\n  - intent: greet\n  - action: utter_goodbye\n")
    result = cli("test", "-p", str(project))
    assert result.returncode == 1
    out = result.stdout
    assert "✗ wrong on purpose" in out and "tests/test_stories.yml:10" in out
    assert "expected action utter_goodbye" in out and "got      action utter_greet" in out
    assert "1/2 stories passed" in out
    failed = (project / "results" / "failed_test_stories.yml").read_text()
    assert "- action: utter_goodbye  # predicted: utter_greet" in failed
    live = cli("test", "-p", str(project), "--live")  # every turn run for real
    assert live.returncode == 1 and "got      actions utter_greet" in live.stdout
    (tests / "test_stories.yml").unlink()
