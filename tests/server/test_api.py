"""The HTTP API over real HTTP: Rasa's REST channel shape, parse, trackers, handoffs,
errors naming the field, auth, size limit, metrics, persistence across a restart."""
import json
import threading


def test_rest_webhook_has_rasas_shape_and_buttons(make_server) -> None:
    with make_server() as server:
        status, replies = server.call("POST", "/webhooks/rest/webhook",
                                      {"sender": "ann", "message": "thanks a lot"})
    assert status == 200
    assert [r["recipient_id"] for r in replies] == ["ann", "ann"]
    assert replies[1]["buttons"] == [{"title": "Yes", "payload": "/affirm"},
                                     {"title": "No, that's all", "payload": "/deny"}]


def test_parse_and_tracker(make_server) -> None:
    with make_server() as server:
        status, parsed = server.call("POST", "/model/parse", {"text": "where is my order 12345"})
        assert status == 200 and parsed["intent"]["name"] == "order_status"
        (entity,) = parsed["entities"]
        assert (entity["entity"], entity["value"], entity["start"], entity["end"]) == ("order_id", "12345", 18, 23)
        server.call("POST", "/webhooks/rest/webhook", {"sender": "bo", "message": "where is my order 12345"})
        status, tracker = server.call("GET", "/conversations/bo/tracker")
    assert status == 200 and tracker["slots"]["order_id"] == "12345"
    assert [e["event"] for e in tracker["events"]][:3] == ["session_started", "user", "slot"]
    assert tracker["latest_action_name"] == "action_listen"


def test_handoff_agent_message_and_release(make_server) -> None:
    with make_server() as server:
        _, replies = server.call("POST", "/webhooks/rest/webhook", {"sender": "cy", "message": "a human please"})
        assert "connecting you" in replies[0]["text"]
        _, open_tickets = server.call("GET", "/handoffs")
        (ticket,) = open_tickets
        assert ticket["sender_id"] == "cy" and ticket["summary"]["intents"] == ["human_handoff"]
        assert ticket["priority"] == "normal" and ticket["summary"]["headline"].startswith("The customer asked")
        _, silent = server.call("POST", "/webhooks/rest/webhook", {"sender": "cy", "message": "hello?"})
        assert silent == []
        status, posted = server.call("POST", "/conversations/cy/messages",
                                     {"text": "Hi, Sam here.", "author": "agent", "agent": "sam"})
        assert status == 200 and posted["tracker"]["events"][-1]["custom"] == {"agent": "sam"}
        status, _ = server.call("POST", f"/handoffs/{ticket['id']}/release", {"agent": "sam"})
        assert status == 200
        status, again = server.call("POST", f"/handoffs/{ticket['id']}/release", {})
        assert status == 409 and "already released" in again["error"]
        _, replies = server.call("POST", "/webhooks/rest/webhook", {"sender": "cy", "message": "hi"})
        assert replies and replies[0]["text"]
        status, missing = server.call("POST", "/handoffs/999/release", {})
        assert status == 404 and "ticket_id" in missing["error"]
        status, not_handed = server.call("POST", "/conversations/cy/messages", {"text": "x", "author": "agent"})
        assert status == 409 and "author" in not_handed["error"]


def test_bad_requests_name_the_field(make_server) -> None:
    with make_server() as server:
        for body, field in (({"sender": "a"}, "message"), ({"message": "hi"}, "sender"),
                            ({"sender": "", "message": "hi"}, "sender"),
                            ({"sender": "a", "message": 5}, "message")):
            status, error = server.call("POST", "/webhooks/rest/webhook", body)
            assert status == 400 and error["fields"][0]["field"] == field, (body, error)
        status, error = server.call("POST", "/webhooks/rest/webhook", raw=b"{not json")
        assert status == 400 and "invalid request" in error["error"]
        status, error = server.call("POST", "/model/parse", {"text": "x" * 70_000})
        assert status == 413
        status, error = server.call("POST", "/conversations/a/messages", {"text": "x", "author": "robot"})
        assert status == 400 and error["fields"][0]["field"] == "author"


def test_bearer_token(make_server) -> None:
    with make_server(token="s3cret") as server:
        assert server.call("GET", "/health")[0] == 200
        status, error = server.call("POST", "/model/parse", {"text": "hi"})
        assert status == 401 and "Authorization" in error["error"]
        assert server.call("POST", "/model/parse", {"text": "hi"}, token="wrong")[0] == 401
        assert server.call("POST", "/model/parse", {"text": "hi"}, token="s3cret")[0] == 200


def test_metrics_count_requests_fallbacks_and_handoffs(make_server) -> None:
    with make_server() as server:
        for message in ("hi", "qwfp zxcv", "arst neio"):  # a greeting, then two misunderstood
            server.call("POST", "/webhooks/rest/webhook", {"sender": "d", "message": message})
        status, text = server.call("GET", "/metrics")
    assert status == 200
    assert 'switchboard_dialogue_events_total{kind="fallback"} 1' in text
    assert 'switchboard_dialogue_events_total{kind="handoff"} 1' in text
    assert 'switchboard_requests_total{method="POST",path="/webhooks/rest/webhook",status="200"} 3' in text
    assert 'switchboard_request_seconds_bucket{path="/webhooks/rest/webhook",le="+Inf"} 3' in text


def test_streaming_endpoint_sends_server_sent_events(make_server) -> None:
    with make_server() as server:
        status, text = server.call("POST", "/webhooks/rest/stream", {"sender": "e", "message": "thanks"})
    assert status == 200
    messages = [json.loads(line[6:]) for line in text.splitlines() if line.startswith("data: {\"")]
    assert len(messages) == 2 and "event: done" in text


def test_conversations_survive_a_restart_and_do_not_mix(make_server, tmp_path) -> None:
    path = tmp_path / "shared.sqlite"
    with make_server(store_path=path) as server:
        def talk(n: int) -> None:
            for text in ("I want to return something", f"it's {55000 + n}"):
                server.call("POST", "/webhooks/rest/webhook", {"sender": f"u{n}", "message": text})
        threads = [threading.Thread(target=talk, args=(n,)) for n in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    with make_server(store_path=path) as restarted:
        for n in range(12):
            _, tracker = restarted.call("GET", f"/conversations/u{n}/tracker")
            users = [e["text"] for e in tracker["events"] if e["event"] == "user"]
            assert users == ["I want to return something", f"it's {55000 + n}"]
            assert tracker["slots"]["order_id"] == str(55000 + n)
            assert tracker["slots"]["requested_slot"] == "email"


def test_a_thousand_interleaved_conversations_do_not_cross_talk(make_server) -> None:
    import random
    from concurrent.futures import ThreadPoolExecutor

    senders = [f"k{n}" for n in range(1000)]
    turns = {s: [f"hello there {s}", f"where is my order {10000 + i}"] for i, s in enumerate(senders)}
    order = [(s, 0) for s in senders] + [(s, 1) for s in senders]  # every first turn before any second
    rng = random.Random(3)
    firsts, seconds = order[:1000], order[1000:]
    rng.shuffle(firsts)
    rng.shuffle(seconds)
    with make_server() as server:
        def send(item):
            sender, turn = item
            return server.call("POST", "/webhooks/rest/webhook",
                               {"sender": sender, "message": turns[sender][turn]})[0]
        with ThreadPoolExecutor(32) as pool:
            assert set(pool.map(send, firsts)) == {200}
            assert set(pool.map(send, seconds)) == {200}
        for sender in rng.sample(senders, 100) + senders[:3]:
            _, tracker = server.call("GET", f"/conversations/{sender}/tracker")
            users = [e["text"] for e in tracker["events"] if e["event"] == "user"]
            assert users == turns[sender]
            bot = [e["text"] for e in tracker["events"] if e["event"] == "bot"]
            assert turns[sender][1].split()[-1] in bot[-1]  # the answer is about this sender's order


def test_trigger_intent_runs_the_bots_turn_as_rasas_api_does(make_server) -> None:
    with make_server() as server:
        status, body = server.call("POST", "/conversations/tia/trigger_intent",
                                   {"name": "order_status", "entities": {"order_id": "12345"}})
        assert status == 200
        assert body["tracker"]["slots"]["order_id"] == "12345"
        assert body["messages"] and all(m["recipient_id"] == "tia" for m in body["messages"])
        user = [e for e in body["tracker"]["events"] if e["event"] == "user"][-1]
        assert user["input_channel"] == "external"
        status, body = server.call("POST", "/conversations/tia/trigger_intent", {"name": "no_such_intent"})
        assert status == 404 and "field name" in body["error"]
        status, body = server.call("POST", "/conversations/tia/trigger_intent", {"entities": {}})
        assert status == 400 and "name" in json.dumps(body)
