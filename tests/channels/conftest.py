"""Fixtures for the channel tests: the shop assistant (tests/channels/shop: a response
with a Slack variation, one with buttons, an image and a custom payload, one with two
paragraphs) with the keyword stand-in NLU (tests/support.py), served by a real uvicorn
on 127.0.0.1 (tests/server/conftest.py's Server) with the channels under test."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from http.client import HTTPMessage
from pathlib import Path
from typing import Callable, Sequence

import pytest

from tests.server.conftest import Server
from tests.support import KeywordParser

SHOP = Path(__file__).parent / "shop"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture(scope="session")
def shop():
    from project.loader import load_project
    from policies.ensemble import PolicyEnsemble

    project = load_project(SHOP)
    return project, PolicyEnsemble.train(project)


@pytest.fixture
def shop_agent(shop):
    from dialogue.agent import Agent
    from stores.handoffs import HandoffQueue

    project, policies = shop
    return Agent(project, KeywordParser(), policies, HandoffQueue(), seed=0)


@pytest.fixture
def serve(shop_agent) -> Callable[..., Server]:
    """A server around the shop agent with `channels` mounted (REST always is)."""
    from server.app import create_app

    def make(channels: Sequence = (), token: str | None = None) -> Server:
        return Server(create_app(shop_agent, token=token, channels=list(channels)))
    return make


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, HTTPMessage, str]:
    """POST raw bytes; (status, response headers, response text)."""
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def slack_headers(body: bytes, secret: str = SIGNING_SECRET, timestamp: int | None = None,
                  content_type: str = "application/json") -> dict[str, str]:
    """Headers as Slack signs a request: v0 HMAC-SHA256 of `v0:{timestamp}:{body}`
    (computed here, independently of slack_sdk)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": f"v0={digest}"}


def slack_event(text: str, user: str = "U1", channel: str = "D1", channel_type: str = "im",
                **extra) -> bytes:
    """An Events API `message` event as Slack sends it (the bot's own user id is UBOT)."""
    event = {"type": "message", "user": user, "text": text, "channel": channel,
             "channel_type": channel_type, "ts": "1700000000.000100", **extra}
    return json.dumps({"type": "event_callback", "team_id": "T1", "api_app_id": "A1",
                       "event_id": f"Ev{abs(hash((text, user, channel)))}", "event": event,
                       "authorizations": [{"user_id": "UBOT", "is_bot": True}]}).encode()
