"""Where a REST webhook request's time goes, stage by stage, on one served assistant.

    python bench/serving_profile.py -p ../shared/rasa-projects/moodbot --models /tmp/mb/models
    python bench/serving_profile.py --store redis://127.0.0.1:6379/0 --http httptools --loop uvloop

Builds the app exactly as `cli.py run` does (server.main.app_factory, the store from
`--store`, default a new SQLite file) and serves it with uvicorn in this process; one
client (a keep-alive connection, in a thread) sends `--messages` webhook requests, one at a
time, from a new sender every conversation (the project's test-story messages in order).
The stages are timed around the objects the app holds (no change to the product's code):

    client total        what the client measured, request sent to reply read
    uvicorn + socket    client total - the ASGI app's time (HTTP parsing, the event loop, the
                        client's own work)
    app: routing, JSON  the ASGI app's time - the turn (middleware, validation, the threadpool
                        hop, the reply's serialization)
    lock                acquiring the store's conversation lock (and releasing it)
    store read          the tracker: the stored events since the cached copy
    store write         the turn's one append
    NLU                 the message's NLU pipeline (language id, extractors, the joint model)
    policies            the decisions (policies.decision.decide)
    actions, rendering  running the chosen actions (responses filled in, forms, retrieval)
    turn, other         the rest of Agent.handle (slot mappings, bookkeeping)

Medians per request over the measured messages (the first `--warmup` are not counted).
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import CONVERSATION, Connection, project_messages  # noqa: E402
from bench.procs import free_port  # noqa: E402


class Stages:
    """Seconds per stage for the request in flight (one at a time), then kept per request."""

    def __init__(self) -> None:
        self.current: dict[str, float] = defaultdict(float)
        self.done: list[dict[str, float]] = []

    def add(self, stage: str, seconds: float) -> None:
        self.current[stage] += seconds

    def finish(self, client_total: float) -> None:
        self.current["client total"] = client_total
        self.done.append(dict(self.current))
        self.current = defaultdict(float)

    def timed(self, stage: str, fn):
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.add(stage, time.perf_counter() - t0)
        return wrapper

    def timed_lock(self, lock_fn):
        """The store's lock: the time to enter plus the time to leave."""
        @contextmanager
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            cm = lock_fn(*args, **kwargs)
            cm.__enter__()
            self.add("lock", time.perf_counter() - t0)
            try:
                yield
            finally:
                t1 = time.perf_counter()
                cm.__exit__(None, None, None)
                self.add("lock", time.perf_counter() - t1)
        return wrapper


def instrument(app, stages: Stages):
    """Wrap the agent's parts in timers and the app in an ASGI timer; returns the ASGI app."""
    import dialogue.agent as agent_module

    agent = app.state.agent
    agent.store.lock = stages.timed_lock(agent.store.lock)
    agent.tracker = stages.timed("store read", agent.tracker)
    agent.store.append = stages.timed("store write", agent.store.append)
    agent.nlu.process = stages.timed("NLU", agent.nlu.process)
    agent_module.decide = stages.timed("policies", agent_module.decide)
    agent.runner.run = stages.timed("actions, rendering", agent.runner.run)
    agent.handle = stages.timed("turn", agent.handle)

    async def timed_app(scope, receive, send):
        t0 = time.perf_counter()
        try:
            await app(scope, receive, send)
        finally:
            if scope["type"] == "http":
                stages.add("app", time.perf_counter() - t0)
    return timed_app


def serve(asgi, port: int, loop: str, http_impl: str):
    import uvicorn

    config = uvicorn.Config(asgi, host="127.0.0.1", port=port, loop=loop, http=http_impl,
                            log_level="error", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.perf_counter() + 60
    while not server.started:
        if time.perf_counter() > deadline or not thread.is_alive():
            raise SystemExit("uvicorn did not start")
        time.sleep(0.02)
    return server, thread


def talk(port: int, messages: list[str], total: int, per_conversation: int, stages: Stages) -> None:
    connection = Connection([f"http://127.0.0.1:{port}/webhooks/rest/webhook"])
    try:
        for i in range(total):
            seconds, _ = connection.post(f"profile-{i // per_conversation}", messages[i % len(messages)])
            stages.finish(seconds)
    finally:
        connection.close()


ROWS = ["client total", "uvicorn + socket", "app: routing, JSON", "lock", "store read",
        "store write", "NLU", "policies", "actions, rendering", "turn, other"]


def breakdown(request: dict[str, float]) -> dict[str, float]:
    parts = {name: request.get(name, 0.0) for name in
             ("lock", "store read", "store write", "NLU", "policies", "actions, rendering")}
    turn = request.get("turn", 0.0)
    app_time = request.get("app", 0.0)
    # the lock and store read/write happen inside Agent.handle; NLU, policies, actions too
    return {"client total": request["client total"],
            "uvicorn + socket": request["client total"] - app_time,
            "app: routing, JSON": app_time - turn,
            **parts,
            "turn, other": turn - sum(parts.values())}


def resolved(choice: str, fast: str, plain: str) -> str:
    """What uvicorn's "auto" picks: the fast implementation where it is installed."""
    if choice != "auto":
        return choice
    return fast if importlib.util.find_spec(fast) else plain


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-p", "--project", type=Path, default=ROOT)
    parser.add_argument("--models", type=Path, default=None)
    parser.add_argument("--store", default=None, help="a store URL (default: a new SQLite file)")
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=40)
    parser.add_argument("--loop", default="auto", help="uvicorn's loop: auto, asyncio, uvloop")
    parser.add_argument("--http", dest="http_impl", default="auto", help="auto, h11, httptools")
    args = parser.parse_args()

    project = args.project.resolve()
    messages = project_messages(project) if project != ROOT else CONVERSATION
    messages = messages or CONVERSATION
    store = args.store or f"sqlite:///{Path(tempfile.mkdtemp()) / 'profile.sqlite'}"
    os.environ.update({"SWITCHBOARD_PROJECT": str(project), "SWITCHBOARD_STORE": store,
                       "SWITCHBOARD_MODELS": str((args.models or project / "models").resolve()),
                       "SWITCHBOARD_RATE_LIMITS": "sender=off,address=off,session=off",
                       "HF_HUB_OFFLINE": "1"})
    from server.main import app_factory

    app = app_factory()
    stages = Stages()
    asgi = instrument(app, stages)
    port = free_port()
    server, thread = serve(asgi, port, args.loop, args.http_impl)
    try:
        talk(port, messages, args.warmup + args.messages, len(messages), stages)
    finally:
        server.should_exit = True
        thread.join(10)
    measured = [breakdown(r) for r in stages.done[args.warmup:]]
    medians = {row: statistics.median(r[row] for r in measured) * 1000 for row in ROWS}
    means = {row: statistics.fmean(r[row] for r in measured) * 1000 for row in ROWS}
    table = Table(title=f"{project.name}: {len(measured)} webhook requests, store "
                        f"{store.split(':', 1)[0]}, loop {resolved(args.loop, 'uvloop', 'asyncio')}, "
                        f"http {resolved(args.http_impl, 'httptools', 'h11')}")
    table.add_column("stage")
    table.add_column("median ms", justify="right")
    table.add_column("mean ms", justify="right")
    table.add_column("share of mean", justify="right")
    for row in ROWS:
        share = "" if row == "client total" else f"{means[row] / means['client total']:.0%}"
        table.add_row(row, f"{medians[row]:.2f}", f"{means[row]:.2f}", share)
    Console().print(table)


if __name__ == "__main__":
    main()
