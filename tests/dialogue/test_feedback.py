"""Customer feedback (domain.yml `feedback:`): the end-of-conversation question after the
goodbye, its answers as `Feedback` events that no policy sees, and thumbs on bot messages."""
from __future__ import annotations

import shutil
from pathlib import Path

from core.events import BotUttered, Feedback, UserUttered
from core.message import IntentScore, Message
from core.tracker import Tracker
from dialogue import feedback
from project.loader import load_project
from tests.support import say

MINI = Path(__file__).parent.parent / "fixtures" / "mini_project"


def test_the_question_follows_the_goodbye_once_per_session(agent) -> None:
    result = say(agent, "ok bye")
    assert result.actions == ["utter_goodbye"]
    goodbye, asked = result.replies
    assert asked.text == "Did that solve it?" and asked.response == feedback.QUESTION
    assert [p for _, p in asked.buttons] == ['/feedback{"solved": true}', '/feedback{"solved": false}']
    again = say(agent, "bye then")
    assert [r.response for r in again.replies] == [goodbye.response or "utter_goodbye"]


def test_a_custom_actions_reply_before_the_goodbye_does_not_count_as_asked(agent) -> None:
    """An action's own texts have no response name: they are not the question."""
    assert say(agent, "where is my order 12345").replies[0].response is None
    assert say(agent, "bye").replies[-1].response == feedback.QUESTION


def test_an_answer_is_a_feedback_event_not_a_turn(agent) -> None:
    say(agent, "bye")
    stored = len(agent.tracker("c1").events)
    result = say(agent, '/feedback{"solved": false}')
    assert result.actions == [] and [r.text for r in result.replies] == ["Thanks for telling us."]
    new = agent.tracker("c1").events[stored:]
    assert [type(e).__name__ for e in new] == ["Feedback", "BotUttered"]
    assert (new[0].score, new[0].kind) == (-1, "conversation")
    assert not any(isinstance(e, UserUttered) for e in new)  # NLU and the policies never see it
    # answered: not asked again in this session
    assert all(r.response != feedback.QUESTION for r in say(agent, "bye").replies)


def test_answers_that_are_not_the_buttons_are_ordinary_messages() -> None:
    assert feedback.answer_score('/feedback{"solved": true}') == 1
    assert feedback.answer_score(' /feedback {"solved": false} ') == -1
    for text in ('/feedback{"solved": "yes"}', "/feedback{not json}", "/feedback", "feedback",
                 '/feedback{"solved": 1}', '/feedback["solved"]'):
        assert feedback.answer_score(text) is None, text


def test_the_built_in_question_speaks_the_customers_language() -> None:
    tracker = Tracker("c1", {}, [UserUttered(message=Message("这个还没解决", IntentScore("deny", 0.9),
                                                             language="zh"))])
    asked = feedback.question(tracker)
    assert asked.text == "这解决您的问题了吗？"
    assert [t for t, _ in asked.buttons] == ["解决了，谢谢", "没有"]


def test_thumbs_rate_the_named_bot_message(agent) -> None:
    assert agent.feedback("nobody", 1) is None  # no bot message to rate
    first = say(agent, "hi").replies[0]
    say(agent, "thanks")
    event = agent.feedback("c1", -1, first.text)
    assert (event.kind, event.score, event.rated) == ("message", -1, first.timestamp)
    assert isinstance(agent.tracker("c1").events[-1], Feedback)
    assert agent.feedback("c1", 1, "a text the bot never said") is None
    latest = [e for e in agent.tracker("c1").events if isinstance(e, BotUttered)][-1]
    assert agent.feedback("c1", 5).rated == latest.timestamp  # no text: the latest; scores are ±1


def test_the_examples_feedback_settings() -> None:
    domain = load_project(Path(__file__).parent.parent.parent).domain
    assert domain.feedback.ask_after == ("utter_goodbye",) and domain.feedback.thumbs is True


def project_with(tmp_path: Path, section: str):
    root = tmp_path / "project"
    shutil.copytree(MINI, root)
    domain = root / "domain.yml"
    domain.write_text(domain.read_text() + "\n" + section)
    return load_project(root, strict=False), domain.read_text().splitlines()


def line(lines: list[str], text: str) -> int:
    (number,) = [n for n, l in enumerate(lines, start=1) if text in l]
    return number


def test_bad_feedback_settings_are_reported_at_their_lines(tmp_path: Path) -> None:
    project, lines = project_with(tmp_path, """\
feedback:
  ask_after: [utter_goodby]
  question: utter_nope
  thumbs: maybe
  rating: 5
""")
    found = {(p.line, p.key) for p in project.errors}
    assert (line(lines, "ask_after"), "feedback.ask_after") in found
    assert (line(lines, "question:"), "feedback.question") in found
    assert (line(lines, "thumbs:"), "feedback.thumbs") in found
    assert (line(lines, "rating:"), "feedback.rating") in found
    assert project.domain.feedback.thumbs is True


def test_a_question_never_asked_is_a_warning(tmp_path: Path) -> None:
    project, lines = project_with(tmp_path, """\
feedback:
  question: utter_goodbye
""")
    assert project.errors == []
    (warning,) = [w for w in project.warnings if w.key.startswith("feedback")]
    assert (warning.line, warning.key) == (line(lines, "question:"), "feedback.question")
    assert "never asked" in warning.message
