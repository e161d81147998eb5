"""Property-based: whatever JSON (or non-JSON) a client sends to any route, the server
answers with a 2xx or a 4xx, never a 5xx (hypothesis, over real HTTP)."""
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.server.conftest import Server

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=10,
)
FIELD = st.none() | st.booleans() | st.integers() | st.text(max_size=50) | st.lists(st.text(max_size=5), max_size=3)
NEAR_VALID = st.fixed_dictionaries({}, optional={
    "sender": FIELD, "message": FIELD, "text": FIELD, "author": st.sampled_from(["agent", "customer", "x"]) | FIELD,
    "agent": FIELD, "metadata": JSON,
})
ROUTES = ["/webhooks/rest/webhook", "/webhooks/rest/stream", "/model/parse", "/conversations/{id}/messages",
          "/handoffs/{id}/release"]
IDS = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="/?#%\x00"), min_size=1, max_size=12) | \
    st.integers(-5, 5).map(str)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from project.loader import load_project
    from stores.sqlite import SQLiteStore
    from dialogue.agent import Agent
    from stores.handoffs import HandoffQueue
    from dialogue.registry import load_project_actions
    from policies.ensemble import PolicyEnsemble
    from server.app import create_app
    from tests.support import ROOT, KeywordParser

    project = load_project(ROOT)
    load_project_actions(ROOT)
    folder = tmp_path_factory.mktemp("fuzz")
    agent = Agent(project, KeywordParser(), PolicyEnsemble.train(project), HandoffQueue(),
                  seed=0, store=SQLiteStore(folder / "fuzz.sqlite"))
    with Server(create_app(agent)) as running:
        yield running


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ROUTES), ident=IDS, body=NEAR_VALID | JSON)
def test_no_body_makes_a_server_error(server, route, ident, body) -> None:
    from urllib.parse import quote

    path = route.replace("{id}", quote(ident, safe=""))
    status, _ = server.call("POST", path, raw=json.dumps(body).encode())
    assert status < 500, (path, body)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ident=IDS, raw=st.binary(max_size=200))
def test_no_bytes_or_path_make_a_server_error(server, ident, raw) -> None:
    from urllib.parse import quote

    assert server.call("POST", "/webhooks/rest/webhook", raw=raw)[0] < 500
    assert server.call("GET", f"/conversations/{quote(ident, safe='')}/tracker")[0] < 500
