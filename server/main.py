"""What `cli.py run` starts: the app built from environment settings (so that several
uvicorn workers can each build their own). `cli.py run` reports endpoints.yml's mistakes
and warnings once, before it starts them.

    SWITCHBOARD_PROJECT  project folder (default .)
    SWITCHBOARD_MODELS   trained models (default PROJECT/models)
    SWITCHBOARD_STORE    where conversations and handoff tickets live: a SQLite file, sqlite:///FILE,
                         redis://host:port/db or postgresql://user@host:port/db (several workers
                         or hosts), memory://; unset: PROJECT/endpoints.yml's tracker_store, else
                         PROJECT/.switchboard/conversations.sqlite (see stores.factory)
    SWITCHBOARD_TOKEN    the admin bearer token (every scope); with no token here nor in the
                         tokens file, every request is the local operator (cli.py run makes
                         one off localhost)
    SWITCHBOARD_TOKENS_FILE  scoped staff tokens (default PROJECT/.switchboard/tokens.yml,
                         written by cli.py tokens); see server.auth
    SWITCHBOARD_SECRET   the key for customers' conversation tokens (default: the file
                         PROJECT/.switchboard/secret, core.secret)
    SWITCHBOARD_RATE_LIMITS  e.g. "sender=20/60,session=off" (server.limits)
    SWITCHBOARD_MASK_PII 1 / 0: keep personal data out of the stores or not (stores.private);
                         unset: domain.yml privacy.mask_pii (on unless false)
    SWITCHBOARD_ALLOWED_HOSTS  Host headers answered, comma-separated ("*": any); unset: loopback
"""
from __future__ import annotations

import os
from pathlib import Path


def app_factory():
    from nlu.batcher import BatchingParser
    from assistant.loading import load_agent
    from assistant.project import load_checked_project, project_stores
    from server.app import create_app
    from channels.credentials import load_channels
    from core.secret import project_secret
    from server.auth import TOKENS_FILE, Auth
    from server.limits import RateLimits, parse_limits

    project = Path(os.environ.get("SWITCHBOARD_PROJECT", "."))
    models = Path(os.environ.get("SWITCHBOARD_MODELS", project / "models"))
    loaded = load_checked_project(project)
    stores = project_stores(project, loaded, os.environ.get("SWITCHBOARD_STORE") or None)
    agent = load_agent(project, models, store=stores.tracker, queue=stores.handoffs, project=loaded)
    agent.parser = BatchingParser(agent.parser)  # concurrent requests share forward passes
    hosts = [h.strip() for h in os.environ.get("SWITCHBOARD_ALLOWED_HOSTS", "").split(",") if h.strip()]
    auth = Auth(admin_token=os.environ.get("SWITCHBOARD_TOKEN") or None,
                tokens_file=Path(os.environ.get("SWITCHBOARD_TOKENS_FILE") or project / TOKENS_FILE),
                secret=project_secret(project))
    limits = RateLimits(parse_limits(os.environ.get("SWITCHBOARD_RATE_LIMITS", "")))
    return create_app(agent, auth=auth, limits=limits, allowed_hosts=hosts or None,
                      channels=load_channels(project, os.environ.get("SWITCHBOARD_CREDENTIALS")).channels)
