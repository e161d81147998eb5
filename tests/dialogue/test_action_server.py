"""The action server client (dialogue/action_server.py) against a small HTTP server of the
test's own that answers as a `rasa_sdk` server would, or fails the way real ones fail: the
request Rasa's protocol sends, each reply shape, and what the customer hears when it breaks.
(tests/dialogue/test_rasa_sdk_server.py runs the real rasa_sdk.)"""
from __future__ import annotations

import json
import logging
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from core.domain import Domain, Form, Slot
from core.errors import ProjectInvalid
from core.events import ActionExecuted, BotUttered, Followup, SlotSet, UserUttered
from core.message import IntentScore, Message
from core.tracker import Tracker
from dialogue.action_server import ActionEndpoint, ActionServer, Failed, ServerReply, read_action_endpoint
from dialogue.actions import UNAVAILABLE_TEXT, ActionRunner
from dialogue.forms import Rejected
from dialogue.registry import ProjectActions
from core.prediction import Prediction
from stores.handoffs import HandoffQueue
from tests.services import free_port


class Stub:
    """An HTTP server answering POST /webhook with `reply(body) -> (status, json, delay)`."""

    def __init__(self, reply):
        self.reply, self.requests = reply, []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.requests.append({"path": self.path, "body": body})
                status, data, delay = stub.reply(body)
                time.sleep(delay)
                payload = json.dumps(data).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up (timeout tests)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/webhook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub():
    servers = []

    def make(reply):
        servers.append(Stub(reply))
        return servers[-1]
    yield make
    for server in servers:
        server.close()


DOMAIN = Domain(intents=["greet", "inform"], entities=["cuisine"],
                slots={"cuisine": Slot("cuisine", "text"), "total": Slot("total", "float")},
                actions=["action_lookup", "action_restart", "validate_booking_form"],
                forms={"booking_form": Form("booking_form", ("cuisine",))})


def tracker() -> Tracker:
    message = Message("italian please", IntentScore("inform", 0.97), (IntentScore("inform", 0.97),))
    t = Tracker("ann", dict(DOMAIN.slots))
    t.extend([ActionExecuted(action="action_listen"), UserUttered(message=message, input_channel="rest")])
    return t


def runner(url: str, timeout: float = 5.0, retries: int = 1) -> ActionRunner:
    server = ActionServer(ActionEndpoint(url, timeout=timeout, retries=retries))
    return ActionRunner(DOMAIN, HandoffQueue(), random.Random(0), custom=ProjectActions(server=server))


def chosen(name: str) -> Prediction:
    return Prediction(name, 1.0, "rules", "test")


def test_the_request_is_rasas_and_the_reply_becomes_our_events(stub) -> None:
    server = stub(lambda body: (200, {
        "events": [{"event": "slot", "timestamp": None, "name": "total", "value": 42.5},
                   {"event": "followup", "name": "utter_greet"},
                   {"event": "reminder", "name": "later"}],
        "responses": [{"text": "Found it", "buttons": [{"title": "Yes", "payload": "/affirm"}],
                       "elements": [], "custom": {}, "template": None, "response": None,
                       "image": None, "attachment": None}]}, 0))
    events = runner(server.url).run("action_lookup", tracker(), chosen("action_lookup"))
    (request,) = server.requests
    body = request["body"]
    assert body["next_action"] == "action_lookup" and body["sender_id"] == "ann"
    assert body["version"].startswith("3.")
    state = body["tracker"]
    assert state["latest_message"]["intent"] == {"name": "inform", "confidence": 0.97}
    assert state["latest_message"]["text"] == "italian please"
    assert [e["event"] for e in state["events"]] == ["action", "user"]
    assert state["events"][1]["parse_data"]["intent"]["name"] == "inform"
    assert state["slots"] == {"cuisine": None, "total": None} and state["active_loop"] == {}
    assert body["domain"]["forms"] == {"booking_form": {"required_slots": ["cuisine"]}}
    assert body["domain"]["actions"] == DOMAIN.actions
    assert events == [BotUttered(text="Found it", buttons=(("Yes", "/affirm"),), timestamp=events[0].timestamp),
                      SlotSet(slot="total", value=42.5, timestamp=events[1].timestamp),
                      Followup(action="utter_greet", timestamp=events[2].timestamp)]


def test_a_response_named_by_the_action_is_rendered_with_the_values_it_passes(stub) -> None:
    from core.domain import ResponseVariation

    domain = Domain(actions=["action_lookup"], slots={"cuisine": Slot("cuisine", "text")},
                    responses={"utter_total": [ResponseVariation("{cuisine} for {total} people")]})
    server = stub(lambda body: (200, {"events": [], "responses": [
        {"text": None, "response": "utter_total", "template": "utter_total", "buttons": [],
         "total": 4}, {"response": "utter_missing"}]}, 0))
    t = tracker()
    t.append(SlotSet(slot="cuisine", value="Thai"))
    remote = ActionServer(ActionEndpoint(server.url))
    events = ActionRunner(domain, HandoffQueue(), random.Random(0),
                          custom=ProjectActions(server=remote)).run("action_lookup", t, chosen("x"))
    assert [(e.text, e.response) for e in events] == [("Thai for 4 people", "utter_total")]


def test_a_rejection_lets_other_policies_answer(stub) -> None:
    server = stub(lambda body: (400, {"error": "no booking to change", "action_name": "action_lookup"}, 0))
    result = runner(server.url).run("action_lookup", tracker(), chosen("action_lookup"))
    assert isinstance(result, Rejected) and "no booking to change" in result.reason


def test_a_server_error_is_an_apology_and_an_error_log(stub, caplog) -> None:
    server = stub(lambda body: (500, {"error": "KeyError('x')"}, 0))
    with caplog.at_level(logging.ERROR):
        events = runner(server.url).run("action_lookup", tracker(), chosen("action_lookup"))
    assert [e.text for e in events] == [UNAVAILABLE_TEXT["en"]]
    assert "HTTP 500" in caplog.text and "action_lookup" in caplog.text


def test_a_slow_server_times_out_and_is_not_called_twice(stub, caplog) -> None:
    server = stub(lambda body: (200, {"events": [], "responses": []}, 1.5))
    started = time.monotonic()
    with caplog.at_level(logging.ERROR):
        events = runner(server.url, timeout=0.3, retries=2).run("action_lookup", tracker(), chosen("x"))
    assert time.monotonic() - started < 1.4
    assert [e.text for e in events] == [UNAVAILABLE_TEXT["en"]] and len(server.requests) == 1
    assert "did not answer within 0.3 s" in caplog.text


def test_a_server_that_is_down_is_retried_then_apologised_for(caplog) -> None:
    url = f"http://127.0.0.1:{free_port()}/webhook"  # nothing listens there
    remote = ActionServer(ActionEndpoint(url, retries=2))
    result = remote.call("action_lookup", tracker(), DOMAIN)
    assert isinstance(result, Failed) and "cannot be reached" in result.reason
    t = tracker()
    t.append(UserUttered(message=Message("你好，帮我查一下", IntentScore("inform", 0.9), language="zh")))
    with caplog.at_level(logging.ERROR):
        events = runner(url, retries=0).run("action_lookup", t, chosen("x"))
    assert [e.text for e in events] == [UNAVAILABLE_TEXT["zh"]]
    assert "cannot be reached" in caplog.text


def test_the_projects_own_built_in_runs_and_a_404_falls_back_to_ours(stub) -> None:
    server = stub(lambda body: (200, {"events": [], "responses": [{"text": "bye from the project"}]}, 0))
    events = runner(server.url).run("action_restart", tracker(), chosen("action_restart"))
    assert [e.text for e in events] == ["bye from the project"]
    missing = stub(lambda body: (404, {"error": "No registered action found for name 'action_restart'.",
                                       "action_name": "action_restart"}, 0))
    events = runner(missing.url).run("action_restart", tracker(), chosen("action_restart"))
    assert [type(e).__name__ for e in events] == ["Restarted"]


def test_the_form_sends_its_candidates_to_validate_and_follows_requested_slot(stub) -> None:
    def reply(body):
        state = body["tracker"]
        last = state["events"][-1]
        assert last == {**last, "event": "slot", "name": "cuisine", "value": "italian"}
        return 200, {"events": [{"event": "slot", "name": "cuisine", "value": "ITALIAN"},
                                {"event": "slot", "name": "requested_slot", "value": None}],
                     "responses": [{"text": "Good choice"}]}, 0

    server = stub(reply)
    from dialogue.slot_filling import candidates  # noqa: F401 - the form's own extraction
    from core.domain import SlotMapping

    domain = Domain(intents=["inform"], entities=["cuisine"], actions=["validate_booking_form"],
                    slots={"cuisine": Slot("cuisine", "text", (SlotMapping("from_entity", entity="cuisine"),))},
                    forms={"booking_form": Form("booking_form", ("cuisine", "time"))})
    from core.message import Entity

    message = Message("italian", IntentScore("inform", 0.9), entities=(Entity("cuisine", 0, 7, "italian", "italian"),))
    t = Tracker("ann", dict(domain.slots))
    t.extend([UserUttered(message=message)])
    remote = ActionServer(ActionEndpoint(server.url))
    events = ActionRunner(domain, HandoffQueue(), random.Random(0),
                          custom=ProjectActions(server=remote)).run("booking_form", t, chosen("booking_form"))
    names = [(type(e).__name__, getattr(e, "slot", None) or getattr(e, "text", None) or getattr(e, "loop", None))
             for e in events]
    # the validator said no more slots are needed (requested_slot: None): the form ends
    assert names[:3] == [("ActiveLoop", "booking_form"), ("BotUttered", "Good choice"), ("SlotSet", "cuisine")]
    assert names[-1] == ("ActiveLoop", None)
    assert [e.value for e in events if isinstance(e, SlotSet) and e.slot == "cuisine"] == ["ITALIAN"]


def test_endpoints_yml_action_endpoint_is_read_and_its_mistakes_named(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ACTION_TOKEN", "s3cret")
    (tmp_path / "endpoints.yml").write_text(
        "tracker_store:\n  type: in_memory\naction_endpoint:\n  url: http://actions:5055/webhook\n"
        "  token: ${ACTION_TOKEN}\n  timeout: 2.5\n  retries: 0\n  headers:\n    X-Team: support\n")
    endpoint, problems = read_action_endpoint(tmp_path)
    assert (endpoint.url, endpoint.timeout, endpoint.retries) == ("http://actions:5055/webhook", 2.5, 0)
    assert endpoint.params == {"token": "s3cret"} and endpoint.headers == {"X-Team": "support"}
    assert endpoint.source.endswith("endpoints.yml:3") and problems == []
    (tmp_path / "endpoints.yml").write_text("action_endpoint:\n  urls: http://actions\n  timeout: soon\n")
    with pytest.raises(ProjectInvalid) as failed:
        read_action_endpoint(tmp_path)
    text = "\n".join(str(p) for p in failed.value.problems)
    assert "endpoints.yml:2: warning: action_endpoint.urls: unknown key — did you mean 'url'?" in text
    assert "endpoints.yml:1: action_endpoint.url: missing" in text
    assert "endpoints.yml:3: action_endpoint.timeout: expected a number of seconds" in text


def test_server_reply_shapes_that_are_not_rasas_are_failures(stub) -> None:
    server = stub(lambda body: (200, ["not", "a", "mapping"], 0))
    result = ActionServer(ActionEndpoint(server.url)).call("action_lookup", tracker(), DOMAIN)
    assert isinstance(result, Failed) and "is not" in result.reason
    empty = stub(lambda body: (200, None, 0))
    assert ActionServer(ActionEndpoint(empty.url)).call("action_lookup", tracker(), DOMAIN) == ServerReply([], [])
