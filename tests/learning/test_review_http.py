"""The review page and its JSON routes (server/review_routes.py): staff with the `agent`
scope list the candidates and annotate them; anyone else is refused."""
from __future__ import annotations

import time
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from learning.annotations import Annotations
from tests.learning.conftest import user


@pytest.fixture
def review_app(example, tmp_path):
    from dialogue.agent import Agent
    from server.app import create_app
    from server.auth import Auth, new_staff_token
    from stores.handoffs import HandoffQueue
    from stores.sqlite import InMemoryStore
    from tests.support import KeywordParser

    project, policies = example
    project = replace(project, root=tmp_path)  # annotations go to tmp_path/.switchboard
    store = InMemoryStore()
    now = time.time()  # recent: the example's retention purges old conversations
    store.append("c1", [user("wheres my stuff, mail me at ann.smith@corp.example", "order_status", 0.2,
                             at=now - 60, fallback=True)])
    store.append("c2", [user("hmm", "greet", 0.3, at=now - 30, fallback=True)])
    agent = Agent(project, KeywordParser(), policies, HandoffQueue(), seed=0, store=store)
    tokens = tmp_path / "tokens.yml"
    tokens_of = {"sam": new_staff_token(tokens, "sam", ["agent"]),
                 "scraper": new_staff_token(tokens, "scraper", ["metrics"])}
    client = TestClient(create_app(agent, auth=Auth(tokens_file=tokens)), base_url="http://127.0.0.1")
    return client, tokens_of, tmp_path


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_only_staff_with_the_agent_scope_reach_the_data(review_app) -> None:
    client, tokens, _ = review_app
    page = client.get("/review")  # the page holds no data: it asks for the token
    assert page.status_code == 200 and "sessionStorage" in page.text and "<script src" not in page.text
    assert client.get("/review/candidates").status_code == 401
    refused = client.get("/review/candidates", headers=bearer(tokens["scraper"]))
    assert refused.status_code == 403 and "scope 'agent'" in refused.json()["error"]
    assert client.post("/review/annotations", json={"id": "x", "intent": "greet"},
                       headers=bearer(tokens["scraper"])).status_code == 403
    listed = client.get("/review/candidates", headers=bearer(tokens["sam"]))
    assert listed.status_code == 200
    body = listed.json()
    texts = [c["text"] for c in body["candidates"]]
    assert texts == ["hmm", "wheres my stuff, mail me at [email]"]
    assert "order_status" in body["intents"] and "order_id" in body["entities"]
    assert "ann.smith" not in listed.text


def test_staff_annotate_and_dismiss_on_the_page(review_app) -> None:
    client, tokens, root = review_app
    staff = bearer(tokens["sam"])
    found = {c["text"]: c for c in client.get("/review/candidates", headers=staff).json()["candidates"]}
    stuff = found["wheres my stuff, mail me at [email]"]
    assert stuff["markup"] == "wheres my stuff, mail me at [jane.doe@example.com](email)"  # the guess
    bad = client.post("/review/annotations", headers=staff,
                      json={"id": stuff["id"], "intent": "order_stat", "text": "wheres my [stuff](thing), mail me at jane.doe@example.com"})
    assert bad.status_code == 400 and len(bad.json()["problems"]) == 2
    assert client.post("/review/annotations", headers=staff,
                       json={"id": "nope", "intent": "greet"}).status_code == 404
    saved = client.post("/review/annotations", headers=staff, json={
        "id": stuff["id"], "intent": "order_status",
        "text": "wheres my stuff, mail me at [jane.doe@example.com](email)"})
    assert saved.status_code == 200, saved.text
    assert saved.json()["entities"] == [{"start": 28, "end": 48, "entity": "email",
                                         "value": "jane.doe@example.com"}]
    dismissed = client.post("/review/annotations", headers=staff, json={"id": found["hmm"]["id"], "dismiss": True})
    assert dismissed.json()["status"] == "dismissed"
    entries = {a.text: (a.status, a.who) for a in Annotations.open(root).entries.values()}
    assert entries == {"wheres my stuff, mail me at jane.doe@example.com": ("annotated", "sam"),
                       "hmm": ("dismissed", "sam")}
    assert client.get("/review/candidates", headers=staff).json()["candidates"] == []
