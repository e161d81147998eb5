"""The example's handoff the way its support team works (domain.yml `handoff:`): outside
business hours the ticket is still filed and the bot says when a human will reply, never
"right now"; every ticket has a priority and a headline. The clock is the agent's
(`agent.runner.clock`), never the time the tests happen to run at."""
from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from core.events import UserUttered
from core.message import IntentScore, Message
from core.prediction import Prediction
from core.tracker import Tracker
from dialogue.actions import ActionRunner
from stores.handoffs import HandoffQueue
from tests.support import say

NEW_YORK = ZoneInfo("America/New_York")
SUNDAY_EVENING = datetime(2025, 1, 19, 17, 30, tzinfo=NEW_YORK)  # closed since 16:00
WEDNESDAY_NOON = datetime(2025, 1, 15, 12, 0, tzinfo=NEW_YORK)


def closed(agent, when: datetime = SUNDAY_EVENING):
    agent.runner.clock = lambda: when
    return agent


def test_outside_hours_the_ticket_is_filed_and_the_bot_says_when_a_human_replies(agent) -> None:
    result = say(closed(agent), "can I talk to a human")
    assert result.actions == ["action_handoff"]
    (reply,) = result.replies
    assert reply.response == "utter_handoff_closed"
    assert "tomorrow 8:00 (EST)" in reply.text and "leave a message" in reply.text
    assert "right now" not in reply.text and "connecting you" not in reply.text
    (ticket,) = agent.queue.list()
    assert ticket.status == "open" and ticket.priority == "normal"
    assert ticket.summary["headline"] == (
        "The customer asked for a human (human_handoff); filed outside business hours, "
        "next opening Monday 20 January 8:00 (EST)")
    left = say(agent, "my parcel never arrived, order 48213")  # the message left for the agent
    assert left.with_human and left.replies == []
    assert agent.tracker("c1").transcript()[-1]["text"] == "my parcel never arrived, order 48213"


def test_in_hours_the_bot_hands_over_as_before(agent) -> None:
    result = say(closed(agent, WEDNESDAY_NOON), "can I talk to a human")
    assert result.replies[0].response == "utter_handoff" and "connecting you" in result.replies[0].text


def test_a_frustrated_customer_out_of_hours_gets_the_apology_and_a_high_priority(agent) -> None:
    friday_night = datetime(2025, 1, 17, 21, 0, tzinfo=NEW_YORK)
    say(closed(agent, friday_night), "this is ridiculous, I'm fed up with waiting")
    second = say(agent, "this is unacceptable, absolutely useless")
    assert second.actions == ["action_handoff"]
    text = second.replies[0].text
    assert "sorry" in text.lower() and "tomorrow 10:00 (EST)" in text and "right now" not in text
    (ticket,) = agent.queue.list()
    assert ticket.priority == "high" and ticket.summary["priority"] == "high"
    headline = ticket.summary["headline"]
    assert "frustrated (" in headline and headline.endswith("high priority")


def test_a_complaint_goes_to_the_top_of_the_queue(agent) -> None:
    say(agent, "can I talk to a human", sender="first")
    say(agent, "the packaging is appalling", "yes", sender="second")  # complaint, accepts the handoff
    first, second = agent.queue.list(None)
    assert (first.sender_id, first.priority) == ("second", "high")
    assert (second.sender_id, second.priority) == ("first", "normal")


def chinese_request() -> Tracker:
    message = Message("我要人工客服", IntentScore("human_handoff", 0.95), language="zh")
    return Tracker.from_events("zh", [UserUttered(message=message)])


def handoff(domain, when: datetime):
    runner = ActionRunner(domain, HandoffQueue(), random.Random(0), clock=lambda: when)
    return runner.handoff(chinese_request(), Prediction("action_handoff", 1.0, "handoff", "asked"))


def test_the_closed_notice_in_chinese_and_the_built_in_sentence(example) -> None:
    domain = example[0].domain
    notice, event = handoff(domain, SUNDAY_EVENING)
    assert notice.text.startswith("人工客服目前不在线") and "明天 8:00（EST）" in notice.text
    assert event.name == "handoff" and event.summary["priority"] == "normal"
    no_response = replace(domain, handoff=replace(domain.handoff, closed_response=None))
    notice, _ = handoff(no_response, SUNDAY_EVENING)
    assert "明天 8:00（EST）" in notice.text and "留言" in notice.text  # the built-in sentence
    english = replace(no_response, handoff=replace(no_response.handoff, response=None))
    runner = ActionRunner(english, HandoffQueue(), random.Random(0), clock=lambda: SUNDAY_EVENING)
    asked = Message("a human", IntentScore("human_handoff", 0.9))
    tracker = Tracker.from_events("en", [UserUttered(message=asked)])
    notice, _ = runner.handoff(tracker, Prediction("action_handoff", 1.0, "handoff", "asked"))
    assert notice.text.startswith("Our support team is away at the moment")
    assert "tomorrow 8:00 (EST)" in notice.text and "leave a message" in notice.text
