"""What `cli.py run` starts: the app built from environment settings (so that several
uvicorn workers can each build their own).

    SWITCHBOARD_PROJECT  project folder (default .)
    SWITCHBOARD_MODELS   trained models (default PROJECT/models)
    SWITCHBOARD_STORE    tracker store: a SQLite file (default PROJECT/.switchboard/conversations.sqlite)
                         or redis://host:port/db or postgresql://user@host:port/db for several
                         workers or hosts
    SWITCHBOARD_TOKEN    bearer token; unset = no auth (cli.py run sets one off localhost)
    SWITCHBOARD_MASK_PII 1 = store conversations with emails, card and phone numbers masked
"""
from __future__ import annotations

import os
from pathlib import Path


def app_factory():
    from project.loader import state_path
    from stores.sqlite import SQLiteStore
    from nlu.batcher import BatchingParser
    from assistant.loading import load_agent
    from server.app import create_app

    project = Path(os.environ.get("SWITCHBOARD_PROJECT", "."))
    models = Path(os.environ.get("SWITCHBOARD_MODELS", project / "models"))
    where = os.environ.get("SWITCHBOARD_STORE", str(state_path(project, "conversations.sqlite")))
    mask = os.environ.get("SWITCHBOARD_MASK_PII", "") in ("1", "true", "yes")
    if where.startswith("redis://"):
        from stores.redis_store import RedisStore

        store = RedisStore(where, mask_pii=mask)
    elif where.startswith(("postgresql://", "postgres://")):
        from stores.postgres_store import PostgresStore

        store = PostgresStore(where, mask_pii=mask)
    else:
        store = SQLiteStore(Path(where), mask_pii=mask)
    agent = load_agent(project, models, store=store)
    agent.parser = BatchingParser(agent.parser)  # concurrent requests share forward passes
    return create_app(agent, token=os.environ.get("SWITCHBOARD_TOKEN") or None)
