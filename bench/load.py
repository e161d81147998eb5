"""Throughput and latency of `cli.py run` under concurrent senders (loopback only, no LLM).

    python bench/load.py [--senders 1,8,64] [--messages 400] [--workers 1] [--keep-store FILE]

Starts the server on a free port with a fresh SQLite store (in a temporary folder, or
`--keep-store FILE`, left there for `cli.py analytics --store sqlite:///FILE`), then for
each concurrency level sends `--messages` webhook requests spread over that many senders
(each sender's messages in order: a short support conversation on repeat), and reports
messages/s and latency p50/p99.
"""
from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
CONVERSATION = ["hi", "where is my order 12345", "how much is shipping to canada?", "thanks",
                "no that's all", "I want to return something", "it's NW-55871", "jane@example.com"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def project_messages(project: Path) -> list[str]:
    """The customer messages of a project's test stories, in order."""
    sys.path.insert(0, str(ROOT))
    from project.loader import load_project

    stories = load_project(project).tests.stories
    return [s.user_text for story in stories for s in story.steps if s.user_text]


def post(url: str, sender: str, text: str) -> tuple[float, int]:
    """(seconds, bot messages in the reply: the REST items that carry text or an image)."""
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        items = json.loads(response.read())
    return time.perf_counter() - started, sum(1 for i in items if "text" in i or "image" in i)


def run_level(url: str, senders: int, messages: int, tag: str, rate: float | None = None) -> dict:
    """Closed loop (each sender sends its next message as soon as it has the answer), or with
    `rate`: each sender sends one message every `senders / rate` seconds (offered load = rate)."""
    per_sender = max(1, messages // senders)
    latencies: list[float] = []
    answers: list[int] = []
    lock = threading.Lock()
    interval = senders / rate if rate else 0.0

    def talk(n: int) -> None:
        mine, said = [], []
        next_at = time.perf_counter() + (n / senders) * interval
        for i in range(per_sender):
            if interval:
                time.sleep(max(0.0, next_at - time.perf_counter()))
                next_at += interval
            seconds, messages_back = post(url, f"{tag}-{n}", CONVERSATION[i % len(CONVERSATION)])
            mine.append(seconds)
            said.append(messages_back)
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
@click.option("--workers", default=1, show_default=True)
@click.option("--rate", default=150.0, show_default=True,
              help="Offered messages/s for the paced rows (0: closed loop only).")
@click.option("--project", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Another trained project: its test stories' customer messages are the conversation.")
@click.option("--keep-store", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The SQLite store to write (a new file; kept) instead of a temporary one.")
def main(senders: str, messages: int, workers: int, rate: float, project: Path | None,
         keep_store: Path | None) -> None:
    global CONVERSATION
    extra = []
    if project is not None:
        CONVERSATION = project_messages(project)
        extra = ["-p", str(project.resolve())]
    port = free_port()
    if keep_store is not None and keep_store.exists():
        raise click.BadParameter(f"{keep_store} exists: name a new file", param_hint="--keep-store")
    store = keep_store.resolve() if keep_store else Path(tempfile.mkdtemp()) / "load.sqlite"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    server = subprocess.Popen([sys.executable, "cli.py", "run", "--port", str(port), "--workers", str(workers),
                               "--store", str(store), *extra], cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
    try:
        started = time.perf_counter()
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except OSError:
                if time.perf_counter() - started > 120:
                    raise SystemExit("server did not start")
                time.sleep(0.2)
        print(f"server ready in {time.perf_counter() - started:.1f} s ({workers} worker(s))")
        run_level(url, 4, 40, "warmup")
        print(f"{'senders':>8}{'load':>14}{'messages':>10}{'msg/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
              f"{'bot/reply':>10}{'empty':>7}")
        for level in (int(x) for x in senders.split(",")):
            for offered in ([None, rate] if rate and level > 1 else [None]):
                row = run_level(url, level, messages, f"s{level}-{offered}", offered)
                load = f"{offered:.0f}/s offered" if offered else "closed loop"
                print(f"{row['senders']:>8}{load:>14}{row['messages']:>10}{row['per_second']:>9.1f}"
                      f"{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}{row['bot_per_reply']:>10.2f}"
                      f"{row['unanswered']:>7.0%}")
    finally:
        server.terminate()
        server.wait(10)
        print(f"conversations stored in {store}")


if __name__ == "__main__":
    main()
