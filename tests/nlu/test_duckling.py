"""DucklingEntityExtractor (nlu/duckling.py): the built-in offline extractor, Duckling's
dimension names and values, and a real HTTP Duckling-shaped server when one answers."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from core.message import IntentScore, Message
from nlu.duckling import DucklingEntityExtractor, DucklingOptions, extract
from tests.services import free_port


def found(text: str, **options) -> list[tuple[str, str, str]]:
    return [(e.entity, e.text, e.value) for e in extract(text, **options)]


@pytest.mark.parametrize("text, expected", [
    ("mail me at jane.doe@example.co.uk, thanks", [("email", "jane.doe@example.co.uk", "jane.doe@example.co.uk")]),
    ("call +44 20 7946 0958 after six", [("phone-number", "+44 20 7946 0958", "+442079460958"),
                                         ("number", "six", "6")]),
    ("it was $1,299.50", [("amount-of-money", "$1,299.50", "1299.5 USD")]),
    ("refund 20 euros", [("amount-of-money", "20 euros", "20 EUR")]),
    ("退款50元", [("amount-of-money", "50元", "50 CNY")]),
    ("a table for twenty two", [("number", "twenty two", "22")]),
    ("order 12345 please", [("number", "12345", "12345")]),
    ("我的订单12345", [("number", "12345", "12345")]),
    ("waited 3 days and two hours", [("duration", "3 days", "259200"), ("duration", "two hours", "7200")]),
    ("see https://example.com/track?id=5.", [("url", "https://example.com/track?id=5", "https://example.com/track?id=5")]),
])
def test_offline_dimensions(text: str, expected) -> None:
    assert found(text) == expected


def test_a_time_is_an_iso_string_in_the_future() -> None:
    (entity,) = extract("can it arrive next tuesday at 3pm?", timezone="Europe/Berlin")
    assert (entity.entity, entity.text) == ("time", "next tuesday at 3pm")
    assert entity.value.endswith("T15:00:00.000+01:00")
    assert entity.extractor == "DucklingEntityExtractor"
    assert extract("order 12345", dimensions=("time",)) == []  # an order number is no date


def test_only_the_listed_dimensions_and_offsets_hold() -> None:
    component = DucklingEntityExtractor(DucklingOptions(dimensions=["email"]))
    text = "jo@example.com or 555 123 4567"
    message = component.process(Message(text, IntentScore("inform", 1.0)))
    assert [(e.entity, text[e.start:e.end]) for e in message.entities] == [("email", "jo@example.com")]


def test_options_are_checked() -> None:
    assert DucklingOptions(dimensions=["tiem"]).problems() == [
        ("dimensions", "unknown dimension 'tiem' (known: email, phone-number, number, "
                       "amount-of-money, time, duration, url)")]


def test_a_duckling_server_is_used_when_it_answers_and_the_offline_one_when_not(caplog) -> None:
    calls = []

    class Duckling(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
            calls.append(form)
            body = json.dumps([{"body": "tomorrow", "start": 7, "end": 15, "dim": "time",
                                "value": {"value": "2026-12-03T00:00:00.000-08:00", "grain": "day"}}]).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Duckling)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        component = DucklingEntityExtractor(DucklingOptions(
            url=f"http://127.0.0.1:{server.server_port}", locale="en_GB", timezone="Europe/London"))
        message = component.process(Message("arrive tomorrow", IntentScore("inform", 1.0)))
        ((entity),) = message.entities
        assert (entity.entity, entity.text, entity.value) == ("time", "tomorrow", "2026-12-03T00:00:00.000-08:00")
        assert calls[0]["locale"] == ["en_GB"] and calls[0]["tz"] == ["Europe/London"]
        assert json.loads(calls[0]["dims"][0])[0] == "email"
    finally:
        server.shutdown()
        server.server_close()
    down = DucklingEntityExtractor(DucklingOptions(url=f"http://127.0.0.1:{free_port()}", timeout=0.5))
    message = down.process(Message("call me on +1 212 555 0100", IntentScore("inform", 1.0)))
    assert [e.entity for e in message.entities] == ["phone-number"]
    assert "does not answer" in caplog.text


def test_duckling_entities_need_no_examples_in_validate(tmp_path) -> None:
    import shutil

    from assistant.project import load_checked_project
    from tests.dialogue.test_rasa_sdk_server import FIXTURE

    root = tmp_path / "bot"
    shutil.copytree(FIXTURE, root)
    (root / "endpoints.yml").unlink()
    text = (root / "domain.yml").read_text().replace("  - number\n", "  - number\n  - time\n", 1)
    (root / "domain.yml").write_text(text)
    lines = [str(p) for p in load_checked_project(root).problems]
    assert any("entities.time: declared but never annotated" in line for line in lines)
    config = (root / "config.yml").read_text().replace(
        "  - name: FallbackClassifier", "  - name: DucklingEntityExtractor\n    dimensions: [time]\n"
        "  - name: FallbackClassifier")
    (root / "config.yml").write_text(config)
    lines = [str(p) for p in load_checked_project(root).problems]
    assert not any("entities.time: declared but never annotated" in line for line in lines)
    assert any("no Duckling url: the built-in offline extractor parses" in line for line in lines)
