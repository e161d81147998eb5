"""Thumbs on bot messages over HTTP (POST /webhooks/rest/feedback): a customer rates their
own conversation only, bad bodies name the field, and the session tells the page to show them."""
from __future__ import annotations

from core.events import Feedback


def customer(server) -> dict:
    status, session = server.call("POST", "/webhooks/rest/session")
    assert status == 200
    return session


def test_a_customer_rates_a_bot_message_of_their_own_conversation(make_server) -> None:
    with make_server(token="staff-s3cret") as server:
        me, other = customer(server), customer(server)
        assert me["thumbs"] is True
        status, replies = server.call("POST", "/webhooks/rest/webhook",
                                      {"sender": me["sender"], "message": "hi"}, token=me["token"])
        assert status == 200
        text = replies[0]["text"]
        status, body = server.call("POST", "/webhooks/rest/feedback",
                                   {"sender": me["sender"], "score": -1, "text": text}, token=me["token"])
        assert status == 200 and body["score"] == -1
        events = server.server.config.app.state.agent.tracker(me["sender"]).events
        assert isinstance(events[-1], Feedback) and events[-1].kind == "message"
        status, body = server.call("POST", "/webhooks/rest/feedback",
                                   {"sender": me["sender"], "score": 1}, token=other["token"])
        assert status == 403 and "field sender" in body["error"]
        status, _ = server.call("POST", "/webhooks/rest/feedback", {"sender": me["sender"], "score": 1})
        assert status == 401


def test_bad_feedback_bodies_name_the_field(make_server) -> None:
    with make_server(token="staff-s3cret") as server:
        me = customer(server)
        for body, field in (({"sender": me["sender"], "score": 0}, "score"),
                            ({"sender": me["sender"], "score": "up"}, "score"),
                            ({"score": 1}, "sender")):
            status, answer = server.call("POST", "/webhooks/rest/feedback", body, token=me["token"])
            assert status == 400 and field in answer["error"], answer
        status, answer = server.call("POST", "/webhooks/rest/feedback",
                                     {"sender": me["sender"], "score": 1}, token=me["token"])
        assert status == 404 and "field text" in answer["error"]  # nothing said yet to rate
