"""A server process for the crash test: the example assistant with the keyword stand-in NLU
(tests/support.py), a SQLite store, uvicorn on the given port.

    python -m tests.server.keyword_server PORT STORE_PATH
"""
import sys
from pathlib import Path

import uvicorn

from project.loader import load_project
from stores.sqlite import SQLiteStore
from dialogue.agent import Agent
from stores.handoffs import HandoffQueue
from dialogue.registry import load_project_actions
from policies.ensemble import PolicyEnsemble
from server.app import create_app
from tests.support import ROOT, KeywordParser

if __name__ == "__main__":
    port, store = int(sys.argv[1]), Path(sys.argv[2])
    project = load_project(ROOT)
    load_project_actions(ROOT)
    agent = Agent(project, KeywordParser(), PolicyEnsemble.train(project),
                  HandoffQueue(store.with_suffix(".handoffs")), seed=0, store=SQLiteStore(store))
    uvicorn.run(create_app(agent), host="127.0.0.1", port=port, log_level="error")
