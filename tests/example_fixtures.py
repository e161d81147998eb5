"""The example assistant (Northwind Goods, the project at the repo root) as a test bed:
its trained policies, its knowledge index (real MiniLM embeddings, built once), agents
around them, and a temporary file for the return requests that its actions/orders.py
records. Only the example needs these; tests/conftest.py loads them as a plugin."""
from __future__ import annotations

import pytest

from tests.support import ROOT, KeywordParser


@pytest.fixture(scope="session")
def example():
    from project.loader import load_project
    from policies.ensemble import PolicyEnsemble

    project = load_project(ROOT)
    return project, PolicyEnsemble.train(project)


@pytest.fixture(scope="session")
def index():
    from knowledge.chunks import load_passages
    from knowledge.embedder import SentenceEmbedder
    from knowledge.index import KnowledgeIndex

    return KnowledgeIndex.build(load_passages(ROOT / "data" / "knowledge", ROOT), SentenceEmbedder())


@pytest.fixture(autouse=True)
def support_team_in(monkeypatch):
    """Handoffs find the example's support team in (domain.yml `business_hours`: a Wednesday
    noon in New York), whatever the time the tests run; a test about the hours passes its
    own clock (`agent.runner.clock`)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    wednesday_noon = datetime(2025, 1, 15, 12, 0, tzinfo=ZoneInfo("America/New_York"))
    monkeypatch.setattr("core.hours.now", lambda: wednesday_noon)


@pytest.fixture(autouse=True)
def returns_log(tmp_path, monkeypatch):
    """Return requests recorded by actions/orders.py go to a temp file, not the project."""
    path = tmp_path / "return_requests.jsonl"
    monkeypatch.setenv("NORTHWIND_RETURNS_LOG", str(path))
    return path


@pytest.fixture
def agent(example):
    from dialogue.agent import Agent
    from stores.handoffs import HandoffQueue

    project, policies = example
    return Agent(project, KeywordParser(), policies, HandoffQueue(), seed=0)


@pytest.fixture
def agent_with_kb(example, index):
    from dialogue.agent import Agent
    from stores.handoffs import HandoffQueue
    from responses.grounded import GroundedAnswerer

    project, policies = example
    answerer = GroundedAnswerer(index, project.domain.generation)
    return Agent(project, KeywordParser(), policies, HandoffQueue(), seed=0, answerer=answerer)
