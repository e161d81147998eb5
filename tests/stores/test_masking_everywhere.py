"""With masking on (domain.yml `privacy: mask_pii`, on by default), personal data stays out of everything that is
kept or shown: the store, the handoff tickets, the tracker API (issue 17 point 2)."""
from __future__ import annotations

import json

from core.events import UserUttered
from core.message import IntentScore, Message
from core.tracker import Tracker
from stores.factory import open_stores

SAID = "I'm jane.doe@example.com, call (555) 123-4567, card 4111 1111 1111 1111"


def test_tickets_keep_no_personal_data(tmp_path) -> None:
    stores = open_stores(tmp_path, str(tmp_path / "c.sqlite"), mask_pii=True)
    tracker = Tracker("jane")
    tracker.append(UserUttered(message=Message(SAID, IntentScore("human_handoff", 1.0))))
    ticket = stores.handoffs.add(tracker, "asked for a human", notes=("email jane.doe@example.com",))
    stored = json.dumps([t.__dict__ for t in stores.handoffs.list(None)], default=str)
    for text in (json.dumps(ticket.__dict__, default=str), stored):
        assert "jane.doe" not in text and "123-4567" not in text and "4111" not in text
        assert "[email]" in text


def test_the_tracker_api_shows_what_the_store_keeps(example, tmp_path) -> None:
    from dialogue.agent import Agent
    from server.app import create_app
    from stores.handoffs import HandoffQueue
    from core.sealing import Sealer
    from stores.private import PrivateStore
    from stores.sqlite import SQLiteStore
    from tests.server.conftest import Server
    from tests.support import KeywordParser

    project, policies = example
    agent = Agent(project, KeywordParser(), policies, HandoffQueue(tmp_path / "h.sqlite"), seed=0,
                  store=PrivateStore(SQLiteStore(tmp_path / "c.sqlite"), Sealer(b"k")))
    with Server(create_app(agent)) as server:
        server.call("POST", "/webhooks/rest/webhook", {"sender": "jo", "message": SAID})
        status, tracker = server.call("GET", "/conversations/jo/tracker")
    text = json.dumps(tracker)
    assert status == 200 and "jane.doe" not in text and "123-4567" not in text and "[email]" in text


def test_an_email_sender_is_handed_off_and_released_under_its_pseudonym(example, tmp_path) -> None:
    from core.sealing import Sealer
    from dialogue.agent import Agent
    from server.app import create_app
    from stores.handoffs import HandoffQueue
    from stores.private import PrivateQueue, PrivateStore
    from stores.sqlite import SQLiteStore
    from tests.server.conftest import Server
    from tests.support import KeywordParser

    project, policies = example
    sealer = Sealer(b"k")
    agent = Agent(project, KeywordParser(), policies, PrivateQueue(HandoffQueue(tmp_path / "h.sqlite"), sealer),
                  seed=0, store=PrivateStore(SQLiteStore(tmp_path / "c.sqlite"), sealer))
    jane = "jane.doe@example.com"
    with Server(create_app(agent)) as server:
        server.call("POST", "/webhooks/rest/webhook", {"sender": jane, "message": "can I talk to a human"})
        tickets = server.call("GET", "/handoffs")[1]
        assert len(tickets) == 1 and tickets[0]["sender_id"] == sealer.pseudonym(jane)
        assert jane not in json.dumps(tickets)
        status, _ = server.call("POST", f"/handoffs/{tickets[0]['id']}/release", {"agent": "sam"})
        assert status == 200
        assert agent.tracker(jane).handed_off is False  # the customer's own view sees the release
        status, replies = server.call("POST", "/webhooks/rest/webhook", {"sender": jane, "message": "thanks a lot"})
        assert status == 200 and replies and replies[0]["recipient_id"] == jane
