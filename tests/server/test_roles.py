"""Customers and staff are different principals (server.auth), and the customer channel has
rate limits (server.limits): over real HTTP, around the example assistant."""
from __future__ import annotations

import time

import pytest

from server.auth import Auth, new_staff_token, revoke_staff_token
from server.limits import Rate, RateLimits, parse_limits

ADMIN = "admin-s3cret"


def session(server, token=None) -> dict:
    status, issued = server.call("POST", "/webhooks/rest/session", token=token)
    assert status == 200, issued
    return issued


def say(server, sender: str, text: str, token: str | None):
    return server.call("POST", "/webhooks/rest/webhook", {"sender": sender, "message": text}, token=token)


def test_a_customer_reaches_only_their_own_conversation(make_server) -> None:
    with make_server(token=ADMIN) as server:
        ann = session(server)  # no staff secret needed
        assert ann["sender"].startswith("web-") and ann["token"].startswith("c1.")
        status, replies = say(server, ann["sender"], "hi", ann["token"])
        assert status == 200 and replies and replies[0]["recipient_id"] == ann["sender"]
        status, error = say(server, "someone-else", "hi", ann["token"])
        assert status == 403 and "another conversation" in error["error"]
        stream = server.call("POST", "/webhooks/rest/stream", {"sender": "victim", "message": "hi"},
                             token=ann["token"])
        assert stream[0] == 403
        for method, path, body in [("GET", "/handoffs", None), ("GET", f"/conversations/{ann['sender']}/tracker", None),
                                   ("GET", "/metrics", None), ("POST", "/model/parse", {"text": "hi"}),
                                   ("POST", "/handoffs/1/release", {}),
                                   ("POST", f"/conversations/{ann['sender']}/messages", {"text": "x", "author": "agent"}),
                                   ("POST", f"/conversations/{ann['sender']}/trigger_intent", {"name": "greet"})]:
            status, error = server.call(method, path, body, token=ann["token"])
            assert status == 403 and "scope" in error["error"], (path, status, error)
        # the page's own view: handed off?, and what the human agents said
        say(server, ann["sender"], "can I talk to a human", ann["token"])
        status, own = server.call("GET", f"/conversations/{ann['sender']}/status", token=ann["token"])
        assert status == 200 and own["handed_off"] is True and own["agent_messages"] == []
        server.call("POST", f"/conversations/{ann['sender']}/messages",
                    {"text": "Hi, Sam here", "author": "agent", "agent": "sam"}, token=ADMIN)
        own = server.call("GET", f"/conversations/{ann['sender']}/status", token=ann["token"])[1]
        assert [(m["text"], m["agent"]) for m in own["agent_messages"]] == [("Hi, Sam here", "sam")]
        bob = session(server)
        assert server.call("GET", f"/conversations/{ann['sender']}/status", token=bob["token"])[0] == 403
        # no token, a tampered one, one from another deployment, an expired one: 401
        assert say(server, ann["sender"], "hi", None)[0] == 401
        tampered = ann["token"][:-2] + ("AA" if not ann["token"].endswith("AA") else "BB")
        assert say(server, ann["sender"], "hi", tampered)[0] == 401
        foreign = Auth(secret=b"another deployment").issue(ann["sender"])["token"]
        assert say(server, ann["sender"], "hi", foreign)[0] == 401
        status, error = say(server, ann["sender"], "hi", "Bearer-é")
        assert status == 401


def test_expired_customer_token_is_refused(make_server) -> None:
    auth = Auth(admin_token=ADMIN, secret=b"k")
    with make_server(auth=auth) as server:
        old = auth.issue(ttl_s=-1)
        status, error = say(server, old["sender"], "hi", old["token"])
        assert status == 401 and "bearer token" in error["error"]
        fresh = auth.issue()
        assert say(server, fresh["sender"], "hi", fresh["token"])[0] == 200


def test_a_channel_token_may_name_the_sender(make_server) -> None:
    with make_server(token=ADMIN) as server:
        status, error = server.call("POST", "/webhooks/rest/session", {"sender": "c-1001"})
        assert status == 403  # naming the sender needs a staff token with `channel`
        issued = server.call("POST", "/webhooks/rest/session", {"sender": "c-1001"}, token=ADMIN)[1]
        assert issued["sender"] == "c-1001"
        assert say(server, "c-1001", "hi", issued["token"])[0] == 200
        assert say(server, "anyone", "hi", ADMIN)[0] == 200  # admin speaks for anyone


def test_scoped_staff_tokens_from_the_tokens_file(make_server, tmp_path) -> None:
    tokens = tmp_path / "tokens.yml"
    agent_token = new_staff_token(tokens, "sam", ["agent"])
    scraper = new_staff_token(tokens, "prometheus", ["metrics"])
    backend = new_staff_token(tokens, "shop-backend", ["channel"])
    assert "sam" in tokens.read_text() and agent_token not in tokens.read_text()  # digests only
    assert tokens.stat().st_mode & 0o077 == 0
    with make_server(auth=Auth(tokens_file=tokens, secret=b"k")) as server:
        assert server.call("GET", "/handoffs")[0] == 401  # staff tokens exist: auth is on
        assert say(server, "cy", "can I talk to a human", backend)[0] == 200
        assert say(server, "cy", "hi", agent_token)[0] == 403  # an agent is not the customer
        status, tickets = server.call("GET", "/handoffs", token=agent_token)
        assert status == 200 and tickets[0]["sender_id"] == "cy"
        assert server.call("GET", "/handoffs", token=backend)[0] == 403
        assert server.call("GET", "/metrics", token=agent_token)[0] == 403
        assert server.call("GET", "/metrics", token=scraper)[0] == 200
        assert server.call("GET", "/handoffs", token=scraper)[0] == 403
        # an agent's message and release are signed with the token's name
        status, said = server.call("POST", "/conversations/cy/messages", {"text": "Sam here", "author": "agent"},
                                   token=agent_token)
        assert status == 200 and said["tracker"]["events"][-1]["custom"] == {"agent": "sam"}
        status, _ = server.call("POST", f"/handoffs/{tickets[0]['id']}/release", {}, token=agent_token)
        released = server.call("GET", "/conversations/cy/tracker", token=agent_token)[1]["events"][-1]
        assert status == 200 and released["agent"] == "sam"
        # revoked: refused at once, without a restart
        time.sleep(0.01)  # a new modification time for the file
        assert revoke_staff_token(tokens, "sam")
        assert server.call("GET", "/handoffs", token=agent_token)[0] == 401
        # a broken file fails closed: no token from it works until it is fixed
        tokens.write_text("tokens: {not: a list}\n")
        assert server.call("GET", "/metrics", token=scraper)[0] == 401


def test_rate_limits_per_sender_address_and_new_conversations(make_server) -> None:
    limits = RateLimits({"sender": Rate(3, 60), "address": Rate(5, 60), "session": Rate(3, 60)})
    with make_server(token=ADMIN, limits=limits) as server:
        ann = session(server)
        assert [say(server, ann["sender"], "hi", ann["token"])[0] for _ in range(3)] == [200] * 3
        status, error = say(server, ann["sender"], "hi", ann["token"])
        assert status == 429 and "messages in this conversation" in error["error"]
        # the address limit: a second conversation from the same address gets 2 more
        bob = session(server)
        codes = [say(server, bob["sender"], "hi", bob["token"])[0] for _ in range(3)]
        assert codes == [200, 200, 429]
        session(server)
        status, error = server.call("POST", "/webhooks/rest/session")
        assert status == 429 and "new conversations" in error["error"]
        # staff speak for many customers from one address: not limited
        assert all(say(server, "backend-relayed", "hi", ADMIN)[0] == 200 for _ in range(6))


def test_a_limited_request_says_when_to_retry(make_server) -> None:
    import urllib.error
    import urllib.request

    with make_server(token=ADMIN, limits=RateLimits({"session": Rate(1, 3600)})) as server:
        issued = session(server, token=None)
        request = urllib.request.Request(server.url + "/webhooks/rest/session", data=b"", method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 429 and int(refused.value.headers["Retry-After"]) > 3000
        assert issued["token"]


def test_rate_limit_settings_are_checked() -> None:
    assert parse_limits("sender=5/10, session=off") == {"sender": Rate(5, 10.0), "session": None}
    for bad in ("sender=5", "senders=5/10", "sender=0/10", "address=5/0"):
        with pytest.raises(ValueError, match="'"):
            parse_limits(bad)
