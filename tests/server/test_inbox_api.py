"""The agent inbox's JSON routes (server.inbox) over real HTTP, around the example assistant:
who may read them, claims between two agents, the ticket's transcript, suggested replies
with and without a knowledge base, and masked data staying masked."""
from __future__ import annotations

import json

import pytest

from server.auth import Auth, new_staff_token


@pytest.fixture
def desk(tmp_path) -> dict:
    """Staff tokens on: two agents (ann, bob), a shop backend (channel), a scraper (metrics)."""
    tokens = tmp_path / "tokens.yml"
    names = {"ann": ["agent"], "bob": ["agent"], "shop": ["channel"], "scraper": ["metrics"]}
    issued = {name: new_staff_token(tokens, name, scopes) for name, scopes in names.items()}
    return {"auth": Auth(tokens_file=tokens, secret=b"k"), **issued}


def hand_off(server, sender: str, token: str | None, *more: str, reader: str | None = None) -> int:
    """The customer asks for a human (then says `more`, sent with `token`); the new ticket's
    id (read with `reader`, else `token`)."""
    for text in ("can I talk to a human", *more):
        status, _ = server.call("POST", "/webhooks/rest/webhook", {"sender": sender, "message": text}, token=token)
        assert status == 200
    return server.call("GET", "/handoffs", token=reader or token)[1][-1]["id"]


def test_only_agent_tokens_read_the_inbox(make_server, desk) -> None:
    with make_server(auth=desk["auth"]) as server:
        ticket = hand_off(server, "cy", desk["shop"], reader=desk["ann"])
        status, page = server.call("GET", "/inbox")  # the page needs no token and holds none
        assert status == 200 and "<title>Switchboard inbox</title>" in page and "sbt_" not in page
        customer = server.call("POST", "/webhooks/rest/session")[1]["token"]
        routes = [("GET", f"/handoffs/{ticket}", None), ("POST", f"/handoffs/{ticket}/claim", {}),
                  ("POST", f"/handoffs/{ticket}/reply", {"text": "hi"}),
                  ("GET", f"/handoffs/{ticket}/suggestions", None), ("GET", "/inbox/me", None)]
        for method, path, body in routes:
            assert server.call(method, path, body)[0] == 401, path
            assert server.call(method, path, body, token="sbt_wrong")[0] == 401, path
            for token in (desk["shop"], desk["scraper"], customer):
                status, error = server.call(method, path, body, token=token)
                assert status == 403 and "scope 'agent'" in error["error"], (path, status, error)
        status, me = server.call("GET", "/inbox/me", token=desk["ann"])
        assert status == 200 and me == {"name": "ann", "scopes": ["agent"]}


def test_two_agents_claim_one_ticket(make_server, desk) -> None:
    ann, bob = desk["ann"], desk["bob"]
    with make_server(auth=desk["auth"]) as server:
        ticket = hand_off(server, "cy", desk["shop"], reader=desk["ann"])
        status, claimed = server.call("POST", f"/handoffs/{ticket}/claim", {}, token=ann)
        assert status == 200 and claimed["assignee"] == "ann"
        assert server.call("GET", "/handoffs", token=bob)[1][0]["assignee"] == "ann"  # bob sees who
        status, error = server.call("POST", f"/handoffs/{ticket}/claim", None, token=bob)
        assert status == 409 and error["assignee"] == "ann" and "taken by ann" in error["error"]
        status, error = server.call("POST", f"/handoffs/{ticket}/reply", {"text": "Bob here"}, token=bob)
        assert status == 409 and error["assignee"] == "ann"
        status, sent = server.call("POST", f"/handoffs/{ticket}/reply", {"text": "Ann here"}, token=ann)
        assert status == 200 and sent["sent"]["text"] == "Ann here" and sent["sent"]["agent"] == "ann"
        status, taken = server.call("POST", f"/handoffs/{ticket}/claim", {"force": True}, token=bob)
        assert status == 200 and taken["assignee"] == "bob"
        assert server.call("POST", f"/handoffs/{ticket}/reply", {"text": "Ann again"}, token=ann)[0] == 409
        assert server.call("POST", f"/handoffs/{ticket}/release", {}, token=bob)[0] == 200
        status, error = server.call("POST", f"/handoffs/{ticket}/claim", {"force": True}, token=ann)
        assert status == 409 and "already released" in error["error"]
        assert server.call("POST", f"/handoffs/{ticket}/reply", {"text": "late"}, token=bob)[0] == 409


def test_a_claim_holds_on_the_older_message_and_release_routes_too(make_server, desk) -> None:
    ann, bob = desk["ann"], desk["bob"]
    with make_server(auth=desk["auth"]) as server:
        ticket = hand_off(server, "cy", desk["shop"], reader=ann)
        assert server.call("POST", f"/handoffs/{ticket}/claim", {}, token=ann)[0] == 200
        message = {"text": "Bob here", "author": "agent"}
        status, error = server.call("POST", "/conversations/cy/messages", message, token=bob)
        assert status == 409 and "taken by ann" in error["error"]
        status, error = server.call("POST", f"/handoffs/{ticket}/release", {}, token=bob)
        assert status == 409 and "taken by ann" in error["error"]
        assert server.call("POST", "/conversations/cy/messages", {**message, "text": "Ann here"},
                           token=ann)[0] == 200
        assert server.call("POST", f"/handoffs/{ticket}/release", {}, token=ann)[0] == 200


def test_a_reply_to_an_unclaimed_ticket_claims_it(make_server, desk) -> None:
    with make_server(auth=desk["auth"]) as server:
        ticket = hand_off(server, "cy", desk["shop"], reader=desk["ann"])
        status, sent = server.call("POST", f"/handoffs/{ticket}/reply", {"text": "Bob here"}, token=desk["bob"])
        assert status == 200 and sent["assignee"] == "bob"
        status, own = server.call("GET", "/conversations/cy/status", token=desk["bob"])
        assert [(m["text"], m["agent"]) for m in own["agent_messages"]] == [("Bob here", "bob")]


def test_unknown_tickets_are_404_naming_the_field(make_server) -> None:
    with make_server() as server:  # localhost without staff tokens: the local operator
        for method, path, body in [("GET", "/handoffs/77", None), ("POST", "/handoffs/77/claim", {}),
                                   ("POST", "/handoffs/77/reply", {"text": "hi"}),
                                   ("GET", "/handoffs/77/suggestions", None)]:
            status, error = server.call(method, path, body)
            assert status == 404 and error["error"] == "no handoff with id 77 (field ticket_id)", path
        status, error = server.call("GET", "/handoffs/0")
        assert status == 400 and "ticket_id" in error["error"]
        ticket = hand_off(server, "cy", None)
        status, error = server.call("POST", f"/handoffs/{ticket}/reply", {"text": ""})
        assert status == 400 and "text" in error["error"]


def test_the_ticket_shows_summary_and_the_whole_transcript(make_server) -> None:
    with make_server() as server:
        server.call("POST", "/webhooks/rest/webhook", {"sender": "cy", "message": "where is my order 12345"})
        ticket = hand_off(server, "cy", None, "I want to return it")
        server.call("POST", f"/handoffs/{ticket}/reply", {"text": "Sure, let me look"})
        status, shown = server.call("GET", f"/handoffs/{ticket}")
    assert status == 200 and shown["ticket"]["id"] == ticket and shown["handed_off"] is True
    assert shown["waiting_s"] >= 0 and "asked for a human" in shown["summary"]["headline"]
    assert shown["summary"]["intents"] == ["order_status", "human_handoff", "return_item"]  # live
    assert shown["ticket"]["summary"]["intents"] == ["order_status", "human_handoff"]  # as filed
    assert shown["summary"]["slots"]["order_id"] == "12345"
    assert shown["summary"]["told"]["order_id"] == "12345" and "sentiment" not in shown["summary"]["told"]
    lines = [(line["from"], line["text"]) for line in shown["transcript"]]
    assert lines[0] == ("customer", "where is my order 12345") and lines[-1] == ("agent", "Sure, let me look")
    assert ("customer", "I want to return it") in lines and any(f == "system" for f, _ in lines)
    first = shown["transcript"][0]
    assert first["intent"] == "order_status" and first["confidence"] == 0.95 and first["timestamp"] > 0


def test_suggestions_without_a_knowledge_base(make_server) -> None:
    with make_server() as server:
        ticket = hand_off(server, "cy", None, "what are the shipping costs to Norway?")
        status, suggested = server.call("GET", f"/handoffs/{ticket}/suggestions")
    assert status == 200 and suggested["passages"] == []
    assert suggested["message"] == "what are the shipping costs to Norway?"
    assert suggested["intent"] == "shipping_costs"
    first = suggested["replies"][0]
    assert (first["source"], first["kind"]) == ("utter_shipping_costs", "predicted")
    assert "Norway" in first["text"] and "what the bot would say" in first["why"]
    assert len({r["text"] for r in suggested["replies"]}) == len(suggested["replies"])  # no repeats


def test_suggestions_with_a_knowledge_base_name_their_passages(make_server) -> None:
    with make_server(knowledge=True) as server:
        ticket = hand_off(server, "cy", None, "how long until my refund shows up after you get the parcel back?")
        status, suggested = server.call("GET", f"/handoffs/{ticket}/suggestions")
    assert status == 200
    passages = suggested["passages"]
    assert passages and passages[0]["id"] == "returns#refunds" and passages[0]["relevant"] is True
    assert "5–7 business days" in passages[0]["text"] and passages[0]["source"].startswith("data/knowledge/")
    assert any(r["source"] == "utter_refund_status" for r in suggested["replies"])


def test_suggestions_in_the_customers_language(make_server) -> None:
    with make_server() as server:
        ticket = hand_off(server, "cy", None, "运费是多少")  # "how much is shipping?"
        suggested = server.call("GET", f"/handoffs/{ticket}/suggestions")[1]
    assert suggested["language"] == "zh" and suggested["replies"]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in r["text"]) for r in suggested["replies"])


def test_masked_data_stays_masked_in_the_inbox(example, tmp_path) -> None:
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
        ticket = hand_off(server, jane, None, "my email is jane.doe@example.com, return order 12345")
        shown = [server.call("GET", f"/handoffs/{ticket}{tail}")[1] for tail in ("", "/suggestions")]
        status, sent = server.call("POST", f"/handoffs/{ticket}/reply", {"text": "Thanks, jane.doe@example.com"})
    text = json.dumps(shown + [sent])
    assert status == 200 and "jane.doe" not in text and "[email]" in text
    assert shown[0]["ticket"]["sender_id"] == sealer.pseudonym(jane)


def test_odd_ids_and_bodies_are_4xx(make_server) -> None:
    with make_server() as server:
        ticket = hand_off(server, "cy", None)
        for ident in ("-1", "abc", "9" * 30, "1e3", "%20", "0x1"):
            for method, tail, body in [("GET", "", None), ("POST", "/claim", {}), ("GET", "/suggestions", None),
                                       ("POST", "/reply", {"text": "hi"})]:
                status, _ = server.call(method, f"/handoffs/{ident}{tail}", body)
                assert 400 <= status < 500, (ident, tail, status)
        for tail, raw in [("/claim", b"[]"), ("/claim", b'{"force": "maybe"}'), ("/claim", b"not json"),
                          ("/reply", b'{"text": 5}'), ("/reply", b"{}"), ("/reply", b'{"text": "' + b"x" * 5000 + b'"}')]:
            status, error = server.call("POST", f"/handoffs/{ticket}{tail}", raw=raw)
            assert status == 400 and error["fields"], (tail, raw[:20], status, error)
