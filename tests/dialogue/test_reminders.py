"""Reminders (dialogue/reminders.py): Rasa's ReminderScheduled / ReminderCancelled as the
action server sends them, the clock that fires them, and the turn a fired one runs."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

from core.events import ReminderCancelled, ReminderScheduled, UserUttered
from core.message import IntentScore, Message
from dialogue.rasa_format import event_to_rasa, events_from_rasa
from dialogue.reminders import EXTERNAL, ReminderClock


def reminder(name: str, in_s: float, intent: str = "EXTERNAL_reminder", kill: bool = False,
             entities=(), at: float | None = None) -> ReminderScheduled:
    stamp = time.time() if at is None else at
    return ReminderScheduled(intent=intent, due=stamp + in_s, reminder=name, entities=entities,
                             kill_on_user_message=kill, timestamp=stamp)


class Fired:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.event = threading.Event()

    def __call__(self, sender: str, due: ReminderScheduled) -> None:
        self.calls.append((sender, due.reminder, due.intent))
        self.event.set()

    def wait(self, count: int, timeout: float = 5.0) -> None:
        deadline = time.time() + timeout
        while len(self.calls) < count and time.time() < deadline:
            time.sleep(0.01)


def test_rasa_sdk_reminder_events_are_read_and_written_back() -> None:
    when = datetime.now() + timedelta(seconds=5)
    converted = events_from_rasa([
        {"event": "reminder", "intent": "EXTERNAL_reminder", "date_time": when.isoformat(),
         "entities": [{"entity": "PERSON", "value": "Susan"}], "name": "my_reminder",
         "kill_on_user_msg": False, "timestamp": None},
        {"event": "cancel_reminder", "name": None, "intent": None, "entities": None},
        {"event": "reminder", "intent": "x", "date_time": "not a time"},
    ], domain=None)
    scheduled, cancelled = converted.events
    assert scheduled == ReminderScheduled(intent="EXTERNAL_reminder", due=when.timestamp(),
                                          reminder="my_reminder", entities=(("PERSON", "Susan"),),
                                          kill_on_user_message=False, timestamp=scheduled.timestamp)
    assert cancelled.reminder is None and cancelled.intent is None and cancelled.entities == ()
    assert converted.ignored == ["reminder (no valid date_time)"]
    back = event_to_rasa(scheduled)
    assert back["event"] == "reminder" and back["name"] == "my_reminder"
    assert datetime.fromisoformat(back["date_time"]).timestamp() == scheduled.due


def test_due_reminders_fire_in_order_and_a_same_named_one_replaces_the_first() -> None:
    fired = Fired()
    clock = ReminderClock(fired)
    clock.track("ann", [reminder("b", 0.3), reminder("a", 0.1)])
    clock.track("bob", [reminder("a", 0.2), reminder("a", 0.4)])  # replaces bob's first "a"
    fired.wait(3)
    time.sleep(0.3)
    clock.close()
    assert fired.calls == [("ann", "a", "EXTERNAL_reminder"), ("ann", "b", "EXTERNAL_reminder"),
                           ("bob", "a", "EXTERNAL_reminder")]


def test_cancelling_and_a_customer_message_stop_pending_reminders() -> None:
    fired = Fired()
    clock = ReminderClock(fired)
    clock.track("ann", [reminder("a", 0.3, intent="one"), reminder("b", 0.3, intent="two")])
    clock.track("ann", [ReminderCancelled(intent="one")])
    assert [r.reminder for r in clock.pending("ann")] == ["b"]
    clock.track("ann", [ReminderCancelled()])
    assert clock.pending("ann") == []

    clock.track("cy", [reminder("k", 0.3, kill=True), reminder("s", 0.3, kill=False)])
    said = Message("hello", IntentScore("greet", 1.0))
    clock.track("cy", [UserUttered(message=said, input_channel=EXTERNAL)])  # not the customer
    assert len(clock.pending("cy")) == 2
    clock.track("cy", [UserUttered(message=said)])
    assert [r.reminder for r in clock.pending("cy")] == ["s"]
    fired.wait(1)
    time.sleep(0.2)
    clock.close()
    assert fired.calls == [("cy", "s", "EXTERNAL_reminder")]


def test_a_fired_reminder_runs_a_turn_with_its_intent_and_entities(tmp_path) -> None:
    from dialogue.agent import Agent
    from policies.ensemble import PolicyEnsemble
    from project.loader import load_project

    root = tmp_path / "bot"
    root.mkdir()
    (root / "domain.yml").write_text(
        'version: "3.1"\nintents: [greet, EXTERNAL_reminder]\nentities: [PERSON]\n'
        "slots:\n  PERSON:\n    type: text\n    mappings:\n    - type: from_entity\n      entity: PERSON\n"
        "responses:\n  utter_remind:\n  - text: Remember to call {PERSON}!\n"
        "  utter_hi:\n  - text: hi\n")
    (root / "data").mkdir()
    (root / "data" / "rules.yml").write_text(
        'version: "3.1"\nrules:\n- rule: r\n  steps:\n  - intent: EXTERNAL_reminder\n'
        "  - action: utter_remind\n- rule: g\n  steps:\n  - intent: greet\n  - action: utter_hi\n")
    (root / "data" / "nlu.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hi\n    - hello\n')
    (root / "config.yml").write_text("language: en\npipeline:\n- name: JointBERT\npolicies:\n- name: RulePolicy\n")
    project = load_project(root)

    class Parser:
        def parse(self, text: str) -> Message:
            return Message(text, IntentScore("greet", 1.0), (IntentScore("greet", 1.0),))

    agent = Agent(project, Parser(), PolicyEnsemble.train(project), seed=0)
    shown = []
    agent.on_external_turn.append(shown.append)
    agent.handle("ann", "hello")
    agent.reminders.track("ann", [reminder("r", 0.05, entities=(("PERSON", "Susan"),))])
    deadline = time.time() + 5
    while not shown and time.time() < deadline:
        time.sleep(0.01)
    assert [r.text for r in shown[0].replies] == ["Remember to call Susan!"]
    last = [e for e in agent.tracker("ann").events if isinstance(e, UserUttered)][-1]
    assert (last.intent, last.input_channel) == ("EXTERNAL_reminder", EXTERNAL)
