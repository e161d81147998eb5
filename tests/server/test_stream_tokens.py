"""POST /webhooks/rest/stream over real HTTP while a (fake, local) OpenAI-compatible model
writes slowly: the answer's checked beginning arrives as `token` events while it is being
generated, then the reply's items exactly as the webhook gives them; a failure mid-answer
still ends with an answer (the extractive one)."""
from __future__ import annotations

import http.client
import json
import time
from dataclasses import replace

import pytest

from tests.responses.fake_llm_server import FakeLLM

QUESTION = "how long until my refund shows up after you get the parcel back?"
ANSWER = ("Refunds go back to your original payment method within 5–7 business days after we "
          "receive the item [returns#refunds]. Your bank may need a few extra days to show the "
          "money [returns#refunds].")
DELAY = 0.05  # seconds before each 8-character piece: about 1.3 s for the whole answer


def stream(server, sender: str) -> list[tuple[float, str, dict]]:
    """(seconds since the request, event, data) for each event, as they arrive."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    started = time.perf_counter()
    connection.request("POST", "/webhooks/rest/stream", json.dumps({"sender": sender, "message": QUESTION}),
                       {"Content-Type": "application/json"})
    response = connection.getresponse()
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/event-stream")
    events, event = [], None
    for raw in response:  # line by line, as the server flushes them
        line = raw.decode().rstrip("\n")
        if line.startswith("event: "):
            event = line[len("event: "):]
        elif line.startswith("data: "):
            events.append((time.perf_counter() - started, event, json.loads(line[len("data: "):])))
    connection.close()
    return events


@pytest.fixture
def generating(make_server, example):
    """A server whose generation goes to a FakeLLM scripted with `script`."""
    def make(script: list[str]):
        llm = FakeLLM(script, token_delay=DELAY, chunk=8)
        config = replace(example[0].domain.generation, backend="openai", base_url=llm.url,
                         model="tiny", timeout=5)
        return llm, make_server(generation=config)
    return make


def test_tokens_arrive_while_the_answer_is_generated_then_the_webhooks_items(generating) -> None:
    llm, server = generating([f"stream:{ANSWER}", f"stream:{ANSWER}"])
    with llm, server:
        events = stream(server, "tok")
        _, items = server.call("POST", "/webhooks/rest/webhook", {"sender": "tok2", "message": QUESTION})
    tokens = [(at, data) for at, event, data in events if event == "token"]
    messages = [(at, data) for at, event, data in events if event == "message"]
    assert len(tokens) > 5 and [e for _, e, _ in events[-1:]] == ["done"]
    assert max(at for at, _ in tokens) < min(at for at, _ in messages)
    # the first token came well before the model had finished (a third of the pieces left)
    assert messages[0][0] - tokens[0][0] > 0.3, events
    assert all(data["recipient_id"] == "tok" for _, data in tokens)
    final = [data for _, data in messages]
    assert "".join(data["text"] for _, data in tokens) == final[0]["text"]
    assert final[1]["custom"]["backend"] == "openai" and final[1]["custom"]["citations"] == ["returns#refunds"]
    strip = lambda item: {k: v for k, v in item.items() if k not in ("recipient_id", "custom")}  # noqa: E731
    assert [strip(i) for i in final] == [strip(i) for i in items]


def test_a_failure_mid_answer_ends_with_the_extractive_answer(generating) -> None:
    llm, server = generating([f"error:{ANSWER}"])
    with llm, server:
        events = stream(server, "cut")
    kinds = [event for _, event, _ in events]
    assert kinds.count("token") > 1 and kinds[-1] == "done" and "error" not in kinds
    first = next(data for _, event, data in events if event == "message")
    custom = next(data["custom"] for _, event, data in events if event == "message" and "custom" in data)
    assert custom["backend"] == "extractive" and "5–7 business days" in first["text"]


def test_the_turn_runs_as_the_requests_principal_and_keeps_its_http_error(generating) -> None:
    """The turn runs in its own thread: the request's principal goes with it (else the
    check below would see none and let anyone speak for anyone), and its refusal is still
    the HTTP error it is on the webhook."""
    llm, server = generating([])
    with llm, server:
        _, session = server.call("POST", "/webhooks/rest/session")
        status, body = server.call("POST", "/webhooks/rest/stream", {"sender": "someone-else", "message": "hi"},
                                   token=session["token"])
        ok, _ = server.call("POST", "/webhooks/rest/stream", {"sender": session["sender"], "message": "hi"},
                            token=session["token"])
    assert status == 403 and "another conversation" in json.dumps(body)
    assert ok == 200 and llm.requests == []
