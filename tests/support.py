"""Helpers shared by the tests (fixtures live in tests/conftest.py).

`KeywordParser` stands in for NLU where a test is about dialogue, not about the encoder: a
deterministic map of a few phrases to intents (the real NLU runs end to end in
tests/test_example_nlu_slow.py and `cli.py test`).
"""
from __future__ import annotations

import re
from pathlib import Path

from core.message import Entity, IntentScore, Message

ROOT = Path(__file__).parent.parent

KEYWORDS = [
    ("faq", r"gift card|gift wrap|newsletter|unsubscribe|showroom|price match"),
    ("human_handoff", r"\b(human|person|agent)\b"),
    ("greet", r"^(hi|hello|hey)\b"),
    ("thanks", r"\bthank"),
    ("return_item", r"\breturn\b"),
    ("shipping_costs", r"\bshipping cost|delivery cost"),
    ("order_status", r"\bwhere is my order"),
    ("track_delivery", r"\btrack\b"),
    ("complaint", r"\b(appalling|ridiculous|useless|unacceptable|fed up)\b"),
    ("deny", r"^(no|nope)\b"),
    ("affirm", r"^(yes|yeah)\b"),
    ("goodbye", r"\b(bye|goodbye)\b"),
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


def say(agent, *texts: str, sender: str = "c1"):
    """Send each text; return the last turn's result."""
    result = None
    for text in texts:
        result = agent.handle(sender, text)
    return result
