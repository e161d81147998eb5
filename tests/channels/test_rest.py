"""The REST channel over real HTTP: Rasa's reply items (text with buttons, then custom,
then image; paragraphs split), the same items on the stream, and the channel's name on
the turn (so the default variation, not Slack's, is picked)."""
import json

from channels.base import PartsOutputChannel
from core.events import BotUttered


def test_rest_returns_image_and_custom_as_rasas_rest_channel_does(serve) -> None:
    with serve() as server:
        status, items = server.call("POST", "/webhooks/rest/webhook", {"sender": "ann", "message": "thanks"})
    assert status == 200
    assert items == [
        {"recipient_id": "ann", "text": "Here is our shop.",
         "buttons": [{"title": "Say hello", "payload": "/greet"}]},
        {"recipient_id": "ann", "custom": {"blocks": [{"type": "divider"}]}},
        {"recipient_id": "ann", "image": "https://example.com/shop.png"},
    ]


def test_a_text_without_buttons_is_split_at_blank_lines_as_rasa_does(serve) -> None:
    with serve() as server:
        _, items = server.call("POST", "/webhooks/rest/webhook", {"sender": "bo", "message": "yes"})
    assert items == [{"recipient_id": "bo", "text": "We open at nine."},
                     {"recipient_id": "bo", "text": "We close at five."}]


def test_the_stream_sends_the_same_items(serve) -> None:
    with serve() as server:
        _, items = server.call("POST", "/webhooks/rest/webhook", {"sender": "cy", "message": "thanks"})
        status, text = server.call("POST", "/webhooks/rest/stream", {"sender": "cy", "message": "thanks"})
    assert status == 200 and text.endswith("event: done\ndata: {}\n\n")
    streamed = [json.loads(line[len("data: "):]) for line in text.splitlines()
                if line.startswith("data: {\"")]
    assert streamed == items


def test_rest_turns_carry_the_rest_channel_and_get_the_default_variation(serve) -> None:
    with serve() as server:
        _, items = server.call("POST", "/webhooks/rest/webhook", {"sender": "di", "message": "hello"})
        _, tracker = server.call("GET", "/conversations/di/tracker")
    assert items == [{"recipient_id": "di", "text": "Hello!"}]
    assert [e["input_channel"] for e in tracker["events"] if e["event"] == "user"] == ["rest"]


def test_a_text_only_channel_gets_numbered_buttons_and_the_image_url() -> None:
    """PartsOutputChannel's defaults, for a project's own text-only connector."""
    class Sms(PartsOutputChannel[str]):
        def text(self, recipient_id: str, text: str) -> list[str]:
            return [f"{recipient_id}: {text}"]

    reply = BotUttered(text="Pick one", buttons=(("Yes", "/affirm"), ("No", "/deny")),
                       image="https://example.com/a.png", custom={"sources": []})
    assert Sms().render("+4412", reply) == ["+4412: Pick one\n1: Yes (/affirm)\n2: No (/deny)",
                                            "+4412: Image: https://example.com/a.png"]


def test_rest_metadata_reaches_the_tracker_as_rasa_passes_it(serve) -> None:
    body = {"sender": "md", "message": "hello", "metadata": {"customer_id": "c-7", "plan": "pro"}}
    with serve() as server:
        server.call("POST", "/webhooks/rest/webhook", body)
        server.call("POST", "/webhooks/rest/webhook", {"sender": "md", "message": "hello"})
        _, tracker = server.call("GET", "/conversations/md/tracker")
    users = [e for e in tracker["events"] if e["event"] == "user"]
    assert [u["metadata"] for u in users] == [{"customer_id": "c-7", "plan": "pro"}, None]
    assert tracker["slots"]["session_started_metadata"] == {"customer_id": "c-7", "plan": "pro"}
