"""`cli.py init DIR`: the new project it writes validates, registers its own custom action,
refuses to overwrite a folder, and trains and chats (with a tiny BERT) from another folder."""
from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import SwitchboardError
from project.loader import load_project
from tests.tiny_bert import build_tiny_bert

CLI = Path(__file__).resolve().parents[2] / "cli.py"
FILES = {".gitignore", "README.md", "config.yml", "domain.yml", "data/nlu.yml", "data/rules.yml",
         "data/stories.yml", "tests/test_stories.yml", "actions/__init__.py"}
CUSTOMER = ["hi", "I am sad", "are you a bot?", "bye"]


def cli(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, str(CLI), *args], input=stdin, capture_output=True,
                            text=True, timeout=300, cwd=cwd,
                            env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"})
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def test_init_writes_the_starter_files(tmp_path: Path) -> None:
    from assistant.init import init_project

    written = init_project(tmp_path / "bot")
    assert {p.relative_to(tmp_path / "bot").as_posix() for p in written} == FILES
    assert all(p.is_file() and p.stat().st_size > 0 for p in written)
    assert "models/" in (tmp_path / "bot" / ".gitignore").read_text()


def test_new_project_validates_without_errors(tmp_path: Path) -> None:
    from assistant.init import init_project
    from dialogue.registry import unregistered_actions

    init_project(tmp_path / "bot")
    project = load_project(tmp_path / "bot", strict=False)
    assert project.errors == [] and project.warnings == []
    assert {"greet", "mood_unhappy", "bot_challenge", "human_handoff"} <= set(project.domain.intents)
    assert list(project.domain.handoff.trigger_intents) == ["human_handoff"]
    counts = {}
    for example in project.data.examples:
        counts[example.intent] = counts.get(example.intent, 0) + 1
    assert set(counts) == set(project.domain.intents) and min(counts.values()) >= 10
    assert project.tests.stories and unregistered_actions(project.domain, tmp_path / "bot") == []


def test_refuses_a_non_empty_folder_unless_forced(tmp_path: Path) -> None:
    from assistant.init import init_project

    (tmp_path / "bot").mkdir()
    init_project(tmp_path / "bot")  # an empty folder is fine
    (tmp_path / "bot" / "domain.yml").write_text("mine")
    (tmp_path / "bot" / "notes.txt").write_text("keep me")
    with pytest.raises(SwitchboardError, match="not empty.*--force"):
        init_project(tmp_path / "bot")
    assert (tmp_path / "bot" / "domain.yml").read_text() == "mine"
    init_project(tmp_path / "bot", force=True)
    assert (tmp_path / "bot" / "domain.yml").read_text() != "mine"
    assert (tmp_path / "bot" / "notes.txt").read_text() == "keep me"
    (tmp_path / "file").write_text("x")
    with pytest.raises(SwitchboardError, match="not a folder"):
        init_project(tmp_path / "file")


def test_custom_action_is_registered_from_the_new_project(tmp_path: Path) -> None:
    from assistant.init import init_project
    from core.events import BotUttered
    from core.imports import project_prefix
    from core.tracker import Tracker
    from dialogue.registry import load_project_actions

    root = tmp_path / "bot"
    init_project(root)
    actions = load_project_actions(root).actions
    assert set(actions) == {"action_cheer_up"}  # none of the example's actions
    cheer_up = actions["action_cheer_up"]
    assert cheer_up.__module__.startswith(project_prefix(root) + ".")
    assert Path(inspect.getfile(cheer_up)).resolve() == (root / "actions" / "__init__.py").resolve()
    events = cheer_up(Tracker("test"), load_project(root).domain)
    assert len(events) == 1 and isinstance(events[0], BotUttered) and "cheer you up" in events[0].text


def test_cli_init_refuses_to_overwrite(tmp_path: Path) -> None:
    first = cli("init", "bot", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "domain.yml" in first.stdout and "train -p bot" in first.stdout and "shell -p bot" in first.stdout
    again = cli("init", "bot", cwd=tmp_path)
    assert again.returncode == 1 and "not empty" in again.stderr
    assert cli("init", "bot", "--force", cwd=tmp_path).returncode == 0


def replies_per_message(shell_output: str) -> dict[str, list[str]]:
    """{customer message: the bot's replies to it}, from piped `cli.py shell` output."""
    replies: dict[str, list[str]] = {}
    current = None
    for line in shell_output.splitlines():
        if line.startswith("You: "):
            current = line[len("You: "):]
            replies[current] = []
        elif line.startswith("Bot: ") and current is not None:
            replies[current].append(line[len("Bot: "):])
    return replies


def test_train_and_chat_round_trip_from_another_folder(tmp_path: Path) -> None:
    root = tmp_path / "newbot"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert cli("init", str(root), cwd=elsewhere).returncode == 0
    texts = [e.text for e in load_project(root).data.examples] + ["asdf qwerty"]
    encoder = build_tiny_bert(tmp_path / "tiny_bert", texts)
    (root / "config.yml").write_text(
        'version: "3.1"\nlanguage: en\npipeline:\n- name: JointBERT\n'
        f"  encoder: {encoder}\n  epochs: 40\n  batch_size: 8\n  learning_rate: 0.003\n"
        "  head_learning_rate: 0.01\n  dev_fraction: 0\n  time_budget_s: null\n"
        "- name: FallbackClassifier\n  threshold: 0.3\n"
        "policies:\n- name: RulePolicy\n- name: MemoizationPolicy\n- name: MLPolicy\n  max_history: 5\n"
    )
    validated = cli("validate", "-p", str(root), cwd=elsewhere)
    assert validated.returncode == 0 and "Project is valid" in validated.stdout, validated.stderr
    trained = cli("train", "-p", str(root), cwd=elsewhere)
    assert trained.returncode == 0 and "Trained NLU" in trained.stdout, trained.stderr
    assert (root / "models").is_dir() and not (elsewhere / "models").exists()

    chat = cli("shell", "-p", str(root), cwd=elsewhere, stdin="".join(f"{m}\n" for m in CUSTOMER))
    assert chat.returncode == 0, chat.stderr
    replies = replies_per_message(chat.stdout)
    assert list(replies) == CUSTOMER
    for message, said in replies.items():
        assert said, f"no reply to {message!r}:\n{chat.stdout}"
    assert "How are you" in replies["hi"][0]
    assert "cheer you up" in replies["I am sad"][0]  # the project's own custom action
    assert "Did that help you?" in replies["I am sad"]
    assert "I'm a bot" in replies["are you a bot?"][0]
    assert replies["bye"][0] in ("Bye! Take care.", "Goodbye, have a lovely day!")

    handoff = cli("shell", "-p", str(root), cwd=elsewhere, stdin="talk to a human\n")
    assert "handing you over" in handoff.stdout, handoff.stdout

    tested = cli("test", "-p", str(root), cwd=elsewhere)
    assert "stories passed" in tested.stdout, tested.stdout + tested.stderr
