"""Checks every tracker store must pass, and the handoff queue beside it (Redis and PostgreSQL
against a real server)."""
from __future__ import annotations

from tests.support import say
from tests.core.test_tracker_events import EVENTS


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


def two_workers_share_a_handoff(example, url: str, root) -> None:
    """Two agents on `open_stores(url)` (two server processes): a handoff filed by one is in
    the other's queue, and released there, the first sees the conversation back with the bot."""
    from dialogue.agent import Agent
    from stores.factory import open_stores
    from tests.support import KeywordParser

    project, policies = example
    one, two = (open_stores(root, url) for _ in range(2))
    first = Agent(project, KeywordParser(), policies, one.handoffs, seed=0, store=one.tracker)
    second = Agent(project, KeywordParser(), policies, two.handoffs, seed=0, store=two.tracker)
    assert say(first, "can I talk to a human", sender="h").actions == ["action_handoff"]
    (ticket,) = second.queue.list()
    assert ticket.sender_id == "h" and second.release("h", agent="ann")
    assert first.queue.list() == [] and first.queue.get(ticket.id).status == "released"
    assert say(first, "hi", sender="h").actions == ["utter_greet"]
