"""Throughput and latency of `cli.py run` under concurrent senders (loopback only, no LLM).

    python bench/load.py [--senders 1,8,64] [--messages 400] [--workers 1] [--keep-store FILE]
    python bench/load.py --servers 2 --store redis://127.0.0.1:6379/0     # two "hosts", one store

Starts the server on a free port with a fresh SQLite store (in a temporary folder, or
`--keep-store FILE`, left there for `cli.py analytics --store sqlite:///FILE`; or `--store
URL`, a Redis or PostgreSQL store several processes share), then for each concurrency level
sends `--messages` webhook requests spread over that many senders (each sender's messages in
order: a short support conversation, then the same again as a new conversation), and
reports messages/s, latency p50/p99 and messages per second of the servers' own CPU time.
Each sender keeps its HTTP connection open (as a chat widget's browser does;
`--new-connections`: one TCP connection per message). With `--servers N`, N `cli.py run`
processes (each with `--workers`) serve the same store and every sender sends its messages
to them in turn, so each conversation goes through every process, as behind a load
balancer without sticky sessions.
"""
from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.procs import free_port, tree_cpu_s, tree_rss_mb  # noqa: E402
CONVERSATION = ["hi", "where is my order 12345", "how much is shipping to canada?", "thanks",
                "no that's all", "I want to return something", "it's NW-55871", "jane@example.com"]


def project_messages(project: Path) -> list[str]:
    """The customer messages of a project's test stories, in order."""
    from project.loader import load_project

    stories = load_project(project).tests.stories
    return [s.user_text for story in stories for s in story.steps if s.user_text]


class Connection:
    """One sender's keep-alive connections, one per server URL, used in turn."""

    def __init__(self, urls: list[str]) -> None:
        self.targets = [urllib.parse.urlsplit(u) for u in urls]
        self.connections = [http.client.HTTPConnection(t.hostname, t.port, timeout=60)
                            for t in self.targets]
        self.turn = 0

    def post(self, sender: str, text: str) -> tuple[float, int]:
        """(seconds, bot messages in the reply: the REST items that carry text or an image),
        through the next server's connection."""
        i = self.turn % len(self.targets)
        self.turn += 1
        body = json.dumps({"sender": sender, "message": text})
        started = time.perf_counter()
        connection = self.connections[i]
        connection.request("POST", self.targets[i].path, body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        payload = response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status} from {self.targets[i].netloc}: {payload[:200]!r}")
        items = json.loads(payload)
        return time.perf_counter() - started, sum(1 for i in items if "text" in i or "image" in i)

    def close(self) -> None:
        for connection in self.connections:
            connection.close()


def post(url: str, sender: str, text: str) -> tuple[float, int]:
    """One message on a new connection: (seconds, bot messages in the reply)."""
    connection = Connection([url])
    try:
        return connection.post(sender, text)
    finally:
        connection.close()


def run_level(url: str | list[str], senders: int, messages: int, tag: str,
              rate: float | None = None, keepalive: bool = True) -> dict:
    """Closed loop (each sender sends its next message as soon as it has the answer), or with
    `rate`: each sender sends one message every `senders / rate` seconds (offered load = rate).
    `url`: one webhook URL, or several that the senders use in turn (one store behind them)."""
    urls = [url] if isinstance(url, str) else list(url)
    per_sender = max(1, messages // senders)
    latencies: list[float] = []
    answers: list[int] = []
    lock = threading.Lock()
    interval = senders / rate if rate else 0.0

    def talk(n: int) -> None:
        mine, said = [], []
        next_at = time.perf_counter() + (n / senders) * interval
        connection = Connection(urls) if keepalive else None
        for i in range(per_sender):
            if interval:
                time.sleep(max(0.0, next_at - time.perf_counter()))
                next_at += interval
            text = CONVERSATION[i % len(CONVERSATION)]
            sender = f"{tag}-{n}-{i // len(CONVERSATION)}"  # a new conversation each time round
            if connection is not None:
                seconds, messages_back = connection.post(sender, text)
            else:
                seconds, messages_back = post(urls[i % len(urls)], sender, text)
            mine.append(seconds)
            said.append(messages_back)
        if connection is not None:
            connection.close()
        with lock:
            latencies.extend(mine)
            answers.extend(said)

    threads = [threading.Thread(target=talk, args=(n,)) for n in range(senders)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"senders": senders, "messages": len(latencies), "seconds": elapsed,
            "per_second": len(latencies) / elapsed, "p50_ms": statistics.median(latencies) * 1000,
            "p99_ms": latencies[int(0.99 * (len(latencies) - 1))] * 1000,
            "bot_per_reply": sum(answers) / len(answers),
            "unanswered": sum(1 for a in answers if a == 0) / len(answers)}


@click.command()
@click.option("--senders", default="1,8,64", show_default=True)
@click.option("--messages", default=400, show_default=True)
@click.option("--workers", default=1, show_default=True, help="uvicorn workers per server process.")
@click.option("--servers", default=1, show_default=True,
              help="Server processes on one store (as several hosts); senders use them in turn.")
@click.option("--store", "store_url", default=None, metavar="URL",
              help="The store the servers share (redis://…, postgresql://…) [default: a new SQLite file].")
@click.option("--rate", default=150.0, show_default=True,
              help="Offered messages/s for the paced rows (0: closed loop only).")
@click.option("--project", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Another trained project: its test stories' customer messages are the conversation.")
@click.option("--keep-store", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The SQLite store to write (a new file; kept) instead of a temporary one.")
@click.option("--new-connections", is_flag=True,
              help="A new TCP connection for every message instead of one per sender.")
def main(senders: str, messages: int, workers: int, servers: int, store_url: str | None,
         rate: float, project: Path | None, keep_store: Path | None, new_connections: bool) -> None:
    global CONVERSATION
    extra = []
    if project is not None:
        CONVERSATION = project_messages(project)
        extra = ["-p", str(project.resolve())]
    if keep_store is not None and keep_store.exists():
        raise click.BadParameter(f"{keep_store} exists: name a new file", param_hint="--keep-store")
    if store_url and keep_store:
        raise click.BadParameter("give --store or --keep-store, not both", param_hint="--store")
    store = store_url or str(keep_store.resolve() if keep_store
                             else Path(tempfile.mkdtemp()) / "load.sqlite")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    ports = [free_port() for _ in range(servers)]
    processes = [subprocess.Popen([sys.executable, "cli.py", "run", "--port", str(port),
                                   "--workers", str(workers), "--store", store, *extra],
                                  cwd=ROOT, env=env) for port in ports]
    urls = [f"http://127.0.0.1:{port}/webhooks/rest/webhook" for port in ports]
    run_id = os.urandom(3).hex()  # new senders each run: a shared store may hold older ones
    try:
        started = time.perf_counter()
        for port in ports:
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
                    break
                except OSError:
                    if time.perf_counter() - started > 180:
                        raise SystemExit("server did not start")
                    time.sleep(0.2)
        print(f"ready in {time.perf_counter() - started:.1f} s: {servers} server process(es) × "
              f"{workers} worker(s), store {store.split('://')[0] if '://' in store else 'sqlite'}, "
              f"{'a new connection per message' if new_connections else 'keep-alive senders'}")
        run_level(urls, 4, 40, f"{run_id}-warmup", keepalive=not new_connections)
        print(f"{'senders':>8}{'load':>14}{'messages':>10}{'msg/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
              f"{'bot/reply':>10}{'empty':>7}{'msg/CPU-s':>11}")
        for level in (int(x) for x in senders.split(",")):
            for offered in ([None, rate] if rate and level > 1 else [None]):
                cpu = sum(tree_cpu_s(p.pid) for p in processes)
                row = run_level(urls, level, messages, f"{run_id}-s{level}-{offered}", offered,
                                keepalive=not new_connections)
                cpu = sum(tree_cpu_s(p.pid) for p in processes) - cpu
                load = f"{offered:.0f}/s offered" if offered else "closed loop"
                print(f"{row['senders']:>8}{load:>14}{row['messages']:>10}{row['per_second']:>9.1f}"
                      f"{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}{row['bot_per_reply']:>10.2f}"
                      f"{row['unanswered']:>7.0%}{row['messages'] / max(cpu, 1e-9):>11.0f}")
        rss = [tree_rss_mb(p.pid) for p in processes]
        print(f"server RSS: {' + '.join(f'{r:.0f}' for r in rss)} MB (each process with its workers); "
              "msg/CPU-s: messages per second of the servers' own CPU time (the load client's not counted)")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(10)
        print(f"conversations stored in {store}")


if __name__ == "__main__":
    main()
