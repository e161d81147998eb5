"""Stored conversations built by hand, and a copy of the mini project to review them in."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.events import BotUttered, Feedback, Handoff, UserUttered
from core.message import NLU_FALLBACK, Fallback, IntentScore, Message

MINI = Path(__file__).parent.parent / "fixtures" / "mini_project"


def user(text: str, intent: str = "greet", confidence: float = 0.95, at: float = 1000.0,
         fallback: bool = False, asks_for_human: bool = False) -> UserUttered:
    """A stored customer message; `fallback`: NLU gave up on it (predicted `intent`)."""
    if fallback:
        message = Message(text, IntentScore(NLU_FALLBACK, confidence), (IntentScore(intent, confidence),),
                          fallback=Fallback(intent, confidence, "confidence below 0.4"),
                          asks_for_human=asks_for_human)
    else:
        message = Message(text, IntentScore(intent, confidence), (IntentScore(intent, confidence),),
                          asks_for_human=asks_for_human)
    return UserUttered(message=message, input_channel="rest", timestamp=at)


def bot(text: str, at: float, response: str | None = None) -> BotUttered:
    return BotUttered(text=text, response=response, timestamp=at)


def handoff(at: float) -> Handoff:
    return Handoff(reason="asked", timestamp=at)


def thumbs_down(rated: float, at: float) -> Feedback:
    return Feedback(score=-1, kind="message", rated=rated, timestamp=at)


@pytest.fixture
def project_dir(tmp_path) -> Path:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    return root
