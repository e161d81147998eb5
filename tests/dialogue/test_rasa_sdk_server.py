"""A Rasa 3 project whose custom actions are `rasa_sdk` classes (tests/fixtures/rasa_sdk_bot)
talking to a real `python -m rasa_sdk` action server: the project's session start, a form
validated and partly extracted by its `FormValidationAction`, a slot asked by
`action_ask_<slot>`, a response filled with a value the action passes, a FollowupAction.

NLU is a keyword stand-in (the dialogue is under test, not the encoder)."""
from __future__ import annotations

import re
import shutil

import pytest

from core.message import Entity, IntentScore, Message
from tests.services import start_action_server, stop_action_server
from tests.support import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "rasa_sdk_bot"
INTENTS = [("greet", r"^(hi|hello)\b"), ("request_restaurant", r"\b(book|table|restaurant)\b"),
           ("thankyou", r"\bthank"), ("affirm", r"^(yes|yeah|outside)\b"),
           ("deny", r"^(no|inside)\b"), ("goodbye", r"\bbye\b")]
CUISINE = re.compile(r"\b(italian|chinese|indian|thai|mexican)\b")


class RestaurantParser:
    def parse(self, text: str) -> Message:
        intent = next((name for name, pattern in INTENTS if re.search(pattern, text, re.I)), "inform")
        entities = [Entity("cuisine", m.start(), m.end(), m.group(), m.group()) for m in CUISINE.finditer(text)]
        entities += [Entity("number", m.start(), m.end(), m.group(), m.group())
                     for m in re.finditer(r"\b\d+\b", text)]
        return Message(text, IntentScore(intent, 0.95), (IntentScore(intent, 0.95),), tuple(entities))


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    root = tmp_path_factory.mktemp("rasa_sdk_bot") / "bot"
    shutil.copytree(FIXTURE, root)
    started = start_action_server(root)
    if started is None:
        pytest.skip("rasa-sdk is not installed in .venv-sdk (scripts/install-test-services.sh "
                    "installs it with `make test`)")
    process, url = started
    (root / "endpoints.yml").write_text(f"action_endpoint:\n  url: {url}\n  timeout: 5\n")
    yield root, process
    stop_action_server(process)


@pytest.fixture
def agent(bot):
    from dialogue.agent import Agent
    from policies.ensemble import PolicyEnsemble
    from project.loader import load_project
    from stores.handoffs import HandoffQueue

    project = load_project(bot[0])
    return Agent(project, RestaurantParser(), PolicyEnsemble.train(project), HandoffQueue(), seed=0)


def texts(result) -> list[str]:
    return [r.text for r in result.replies]


def test_a_booking_runs_on_the_action_server(agent) -> None:
    hello = agent.handle("ann", "hi")
    assert texts(hello) == ["Hello! I can book you a table. What would you like?"]
    assert agent.tracker("ann").slots["visits"] == 1  # the project's own action_session_start
    assert agent.tracker("ann").slots["loyalty_tier"] == "gold"  # a custom mapping's action

    start = agent.handle("ann", "book a table")
    assert start.actions == ["restaurant_form"]
    assert texts(start) == ["What cuisine would you like?"]  # utter_ask_<form>_<slot>

    wrong = agent.handle("ann", "thai")  # rejected by validate_cuisine, asked again
    assert texts(wrong) == ["Sorry, we don't have thai restaurants. Try italian, chinese or indian.",
                            "What cuisine would you like?"]
    assert agent.tracker("ann").slots["cuisine"] is None

    people = agent.handle("ann", "italian")
    assert texts(people) == ["For how many people?"]
    assert agent.tracker("ann").slots["cuisine"] == "italian"

    seating = agent.handle("ann", "two of us")  # no entity: the server's extract_num_people
    assert agent.tracker("ann").slots["num_people"] == 2
    assert seating.actions == ["restaurant_form"]
    (ask,) = seating.replies  # action_ask_outdoor_seating, with its buttons
    assert ask.text == "Would you like to sit outside, italian fans?"
    assert ask.buttons == (("Outside", "/affirm"), ("Inside", "/deny"))

    done = agent.handle("ann", "/affirm")
    assert done.actions == ["restaurant_form", "action_submit_booking", "utter_anything_else"]
    reference = agent.tracker("ann").slots["booking_reference"]
    assert re.fullmatch(r"R-\d{4}", reference)
    assert texts(done)[0] == f"Booked: a table for 2 (italian). Your reference is {reference}."
    assert texts(done)[1] in ("Anything else?", "Can I help with anything else?")
    assert agent.tracker("ann").active_loop is None and agent.tracker("ann").slots["outdoor_seating"] is True


def test_a_number_outside_the_range_is_refused_by_the_server(agent) -> None:
    agent.handle("bob", "book a table")
    agent.handle("bob", "italian")
    result = agent.handle("bob", "we are 40")
    assert texts(result) == ["We can seat between 1 and 20 people.", "For how many people?"]
    assert agent.tracker("bob").slots["num_people"] is None


def test_a_message_the_form_cannot_use_is_answered_by_the_rules(agent) -> None:
    agent.handle("cy", "book a table")
    result = agent.handle("cy", "thanks")  # nothing for the form: validate_… sets no slot
    assert result.actions[0] == "utter_noworries"
    assert result.actions[-1] == "restaurant_form"
    assert texts(result)[-1] == "What cuisine would you like?"


def test_when_the_server_goes_down_the_customer_hears_why(bot, agent, caplog) -> None:
    import logging

    agent.handle("dee", "book a table")
    agent.handle("dee", "italian")
    agent.handle("dee", "2")
    stop_action_server(bot[1])
    with caplog.at_level(logging.ERROR):
        result = agent.handle("dee", "/affirm")
    # the form still ends (its slot mapping needs no server); the booking cannot be made
    assert result.actions[:2] == ["restaurant_form", "action_submit_booking"]
    assert "isn't responding" in texts(result)[0]
    assert agent.tracker("dee").slots["booking_reference"] is None
    assert "'action_submit_booking' did not run" in caplog.text and "cannot be reached" in caplog.text


def test_validate_names_what_runs_on_the_action_server(bot) -> None:
    from assistant.project import load_checked_project

    project = load_checked_project(bot[0])
    lines = [str(p) for p in project.problems]
    assert any("action_endpoint: 4 custom action(s) run on the action server" in line for line in lines)
    assert any("'action_session_start' is the project's own" in line for line in lines)
    assert not project.errors


def test_a_story_that_leaves_the_form_waiting_is_followed(tmp_path) -> None:
    """Rasa: an interrupted form is asked again only where the stories say so."""
    from dialogue.agent import Agent
    from policies.ensemble import PolicyEnsemble
    from project.loader import load_project
    from stores.handoffs import HandoffQueue

    root = tmp_path / "bot"
    shutil.copytree(FIXTURE, root)
    (root / "endpoints.yml").unlink()
    stories = root / "data" / "stories.yml"
    stories.write_text(stories.read_text() + """\
  - story: thanked while booking, the form waits
    steps:
      - intent: request_restaurant
      - action: restaurant_form
      - active_loop: restaurant_form
      - slot_was_set:
          - requested_slot: cuisine
      - intent: thankyou
      - action: utter_noworries
""")
    project = load_project(root)
    agent = Agent(project, RestaurantParser(), PolicyEnsemble.train(project), HandoffQueue(), seed=0)
    agent.handle("eve", "book a table")
    result = agent.handle("eve", "thanks")
    assert result.actions == ["utter_noworries"]
    assert agent.tracker("eve").active_loop == "restaurant_form"
