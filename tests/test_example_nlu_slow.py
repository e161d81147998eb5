"""The example assistant on its real encoder (multilingual-e5-small: English and Chinese)
and moodbot on the default one (all-MiniLM-L6-v2).

Slow (about 8 minutes on 2 free CPU cores): it trains exactly what `make shell` trains, then
checks the held-out NLU accuracy (English and Chinese) and replays the conversation tests.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from project.loader import load_project

ROOT = Path(__file__).parent.parent
MOODBOT = ROOT.parent / "shared" / "rasa-projects" / "moodbot"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from assistant.train import train_project

    target = tmp_path_factory.mktemp("example_models")
    # all of config.yml's epochs, even on a busy machine (the time budget is a safety net
    # for users, and would make this test depend on what else runs)
    train_project(load_project(ROOT), target, progress=False, nlu_overrides={"time_budget_s": None})
    return target


@pytest.fixture(scope="module")
def parser(models: Path):
    from assistant.train import nlu_dir
    from nlu import NLUParser

    return NLUParser.load(nlu_dir(models))


def test_held_out_intent_accuracy_at_least_90_percent(parser) -> None:
    held_out = load_project(ROOT).tests.examples
    messages = parser.parse_batch([e.text for e in held_out])
    correct = sum(m.intent.name == e.retrieval_intent[0] for m, e in zip(messages, held_out))
    assert correct / len(held_out) >= 0.90, f"{correct}/{len(held_out)}"


def test_order_number_is_extracted_with_exact_offsets(parser) -> None:
    message = parser.parse("where is my order 12345")
    assert message.intent.name == "order_status"
    (entity,) = [e for e in message.entities if e.entity == "order_id"]
    assert (entity.value, entity.start, entity.end) == ("12345", 18, 23)


def test_each_language_is_understood_on_its_own(parser) -> None:
    import re

    held_out = load_project(ROOT).tests.examples
    for chinese in (False, True):
        part = [e for e in held_out if bool(re.search(r"[\u4e00-\u9fff]", e.text)) == chinese]
        assert len(part) >= 100
        messages = parser.parse_batch([e.text for e in part])
        correct = sum(m.intent.name == e.retrieval_intent[0] for m, e in zip(messages, part))
        assert correct / len(part) >= 0.85, f"{'zh' if chinese else 'en'}: {correct}/{len(part)}"


def test_chinese_order_number_is_extracted_with_exact_offsets(parser) -> None:
    text = "我的订单12345到哪了？"
    message = parser.parse(text)
    assert message.intent.name == "order_status"
    (entity,) = [e for e in message.entities if e.entity == "order_id"]
    assert (entity.value, entity.start, entity.end) == ("12345", 4, 9)
    assert text[entity.start:entity.end] == "12345"


def _story_report(project: Path, models: Path, live: bool = True):
    from assistant.loading import load_agent
    from stores.handoffs import HandoffQueue
    from dialogue.story_test import run_story_tests

    agent = load_agent(project, models, seed=0, queue=HandoffQueue())
    return run_story_tests(agent, agent.project.tests.stories, live=live)


@pytest.mark.parametrize("live", [True, False], ids=["live", "replayed"])
def test_example_conversation_tests_pass(models: Path, live: bool) -> None:
    report = _story_report(ROOT, models, live)
    failures = "\n".join(f"{f.where} {f.story}: expected {f.expected}, got {f.got}"
                         for f in report.failures)
    # Every action right; a story may fail on an intent label alone ("nope, bye": goodbye to
    # the story, deny to the model), at most one in ten (bilingual e5: 39/43 both ways, all
    # actions right: 108/108 turns run live, 170/170 predictions replayed)
    assert report.actions_correct == report.actions_total, failures
    assert len(report.passed) >= 0.9 * (len(report.passed) + len(report.failures)), failures


@pytest.mark.skipif(not MOODBOT.exists(), reason="../shared/rasa-projects not present")
def test_moodbot_trains_unchanged_and_passes_its_test_stories(tmp_path: Path) -> None:
    from assistant.train import train_project

    train_project(load_project(MOODBOT), tmp_path / "models", progress=False,
                  nlu_overrides={"time_budget_s": None})
    report = _story_report(MOODBOT, tmp_path / "models")
    assert len(report.passed) == 7 and report.ok, report.failures
    from assistant.loading import load_agent
    from channels.rest import RestOutput
    from stores.handoffs import HandoffQueue

    agent = load_agent(MOODBOT, tmp_path / "models", seed=0, queue=HandoffQueue())
    agent.handle("m", "/greet", "rest")  # payloads: the sad path of moodbot's stories, no NLU doubt
    items = RestOutput().render_all("m", agent.handle("m", "/mood_unhappy", "rest").replies)
    assert {"recipient_id": "m", "image": "https://i.imgur.com/nGF1K8f.jpg"} in items, items
