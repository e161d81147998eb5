"""How fast `cli.py analytics` reads a big tracker store.

    python bench/analytics.py [--conversations 100000] [--stores sqlite,redis,postgresql]

Fills a fresh store of each kind (Redis and PostgreSQL: servers started here by
tests/services.py, skipped where the binaries are missing) with synthetic but realistic
conversations: 1–3 sessions per sender, 2–20 turns (most short), five channels, Zipf-like
intents, fallbacks, grounded answers, handoffs with agent replies and releases, thumbs and
"did that solve it?" answers, over the last 30 days. Every row is a real event's
`to_dict()` as the stores write it (events built once per template, then re-timed).
Then runs `cli.py analytics --json` on it three times (a process each: wall time with the
start-up, the scan-and-count time it reports, peak RSS) and prints a table.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

import click

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.events import (  # noqa: E402
    ActionExecuted, BotUttered, Feedback, Handoff, HandoffReleased, SessionStarted, SlotSet,
    UserUttered,
)
from core.message import Fallback, IntentScore, Message  # noqa: E402
from stores.sqlite import event_rows  # noqa: E402

MARK = 1111111111.125  # the template timestamp, replaced by each event's own
INTENTS = ["order_status", "greet", "inform", "return_item", "shipping_costs", "thanks",
           "track_delivery", "payment_methods", "cancel_order", "change_address", "goodbye",
           "account_help", "invoice_request", "deny", "affirm", "refund_status", "opening_hours",
           "bot_challenge"]
CHANNELS = (("rest", 55), ("slack", 20), ("facebook", 10), ("telegram", 8), ("twilio", 7))
REASONS = ("the customer asked for a human (talk_to_human)", "2 messages in a row not understood",
           "3 frustrated messages in a row", "failed order look-ups")
TEXTS = ["where is my order 12345", "I want to return the shoes", "how much is shipping to canada?",
         "hi there", "can I pay with paypal", "thanks a lot", "my parcel hasn't arrived yet",
         "change my delivery address please", "what are your opening hours", "no"]


def _template(event) -> str:
    return event_rows([event])[0]


class Templates:
    """Stored JSON of real events, a few variants each, with MARK as the timestamp."""

    def __init__(self, rng: random.Random) -> None:
        self.user = {(i, c): [self._user(rng, i, c) for _ in range(4)]
                     for i in [*INTENTS, "nlu_fallback", "talk_to_human"] for c, _ in CHANNELS}
        self.action = {name: _template(ActionExecuted(action=name, policy="rules", confidence=1.0,
                                                      reason="rule 'answer'", timestamp=MARK))
                       for name in [*(f"utter_{i}" for i in INTENTS), "action_listen", "action_handoff",
                                    "action_default_fallback", "action_generate"]}
        self.bot = {name: _template(BotUttered(text=f"Here is what I know about {name}: " + "x" * 120,
                                               response=name, timestamp=MARK)) for name in self.action}
        self.generated = _template(BotUttered(text="Returns are free within 30 days. " * 4,
                                              response="action_generate", custom={
                                                  "citations": ["returns#1"], "backend": "extractive",
                                                  "sources": [{"id": "returns#1", "score": 0.71}]},
                                              timestamp=MARK))
        self.slot = _template(SlotSet(slot="order_id", value="12345", timestamp=MARK))
        self.session = _template(SessionStarted(timestamp=MARK))
        self.handoff = {r: _template(Handoff(reason=r, ticket="1", summary={"intents": ["greet"]},
                                             timestamp=MARK)) for r in REASONS}
        self.agent = _template(BotUttered(text="Hi, this is Sam from support, let me check.",
                                          custom={"agent": "sam"}, timestamp=MARK))
        self.released = _template(HandoffReleased(agent="sam", timestamp=MARK))
        self.question = _template(BotUttered(text="Did that solve it?", response="feedback_question",
                                             buttons=(("Yes, thanks", '/feedback{"solved": true}'),
                                                      ("No", '/feedback{"solved": false}')), timestamp=MARK))

    @staticmethod
    def _user(rng: random.Random, intent: str, channel: str) -> str:
        others = rng.sample(INTENTS, 9)
        top = rng.uniform(0.3, 0.55) if intent == "nlu_fallback" else rng.uniform(0.6, 0.99)
        ranking = (IntentScore(intent, top), *(IntentScore(o, (1 - top) / 12) for o in others))
        fallback = Fallback(others[0], top, "low confidence") if intent == "nlu_fallback" else None
        message = Message(rng.choice(TEXTS), IntentScore(intent, top), ranking, fallback=fallback,
                          language_guessed=rng.random() < 0.2)
        return _template(UserUttered(message=message, input_channel=channel, timestamp=MARK))


def at(template: str, t: float) -> str:
    return template.replace(repr(MARK), repr(t), 1)


def feedback(kind: str, score: int, t: float, rated: float | None = None) -> str:
    return event_rows([Feedback(score=score, kind=kind, rated=rated, timestamp=t)])[0]


def conversation(rng: random.Random, tpl: Templates, channel: str, t: float) -> list[str]:
    """One session's events, from t on."""
    rows = [at(tpl.session, t)]
    turns = min(20, 2 + int(rng.expovariate(1 / 4)))
    handoff_at = rng.randrange(1, turns + 1) if rng.random() < 0.12 else None
    for n in range(1, turns + 1):
        t += rng.uniform(5, 60)
        if n == handoff_at:
            rows += [at(rng.choice(tpl.user["talk_to_human", channel]), t),
                     at(tpl.action["action_handoff"], t + 0.01), at(tpl.bot["action_handoff"], t + 0.02),
                     at(tpl.handoff[rng.choice(REASONS)], t + 0.03)]
            return rows + _with_human(rng, tpl, channel, t)
        roll = rng.random()
        intent = ("nlu_fallback" if roll < 0.08 else
                  INTENTS[min(len(INTENTS) - 1, int(rng.paretovariate(1.2)) - 1)])
        action = ("action_default_fallback" if roll < 0.08 else "action_generate" if roll < 0.14
                  else f"utter_{intent}")
        rows += [at(rng.choice(tpl.user[intent, channel]), t), at(tpl.action[action], t + 0.01)]
        if rng.random() < 0.3:
            rows.append(at(tpl.slot, t + 0.01))
        bot = tpl.generated if action == "action_generate" else tpl.bot[action]
        rows += [at(bot, t + 0.02), at(tpl.action["action_listen"], t + 0.03)]
        if rng.random() < 0.1:
            rows.append(feedback("message", 1 if rng.random() < 0.8 else -1, t + 3, t + 0.02))
    if rng.random() < 0.3:
        rows += [at(tpl.question, t + 0.04),
                 feedback("conversation", 1 if rng.random() < 0.7 else -1, t + 20)]
    return rows


def _with_human(rng: random.Random, tpl: Templates, channel: str, t: float) -> list[str]:
    rows = [at(rng.choice(tpl.user["inform", channel]), t + rng.uniform(10, 60))
            for _ in range(rng.randrange(0, 3))]
    if rng.random() < 0.85:
        rows.append(at(tpl.agent, t + rng.lognormvariate(5.5, 1.0)))  # median ~4 min
        if rng.random() < 0.7:
            rows.append(at(tpl.released, t + 1800))
    return sorted(rows, key=lambda r: json.loads(r)["timestamp"])


def synthetic(conversations: int, seed: int = 0, now: float | None = None) -> Iterator[tuple[str, list[str]]]:
    """(sender, stored JSON rows) until `conversations` sessions are made, all begun in the
    last 29 days (so `--days 30` sees every one)."""
    rng, now = random.Random(seed), now or time.time()
    tpl, made, sender = Templates(random.Random(seed)), 0, 0
    names, weights = zip(*CHANNELS)
    while made < conversations:
        channel, t, rows = rng.choices(names, weights)[0], now - rng.uniform(3600, 29 * 86400), []
        for _ in range(min(conversations - made, rng.choice((1, 1, 1, 2, 2, 3)))):
            rows += conversation(rng, tpl, channel, t)
            made += 1
            t = json.loads(rows[-1])["timestamp"] + rng.uniform(2, 72) * 3600
            if t > now - 3600:
                break
        sender += 1
        yield f"sender-{sender:07d}", rows


# ----- filling the stores ----------------------------------------------------------------

def fill_sqlite(store, data) -> int:
    db, count = store._db(), 0
    db.execute("BEGIN")
    for sender, rows in data:
        db.executemany("INSERT INTO events (sender_id, seq, event) VALUES (?, ?, ?)",
                       [(sender, i, row) for i, row in enumerate(rows)])
        count += len(rows)
    db.execute("COMMIT")
    return count


def fill_redis(store, data) -> int:
    pipe, count = store.client.pipeline(transaction=False), 0
    for n, (sender, rows) in enumerate(data, 1):
        pipe.rpush(store.prefix + sender, *rows)
        count += len(rows)
        if n % 1000 == 0:
            pipe.execute()
    pipe.execute()
    return count


def fill_postgres(store, data) -> int:
    import psycopg

    count = 0
    with psycopg.connect(store.dsn) as db, db.cursor() as cursor:
        with cursor.copy("COPY switchboard_events (sender_id, seq, event) FROM STDIN") as copy:
            for sender, rows in data:
                for i, row in enumerate(rows):
                    copy.write_row((sender, i, row))
                count += len(rows)
    return count


def run_cli(url: str, extra: tuple[str, ...] = ()) -> tuple[float, float, float, dict]:
    """(wall s, analyse s, peak RSS MiB, JSON) of one `cli.py analytics --json` process."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "analytics", "-p", str(ROOT),
                                "--store", url, "--json", *extra], cwd=ROOT, stdout=subprocess.PIPE)
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"cli.py analytics failed on {url} ({status})")
    data = json.loads(out)
    return wall, data["seconds"], usage.ru_maxrss / 1024, data


STORES = ("sqlite", "redis", "postgresql")


def open_store(kind: str, workdir: Path, servers: list):
    """(store, URL) of a new, empty store of `kind`, or None when its server is not installed."""
    from tests.services import start_postgres, start_redis

    if kind == "sqlite":
        from stores.sqlite import SQLiteStore

        path = workdir / "analytics.sqlite"
        return SQLiteStore(path), f"sqlite:///{path}"
    if kind == "redis":
        from stores.redis_store import RedisStore

        started = start_redis(workdir)
        if started is None:
            return None
        servers.append(started[0])
        return RedisStore(started[1]), started[1]
    pgdir = Path(tempfile.mkdtemp(prefix="switchboard-pg-"))  # postgres must reach it
    started = start_postgres(pgdir)
    if started is None:
        return None
    servers.append(started[0])
    from stores.postgres_store import PostgresStore

    return PostgresStore(started[1]), started[1]


FILLERS = {"sqlite": fill_sqlite, "redis": fill_redis, "postgresql": fill_postgres}


@click.command()
@click.option("--conversations", default=100_000, show_default=True)
@click.option("--stores", default=",".join(STORES), show_default=True)
@click.option("--runs", default=3, show_default=True)
@click.option("--loading/--no-loading", default=True, show_default=True,
              help="Also time reading the SQLite store one sender at a time as Event objects.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              default=ROOT / "bench" / "results" / "analytics.json", show_default=True)
def main(conversations: int, stores: str, runs: int, loading: bool, out: Path) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    workdir, servers, rows = Path(tempfile.mkdtemp(prefix="bench-analytics-")), [], []
    started = time.perf_counter()
    generated = sum(len(r) for _, r in synthetic(conversations))
    print(f"generating {conversations:,} conversations ({generated:,} events): "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    try:
        for kind in stores.split(","):
            opened = open_store(kind, workdir, servers)
            if opened is None:
                print(f"{kind}: server binaries not installed, skipped", flush=True)
                continue
            store, url = opened
            started = time.perf_counter()
            events = FILLERS[kind](store, synthetic(conversations))
            fill_s = time.perf_counter() - started
            print(f"{kind}: filled with {events:,} events in {fill_s:.1f} s", flush=True)
            results = [run_cli(url) for _ in range(runs)]
            found = results[0][3]["total"]["conversations"]
            rows.append((kind, found, events, fill_s, *_medians(results)))
            if kind == "sqlite":
                week = [run_cli(url, ("--days", "7")) for _ in range(runs)]
                rows.append(("sqlite --days 7", week[0][3]["total"]["conversations"], events, None,
                             *_medians(week)))
                if loading:
                    rows.append(("sqlite, load() per sender", found, events, None,
                                 *_loading(store, runs)))
    finally:
        for server in servers:
            server.terminate()
            server.wait(20)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\n{'store':<28}{'conversations':>14}{'events':>12}{'fill s':>8}{'cli s':>8}"
          f"{'analyse s':>11}{'peak MiB':>10}{'conv/s':>10}")
    for kind, found, events, fill_s, wall, seconds, rss in rows:
        print(f"{kind:<28}{found:>14,}{events:>12,}{'' if fill_s is None else f'{fill_s:.1f}':>8}"
              f"{'' if wall is None else f'{wall:.1f}':>8}{seconds:>11.1f}"
              f"{'' if rss is None else f'{rss:.0f}':>10}{found / seconds:>10,.0f}")
    names = ("store", "conversations", "events", "fill_s", "cli_s", "analyse_s", "peak_rss_mib")
    out.write_text(json.dumps([dict(zip(names, row)) for row in rows], indent=2) + "\n")


def _medians(results) -> tuple[float, float, float]:
    return (statistics.median(r[0] for r in results), statistics.median(r[1] for r in results),
            max(r[2] for r in results))


def _loading(store, runs: int) -> tuple[None, float, None]:
    """analyse() in this process through senders() + load() (Event objects), the road of a
    store without scan()."""
    from analytics.figures import analyse, window

    class Loading:  # the store without its scan(): analytics reads it through by_loading
        def __init__(self, inner) -> None:
            self.senders, self.load = inner.senders, inner.load

    since, until = window(30)
    times = [analyse(Loading(store), since, until).seconds for _ in range(max(1, runs - 2))]
    return None, statistics.median(times), None


if __name__ == "__main__":
    main()
