"""Checks every shared tracker store (Redis, PostgreSQL) must pass, against a real server."""
from __future__ import annotations

from tests.support import say
from tests.dialogue.test_tracker_events import EVENTS


def check_round_trip(store) -> None:
    store.append("a", EVENTS[:3])
    store.append("a", EVENTS[3:])
    store.append("b", EVENTS[:1])
    assert store.load("a") == EVENTS and store.load("a", since=3) == EVENTS[3:]
    assert store.size("a") == len(EVENTS) and store.senders() == ["a", "b"]
    assert store.delete("a") == len(EVENTS) and store.load("a") == []


def two_workers_finish_a_form(example, store, other_store, sender: str):
    """Two agents on one store (two workers): the second takes the middle message."""
    from dialogue.agent import Agent
    from stores.handoffs import HandoffQueue
    from tests.support import KeywordParser

    project, policies = example
    one = Agent(project, KeywordParser(), policies, HandoffQueue(), seed=0, store=store)
    two = Agent(project, KeywordParser(), policies, HandoffQueue(), seed=0, store=other_store)
    say(one, "I want to return something", sender=sender)
    say(two, "it's NW-55871", sender=sender)  # another worker takes the next message
    done = say(one, "maria.lopez@gmail.com", sender=sender)
    assert done.actions == ["return_form", "action_start_return"]
    return two
