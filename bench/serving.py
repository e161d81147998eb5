"""A served assistant on each runtime: start to first answer, RSS, `/model/parse` latency.

    python bench/serving.py                                   # the example, models/
    python bench/serving.py -p ../shared/rasa-projects/moodbot --models /tmp/mood/models

For each run and runtime (env SWITCHBOARD_RUNTIME: torch, or onnx, the default when the
models have their ONNX export) it starts `cli.py run` on a free port with an in-memory
store, times the first answered REST webhook message from the moment the process is
launched, reads the server's resident memory (VmRSS, after the parse requests), and sends
`--requests` sequential `POST /model/parse` over HTTP after 20 warm-up ones. Runtimes
alternate within each run; the table shows medians over `--runs`.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.procs import free_port, rss_mb  # noqa: E402
TEXTS = ["hello", "I am very sad today", "where is my order 12345", "great, thanks!", "bye",
         "can I return a damaged item?", "我要退货", "are you a bot?"]


def one_run(project: Path, models: Path, runtime: str, requests_n: int) -> dict[str, float]:
    port = free_port()
    env = {**os.environ, "SWITCHBOARD_RUNTIME": runtime, "SWITCHBOARD_STORE": "memory://"}
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "run", "-p", str(project),
                               "--models", str(models), "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    http = requests.Session()
    try:
        while True:
            if server.poll() is not None:
                raise SystemExit(f"the server exited ({server.returncode}) on {runtime}")
            if time.perf_counter() - started > 300:
                raise SystemExit("the server did not answer in 300 s")
            try:
                reply = http.post(f"{url}/webhooks/rest/webhook", timeout=30,
                                  json={"sender": "bench", "message": "hello"})
                if reply.ok and reply.json():
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        first_answer = time.perf_counter() - started
        for text in TEXTS * 3:
            http.post(f"{url}/model/parse", json={"text": text}, timeout=30).raise_for_status()
        times = []
        for i in range(requests_n):
            t0 = time.perf_counter()
            http.post(f"{url}/model/parse", json={"text": TEXTS[i % len(TEXTS)]},
                      timeout=30).raise_for_status()
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        return {"first answer s": first_answer, "RSS MB": rss_mb(server.pid),
                "parse p50 ms": statistics.median(times),
                "parse p99 ms": times[min(len(times) - 1, int(len(times) * 0.99))]}
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    args.add_argument("-p", "--project", type=Path, default=ROOT)
    args.add_argument("--models", type=Path, default=None, help="default: PROJECT/models")
    args.add_argument("--runs", type=int, default=3)
    args.add_argument("--requests", type=int, default=300)
    args.add_argument("--runtimes", nargs="+", default=["torch", "onnx"])
    opts = args.parse_args()
    models = opts.models or opts.project / "models"
    results: dict[str, list[dict[str, float]]] = {r: [] for r in opts.runtimes}
    for run in range(opts.runs):
        for runtime in opts.runtimes:
            results[runtime].append(one_run(opts.project, models, runtime, opts.requests))
            print(f"run {run + 1} {runtime}: {results[runtime][-1]}", file=sys.stderr)
    table = Table(title=f"{opts.project.resolve().name}: served, medians of {opts.runs} runs")
    columns = list(results[opts.runtimes[0]][0])
    table.add_column("runtime")
    for column in columns:
        table.add_column(column, justify="right")
    for runtime, rows in results.items():
        table.add_row(runtime, *(f"{statistics.median(r[c] for r in rows):.2f}" for c in columns))
    Console().print(table)


if __name__ == "__main__":
    main()
