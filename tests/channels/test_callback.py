"""Rasa's callback channel (channels/callback.py) on a real server: the webhook answers
"success" and the replies arrive at the URL; a reminder's turn and a trigger_intent with
`output_channel=latest` go out the same way; a URL that is down loses nothing else."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.events import ReminderScheduled
from tests.channels.conftest import post
from tests.services import free_port


@pytest.fixture
def receiver():
    got: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            got.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/bot", got
    server.shutdown()


def wait_for(got: list, count: int) -> None:
    deadline = time.time() + 5
    while len(got) < count and time.time() < deadline:
        time.sleep(0.02)


def test_replies_reminders_and_triggered_intents_reach_the_url(serve, shop_agent, receiver) -> None:
    from channels.callback import CallbackInput

    url, got = receiver
    with serve([CallbackInput(url)]) as server:
        status, _, text = post(server.url + "/webhooks/callback/webhook",
                               json.dumps({"sender": "cal", "message": "hello"}).encode(),
                               {"Content-Type": "application/json"})
        assert (status, text) == (200, "success")
        assert got == [{"recipient_id": "cal", "text": "Hello!"}]

        shop_agent.reminders.track("cal", [ReminderScheduled(
            intent="greet", due=time.time() + 0.1, reminder="r", kill_on_user_message=False)])
        wait_for(got, 2)
        assert got[1] == {"recipient_id": "cal", "text": "Hello!"}

        status, body = server.call("POST", "/conversations/cal/trigger_intent?output_channel=latest",
                                   {"name": "greet"})
        assert status == 200 and body["messages"] == [{"recipient_id": "cal", "text": "Hello!"}]
        wait_for(got, 3)
        assert len(got) == 3


def test_a_url_that_is_down_is_logged_and_the_turn_still_answers(serve, caplog) -> None:
    from channels.callback import CallbackInput

    with serve([CallbackInput(f"http://127.0.0.1:{free_port()}/bot", timeout=1)]) as server:
        status, _, text = post(server.url + "/webhooks/callback/webhook",
                               json.dumps({"sender": "cal", "message": "hello"}).encode(),
                               {"Content-Type": "application/json"})
        assert (status, text) == (200, "success")
        status, tracker = server.call("GET", "/conversations/cal/tracker")
    assert [e["text"] for e in tracker["events"] if e["event"] == "bot"] == ["Hello!"]
    assert "did not take a message for cal (ConnectionError)" in caplog.text
