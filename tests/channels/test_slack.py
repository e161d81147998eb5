"""The Slack connector end to end: signed Events API requests into a real uvicorn, the
turn through the real agent, replies posted by the real slack_sdk WebClient to a local
stand-in for Slack's Web API (tests/channels/fake_slack.py)."""
import json
import time
from http.client import HTTPMessage
from urllib.parse import urlencode

import pytest

from channels.slack import SlackInput, SlackOutput, plain_text
from core.events import BotUttered
from tests.channels.conftest import SIGNING_SECRET, post, slack_event, slack_headers
from tests.channels.fake_slack import GONE, FakeSlack

WEBHOOK = "/webhooks/slack/webhook"


@pytest.fixture
def fake_slack():
    with FakeSlack() as fake:
        yield fake


def slack(fake: FakeSlack, **settings) -> SlackInput:
    return SlackInput(slack_token="xoxb-test", slack_signing_secret=SIGNING_SECRET,
                      slack_api_url=fake.url, **settings)


def send(server, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, HTTPMessage, str]:
    return post(server.url + WEBHOOK, body, slack_headers(body) if headers is None else headers)


def test_a_signed_direct_message_is_answered_with_the_slack_variation(serve, fake_slack) -> None:
    with serve([slack(fake_slack)]) as server:
        started = time.monotonic()
        status, _, text = send(server, slack_event("hello"))
        assert (status, text) == (200, "")
        assert time.monotonic() - started < 3  # Slack's limit for the acknowledgement
        (posted,) = fake_slack.wait_for_posts(1)
        _, tracker = server.call("GET", "/conversations/U1/tracker")
    assert posted == {"channel": "D1", "text": "Hello from *Slack*!"}
    assert fake_slack.calls[0]["auth"] == "Bearer xoxb-test"
    (user,) = [e for e in tracker["events"] if e["event"] == "user"]
    assert (user["text"], user["input_channel"]) == ("hello", "slack")


def test_buttons_image_and_custom_blocks_become_one_block_kit_message(serve, fake_slack) -> None:
    with serve([slack(fake_slack)]) as server:
        send(server, slack_event("thanks"))
        (posted,) = fake_slack.wait_for_posts(1)
    assert posted == {"channel": "D1", "text": "Here is our shop.", "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Here is our shop."}},
        {"type": "actions", "elements": [{"type": "button", "action_id": "button_0", "value": "/greet",
                                          "text": {"type": "plain_text", "text": "Say hello"}}]},
        {"type": "image", "image_url": "https://example.com/shop.png", "alt_text": "Here is our shop."},
        {"type": "divider"},
    ]}


def test_a_button_click_is_the_customers_next_message(serve, fake_slack) -> None:
    click = {"type": "block_actions", "user": {"id": "U1"}, "channel": {"id": "D1"},
             "container": {"type": "message", "message_ts": "1700000001.000200", "channel_id": "D1"},
             "actions": [{"type": "button", "action_id": "button_0", "value": "/greet"}]}
    body = urlencode({"payload": json.dumps(click)}).encode()
    with serve([slack(fake_slack)]) as server:
        status, _, _ = send(server, body, slack_headers(body, content_type="application/x-www-form-urlencoded"))
        (posted,) = fake_slack.wait_for_posts(1)
    assert status == 200 and posted == {"channel": "D1", "text": "Hello from *Slack*!"}


@pytest.mark.parametrize("headers", [
    pytest.param(lambda body: slack_headers(body, secret="not-the-secret"), id="wrong secret"),
    pytest.param(lambda body: slack_headers(body, timestamp=int(time.time()) - 6 * 60), id="stale"),
    pytest.param(lambda body: {**slack_headers(body), "X-Slack-Request-Timestamp": "soon"}, id="bad timestamp"),
    pytest.param(lambda body: {"Content-Type": "application/json"}, id="unsigned"),
    pytest.param(lambda body: slack_headers(body + b" "), id="other body"),
])
def test_a_bad_or_stale_signature_is_refused_and_nothing_is_posted(serve, fake_slack, headers) -> None:
    with serve([slack(fake_slack)]) as server:
        body = slack_event("hello")
        status, _, text = send(server, body, headers(body))
        assert status == 401 and "signature" in json.loads(text)["error"]
        send(server, slack_event("thanks", user="U2"))  # a valid one afterwards: the only post
        posts = fake_slack.wait_for_posts(1)
        _, refused = server.call("GET", "/conversations/U1/tracker")
    assert [p["text"] for p in posts] == ["Here is our shop."]
    assert refused["events"] == []


def test_url_verification_answers_the_challenge_only_when_signed(serve, fake_slack) -> None:
    body = json.dumps({"type": "url_verification", "token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2"}).encode()
    with serve([slack(fake_slack)]) as server:
        status, _, text = send(server, body)
        unsigned, _, _ = send(server, body, {"Content-Type": "application/json"})
    assert (status, json.loads(text)) == (200, {"challenge": "3eZbrw1aBm2rZgRNFdxV2"})
    assert unsigned == 401 and fake_slack.calls == []


def test_retries_bots_edits_and_unaddressed_channel_messages_are_not_answered(serve, fake_slack) -> None:
    ignored = [
        (slack_event("hello"), {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}),
        (slack_event("hello", bot_id="B1"), {}),
        (slack_event("hello", user="UBOT"), {}),
        (slack_event("hello", subtype="message_changed"), {}),
        (slack_event("hello", channel="C9", channel_type="channel"), {}),  # no mention
    ]
    with serve([slack(fake_slack)]) as server:
        for body, extra in ignored:
            status, headers, _ = send(server, body, {**slack_headers(body), **extra})
            assert status == 200
            if extra:
                assert headers.get("X-Slack-No-Retry") == "1"
        send(server, slack_event("thanks", user="U2"))
        posts = fake_slack.wait_for_posts(1)
        _, tracker = server.call("GET", "/conversations/U1/tracker")
    assert [p["text"] for p in posts] == ["Here is our shop."]
    assert tracker["events"] == []


def test_a_mention_in_a_channel_is_answered_there_in_a_thread_per_conversation(serve, fake_slack) -> None:
    channel = slack(fake_slack, use_threads=True, conversation_granularity="thread")
    with serve([channel]) as server:
        send(server, slack_event("<@UBOT> hello", channel="C1", channel_type="channel"))
        (posted,) = fake_slack.wait_for_posts(1)
        _, tracker = server.call("GET", "/conversations/U1_C1_1700000000.000100/tracker")
    assert posted == {"channel": "C1", "text": "Hello from *Slack*!", "thread_ts": "1700000000.000100"}
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == ["hello"]


def test_every_message_in_the_configured_channel_is_answered(serve, fake_slack) -> None:
    with serve([slack(fake_slack, slack_channel="C7", conversation_granularity="channel")]) as server:
        send(server, slack_event("hello", channel="C7", channel_type="channel"))
        (posted,) = fake_slack.wait_for_posts(1)
        status, _ = server.call("GET", "/conversations/U1_C7/tracker")
    assert posted["channel"] == "C7" and status == 200


def test_the_slack_webhook_needs_no_bearer_token_the_rest_one_does(serve, fake_slack) -> None:
    with serve([slack(fake_slack)], token="s3cret") as server:
        assert server.call("POST", "/webhooks/rest/webhook", {"sender": "a", "message": "hi"})[0] == 401
        status, _, _ = send(server, slack_event("hello"))
        (posted,) = fake_slack.wait_for_posts(1)
    assert status == 200 and posted["text"] == "Hello from *Slack*!"


def test_a_signed_body_that_is_not_an_event_is_a_400(serve, fake_slack) -> None:
    with serve([slack(fake_slack)]) as server:
        status, _, _ = send(server, b"{not json")
        listed, _, _ = send(server, b"[1, 2]")
    assert (status, listed) == (400, 400)


def test_slack_markup_becomes_what_the_customer_typed() -> None:
    text = "<@UBOT> is <https://example.com/a?b=1|this page> &amp; <mailto:a@b.com|a@b.com> ok &lt;3"
    assert plain_text(text, "UBOT") == "is this page & a@b.com ok <3"


def test_a_post_slack_refuses_is_logged_and_the_server_carries_on(serve, fake_slack, caplog) -> None:
    with serve([slack(fake_slack)]) as server:
        send(server, slack_event("hello", channel=GONE))
        fake_slack.wait_for_posts(1)
        send(server, slack_event("thanks", user="U2"))
        posts = fake_slack.wait_for_posts(2)
    assert [p["channel"] for p in posts] == [GONE, "D1"]
    assert f"posting a reply to Slack channel {GONE} failed" in caplog.text
    assert "channel_not_found" in caplog.text


def test_long_texts_sources_and_a_list_of_blocks() -> None:
    reply = BotUttered(text="x" * 3500, custom=[{"type": "divider"}])
    (message,) = SlackOutput().render("C1", reply)
    assert [len(b["text"]["text"]) for b in message["blocks"][:2]] == [3000, 500]
    assert message["blocks"][2:] == [{"type": "divider"}] and message["text"] == "x" * 3500
    grounded = BotUttered(text="Refunds take 5–7 business days.", custom={
        "sources": [{"id": "returns#refunds", "source": "returns.md"}], "backend": "extractive"})
    assert SlackOutput().render("C1", grounded)[0]["blocks"][1] == \
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "Sources: returns#refunds"}]}
    assert SlackOutput().render("C1", BotUttered(custom={"retrieval_intent": "faq/x"})) == []


def test_a_replayed_or_retried_event_is_answered_once(serve, fake_slack) -> None:
    """A signed request sent again within the signature's 5 minutes (a replay, or Slack's
    retry after a failed delivery) is answered once; a retry of an event never received
    (the server was down) is answered."""
    body = slack_event("hello")
    with serve([slack(fake_slack)]) as server:
        for _ in range(3):
            assert send(server, body, slack_headers(body))[0] == 200
        missed = slack_event("hello", user="U7")
        retry = {**slack_headers(missed), "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}
        assert send(server, missed, retry)[0] == 200
        posts = fake_slack.wait_for_posts(2)
        time.sleep(0.5)
    assert len(fake_slack.calls) == 2 and {p["channel"] for p in posts} == {"D1"}
