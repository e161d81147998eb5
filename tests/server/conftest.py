"""A real uvicorn server on 127.0.0.1 (in a thread) around the example assistant, with the
keyword stand-in for NLU (tests/support.py) and a SQLite tracker store."""
from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

import pytest
import uvicorn

from tests.services import free_port



class Server:
    def __init__(self, app):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="error"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "Server":
        self.thread.start()
        for _ in range(100):
            if self.server.started:
                return self
            time.sleep(0.05)
        raise RuntimeError("server did not start")

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(5)

    def call(self, method: str, path: str, body=None, token: str | None = None,
             raw: bytes | None = None, headers: dict | None = None) -> tuple[int, object]:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read().decode()
                status = response.status
                kind = response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            text, status, kind = error.read().decode(), error.code, error.headers.get("Content-Type", "")
        return status, (json.loads(text) if "json" in kind else text)


@pytest.fixture
def make_server(example, tmp_path, request):
    from stores.sqlite import SQLiteStore
    from dialogue.agent import Agent
    from stores.handoffs import HandoffQueue
    from server.app import create_app
    from tests.support import KeywordParser

    project, policies = example

    def make(token: str | None = None, store_path=None, knowledge: bool = False,
             generation=None, **app_options) -> Server:
        """`generation`: a GenerationConfig instead of the domain's (implies `knowledge`)."""
        store = SQLiteStore(store_path or tmp_path / "conversations.sqlite")
        answerer = None
        if knowledge or generation:  # grounded answers from the example's knowledge index
            from responses.grounded import GroundedAnswerer

            answerer = GroundedAnswerer(request.getfixturevalue("index"),
                                        generation or project.domain.generation)
        agent = Agent(project, KeywordParser(), policies, HandoffQueue(tmp_path / "handoffs.sqlite"),
                      seed=0, store=store, answerer=answerer)
        return Server(create_app(agent, token=token, **app_options))
    return make
