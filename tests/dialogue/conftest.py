"""Dialogue tests run the real policies, forms, actions and handoff queue on the example
assistant. NLU is replaced by `KeywordParser`, a deterministic stand-in that maps a few
phrases to intents, so these tests are about dialogue, not about the encoder (the real
NLU runs end to end in test_dialogue_slow.py and `cli.py test`)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.message import Entity, IntentScore, Message
from core.project import load_project
from dialogue.agent import Agent
from dialogue.handoff import HandoffQueue
from dialogue.registry import load_project_actions
from policies.ensemble import PolicyEnsemble

ROOT = Path(__file__).parent.parent.parent

KEYWORDS = [
    ("faq", r"gift card|gift wrap|newsletter|unsubscribe|showroom|price match"),
    ("human_handoff", r"\b(human|person|agent)\b"),
    ("greet", r"^(hi|hello|hey)\b"),
    ("thanks", r"\bthank"),
    ("return_item", r"\breturn\b"),
    ("shipping_costs", r"\bshipping cost|delivery cost"),
    ("order_status", r"\bwhere is my order"),
    ("complaint", r"\b(appalling|ridiculous|useless|unacceptable|fed up)\b"),
    ("deny", r"^(no|nope)\b"),
    ("affirm", r"^(yes|yeah)\b"),
]
ORDER_ID = re.compile(r"\b(NW-\d{5,8}|\d{5,8})\b")
EMAIL = re.compile(r"\S+@\S+")


class KeywordParser:
    """Intent from the first matching keyword (else gibberish: low confidence), entities by regex."""

    def parse(self, text: str) -> Message:
        intent, confidence = "inform", 0.9
        for name, pattern in KEYWORDS:
            if re.search(pattern, text, re.IGNORECASE):
                intent, confidence = name, 0.95
                break
        else:
            if not (ORDER_ID.search(text) or EMAIL.search(text) or "email" in text):
                intent, confidence = "out_of_scope", 0.2  # below the example's threshold (0.4)
        entities = [Entity("order_id", m.start(), m.end(), m.group(), m.group()) for m in ORDER_ID.finditer(text)]
        entities += [Entity("email", m.start(), m.end(), m.group(), m.group()) for m in EMAIL.finditer(text)]
        ranking = (IntentScore(intent, confidence), IntentScore("order_status", 0.05),
                   IntentScore("track_delivery", 0.03))
        return Message(text, ranking[0], ranking, tuple(entities))


@pytest.fixture(scope="session")
def example():
    project = load_project(ROOT)
    load_project_actions(ROOT)
    return project, PolicyEnsemble.train(project)


@pytest.fixture(autouse=True)
def returns_log(tmp_path, monkeypatch):
    """Return requests recorded by actions/orders.py go to a temp file, not the project."""
    path = tmp_path / "return_requests.jsonl"
    monkeypatch.setenv("SWITCHBOARD_RETURNS", str(path))
    return path


@pytest.fixture
def agent(example) -> Agent:
    project, policies = example
    return Agent(project, KeywordParser(), policies, HandoffQueue(), seed=0)


def say(agent: Agent, *texts: str, sender: str = "c1"):
    """Send each text; return the last turn's result."""
    result = None
    for text in texts:
        result = agent.handle(sender, text)
    return result
