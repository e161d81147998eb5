"""Every figure of `analytics`, on conversations counted by hand (tests/analytics/story.py)."""
from dataclasses import asdict

import pytest

from analytics.conversations import conversations, split
from analytics.figures import Count, Followed, report, window
from tests.analytics.story import ASKED, FRUSTRATED, SINCE, UNTIL, ann, scanned


@pytest.fixture
def figures():
    return report(conversations(scanned()), SINCE, UNTIL)


def test_sessions_and_restarts_split_conversations() -> None:
    first, second, third = split("ann", [e.to_dict() for e in ann()])
    assert (first.day, second.day, third.day) == ("2026-12-01", "2026-12-02", "2026-12-02")
    assert (first.messages, first.answered, first.fallbacks, first.generated) == (5, 4, 1, 1)
    assert first.handoff_reasons == [ASKED] and first.human_waits == [pytest.approx(120)]
    # the "not solved" clicked after the session expired is the first conversation's
    assert (first.thumbs_up, first.solved, first.not_solved) == (1, 1, 1)
    assert (second.messages, second.fallbacks, third.messages, third.fallbacks) == (1, 0, 1, 1)
    assert third.before_fallback == ["(start)"]  # a restart begins a conversation afresh


def test_totals(figures) -> None:
    total = figures.total
    assert (total.conversations, total.messages, total.answered_by_bot) == (4, 9, 8)
    assert (total.contained, total.containment) == (2, 0.5)
    assert (total.handed_off, total.handoff_rate, total.handoffs) == (2, 0.5, 2)
    assert (total.fallbacks, total.fallback_rate) == (2, 0.25)  # of the 8 the bot answered
    assert (total.generated, total.generated_rate) == (1, 0.125)
    assert total.median_first_human_reply_s == pytest.approx(120)
    assert (total.human_replies, total.unanswered_handoffs) == (1, 1)
    assert (total.thumbs_up, total.thumbs_down, total.solved, total.not_solved) == (1, 1, 1, 1)
    assert total.solved_rate == 0.5


def test_per_day(figures) -> None:
    assert list(figures.days) == ["2026-12-01", "2026-12-02"]
    one, two = figures.days["2026-12-01"], figures.days["2026-12-02"]
    assert (one.conversations, one.messages, one.fallback_rate, one.containment) == (1, 5, 0.25, 0.0)
    assert (one.thumbs_up, one.thumbs_down, one.solved_rate) == (1, 0, 0.5)
    assert (two.conversations, two.messages, two.answered_by_bot, two.fallbacks) == (3, 4, 4, 1)
    assert (two.handed_off, two.handoff_rate, two.median_first_human_reply_s) == (1, 1 / 3, None)
    assert (two.thumbs_down, two.unanswered_handoffs, two.solved_rate) == (1, 1, None)


def test_per_channel_and_the_channel_filter(figures) -> None:
    assert list(figures.channels) == ["rest", "slack"]  # "external" is no customer's channel
    rest, slack = figures.channels["rest"], figures.channels["slack"]
    assert (rest.conversations, rest.messages, rest.handed_off, rest.fallbacks) == (3, 7, 1, 2)
    assert (slack.conversations, slack.messages, slack.handed_off, slack.fallbacks) == (1, 2, 1, 0)
    only = report(conversations(scanned()), SINCE, UNTIL, channel="slack")
    assert asdict(only.total) == asdict(slack) and list(only.days) == ["2026-12-02"]
    assert only.handoff_reasons == [Count(FRUSTRATED, 1)]


def test_intents(figures) -> None:
    assert figures.top_intents[:3] == [Count("greet", 3), Count("nlu_fallback", 2),
                                       Count("talk_to_human", 2)]
    assert sum(c.count for c in figures.top_intents) == 9
    assert sorted(figures.before_fallback, key=lambda f: f.intent) == [
        Followed("(start)", 1, 0, None), Followed("order_status", 1, 1, 1.0)]
    assert sorted(figures.before_handoff, key=lambda f: f.intent) == [
        Followed("goodbye", 1, 1, 1.0), Followed("nlu_fallback", 1, 2, 0.5)]
    assert sorted(figures.handoff_reasons, key=lambda c: c.name) == [Count(FRUSTRATED, 1), Count(ASKED, 1)]


def test_the_window_leaves_older_conversations_out() -> None:
    everything = report(conversations(scanned()), 0.0, UNTIL)
    assert everything.total.conversations == 5
    assert len(everything.days) == 42  # every day from the old one to the last, zeros between
    assert everything.days["2026-11-15"].conversations == 0
    assert everything.days["2026-11-15"].containment is None


def test_a_project_named_fallback_action_counts() -> None:
    events = [e.to_dict() for e in ann()]
    for e in events:
        if e.get("action") == "action_default_fallback":
            e["action"] = "action_rephrase"
    assert split("ann", events)[0].fallbacks == 0
    assert split("ann", events, frozenset({"action_rephrase"}))[0].fallbacks == 1


def test_window_days_and_since() -> None:
    now = UNTIL + 3600  # 2026-12-03 01:00 UTC
    assert window(1, now=now)[0] == UNTIL
    assert window(3, now=now)[0] == SINCE
    assert window(30, "2026-12-01", now=now) == (SINCE, pytest.approx(now))
    with pytest.raises(ValueError):
        window(30, "12/01/2026")


def test_json_has_every_figure(figures) -> None:
    data = figures.to_json()
    assert data["since_date"] == "2026-12-01" and data["total"]["containment"] == 0.5
    assert data["days"]["2026-12-02"]["conversations"] == 3
    assert data["before_fallback"][0].keys() == {"intent", "count", "messages", "rate"}
