"""First-token latency of a generated answer: the OpenAI-compatible backend, and the REST
stream of a real server, against a local fake model that writes slowly.

    python bench/llm_stream.py [--runs 7] [--tokens 20] [--delay 0.03]

The fake (tests/responses/fake_llm_server.py: real HTTP/1.1, chunked server-sent events)
streams a grounded two-sentence answer in `--tokens` pieces, `--delay` seconds before
each. Measured, median of `--runs` (after one warm-up):

* the backend alone: `OpenAIBackend` (the `openai` client, one per backend) against the
  urllib + hand-parsed SSE backend it replaced (kept below, here only, as the baseline):
  time to the first piece and to the last;
* `python cli.py run` on a temp copy of the example project (its domain.yml's generation
  pointed at the fake; the trained models of ./models), the question sent to
  POST /webhooks/rest/stream: time to the first `token` event (the first beginning of
  the answer that passes the guardrails, see responses/drafts.py) and to the reply's
  `message`; and POST /webhooks/rest/webhook, whose time to the answer is what the
  stream gave before it sent tokens (it sent the items once the turn was done).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Iterator

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.procs import free_port  # noqa: E402
from responses.llm import BackendError, OpenAIBackend  # noqa: E402
from tests.responses.fake_llm_server import FakeLLM  # noqa: E402

# a question the example's trained NLU sends to action_generate (no FAQ answers it), and
# an answer its passage grounds (a figure and a promise the guardrails check)
QUESTION = "package came broken. do you need a picture, and how long have I got to report it?"
ANSWER = ("Please report a damaged item within 14 days of delivery, with a photo "
          "[returns#damaged-faulty-or-wrong-items]. We then send a free replacement or a full "
          "refund including shipping [returns#damaged-faulty-or-wrong-items].")
PROJECT_FILES = ("domain.yml", "config.yml", "data", "actions")


class UrllibBackend:
    """The baseline: responses/llm.py's OpenAIBackend before the `openai` client (streaming
    path only, no retries: each run here succeeds at the first try)."""

    def __init__(self, base_url: str, model: str, timeout: float = 20.0, max_tokens: int = 200):
        self.base_url, self.model, self.timeout, self.max_tokens = base_url, model, timeout, max_tokens

    def complete(self, system: str, user: str) -> Iterator[str]:
        body = {"model": self.model, "temperature": 0, "max_tokens": self.max_tokens, "stream": True,
                "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}]}
        request = urllib.request.Request(self.base_url.rstrip("/") + "/chat/completions",
                                         json.dumps(body).encode(), {"Content-Type": "application/json"},
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                for raw in response:
                    line = raw.decode("utf-8", "replace").strip()
                    if not line.startswith("data:"):
                        continue
                    payload = line[5:].strip()
                    if payload == "[DONE]":
                        return
                    delta = json.loads(payload)["choices"][0].get("delta", {})
                    if delta.get("content"):
                        yield delta["content"]
        except (OSError, ValueError, KeyError) as exc:
            raise BackendError(str(exc)) from exc


def timed_pieces(pieces: Iterator[str]) -> tuple[float, float]:
    """(ms to the first piece, ms to the end) of an iterator that starts working when asked."""
    started, first = time.perf_counter(), None
    for _ in pieces:
        first = first or time.perf_counter()
    return 1000 * ((first or time.perf_counter()) - started), 1000 * (time.perf_counter() - started)


def medians(runs: int, measure: Callable[[], tuple[float, ...]]) -> list[float]:
    measure()  # warm-up (imports, the first connection, the model's first forward pass)
    samples = [measure() for _ in range(runs)]
    return [statistics.median(column) for column in zip(*samples)]


def bench_backends(llm: FakeLLM, runs: int) -> list[tuple[str, list[float]]]:
    new, old = OpenAIBackend(llm.url, "tiny"), UrllibBackend(llm.url, "tiny")
    rows = []
    for label, backend in (("urllib + hand-parsed SSE (before)", old), ("openai client (now)", new)):
        def measure(backend=backend) -> tuple[float, float]:
            llm.script.append(f"stream:{ANSWER}")
            return timed_pieces(backend.complete("system", QUESTION))
        rows.append((label, medians(runs, measure)))
    return rows


def project_copy(into: Path, llm_url: str) -> Path:
    """The example project with generation pointed at the fake model (the repo's own
    domain.yml is not touched)."""
    for name in PROJECT_FILES:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, into / name)
    domain = (into / "domain.yml").read_text(encoding="utf-8")
    old = "\ngeneration:\n  knowledge: data/knowledge\n  backend: extractive\n"
    assert old in domain, "the example's generation section changed: update bench/llm_stream.py"
    domain = domain.replace(old, f"\ngeneration:\n  knowledge: data/knowledge\n  backend: openai\n"
                                 f"  base_url: {llm_url}\n  model: tiny\n  timeout: 10\n")
    (into / "domain.yml").write_text(domain, encoding="utf-8")
    return into


def start_server(project: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    process = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "run", "-p", str(project),
                                "--models", str(ROOT / "models"), "--port", str(port)],
                               cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 180
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError("cli.py run exited:\n" + process.stderr.read().decode()[-3000:])
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
            return process
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError("cli.py run did not start within 180 s")


def post(port: int, path: str, sender: str) -> Iterator[tuple[str, dict]]:
    """(event, data) of a stream as each arrives; ("json", body) for a JSON answer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("POST", path, json.dumps({"sender": sender, "message": QUESTION}),
                       {"Content-Type": "application/json"})
    response = connection.getresponse()
    if response.status != 200:
        raise RuntimeError(f"{path} answered HTTP {response.status}: {response.read()[:300]!r}")
    if "json" in response.headers.get("Content-Type", ""):
        yield "json", json.loads(response.read())
        return
    event = None
    for raw in response:
        line = raw.decode().rstrip("\n")
        if line.startswith("event: "):
            event = line[len("event: "):]
        elif line.startswith("data: "):
            yield event, json.loads(line[len("data: "):])
    connection.close()


def bench_server(llm: FakeLLM, port: int, runs: int) -> list[tuple[str, list[float]]]:
    counter = iter(range(10 ** 6))
    backends: set[str] = set()

    def stream() -> tuple[float, float]:
        llm.script.append(f"stream:{ANSWER}")
        started, first, answer = time.perf_counter(), None, None
        for event, data in post(port, "/webhooks/rest/stream", f"bench-s{next(counter)}"):
            if event == "token" and first is None:
                first = time.perf_counter()
            if event == "message" and answer is None:
                answer = time.perf_counter()
            if event == "message" and "custom" in data:
                backends.add(data["custom"].get("backend", "?"))
        first = first or answer
        return 1000 * (first - started), 1000 * (answer - started)

    def webhook() -> tuple[float, float]:
        llm.script.append(f"stream:{ANSWER}")
        started = time.perf_counter()
        _, items = next(post(port, "/webhooks/rest/webhook", f"bench-w{next(counter)}"))
        backends.update(i["custom"].get("backend", "?") for i in items if "custom" in i)
        elapsed = 1000 * (time.perf_counter() - started)
        return elapsed, elapsed

    rows = [("webhook: the answer in one piece (= the stream before)", medians(runs, webhook)),
            ("stream: token events, then the reply (now)", medians(runs, stream))]
    if backends != {"openai"}:
        raise RuntimeError(f"answers came from {backends}, not the fake model: the question "
                           "did not reach action_generate, or the backend failed")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--tokens", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.03, help="seconds before each token")
    args = parser.parse_args()
    chunk = -(-len(ANSWER) // args.tokens)
    with FakeLLM([], token_delay=args.delay, chunk=chunk) as llm, tempfile.TemporaryDirectory() as tmp:
        rows = bench_backends(llm, args.runs)
        port = free_port()
        server = start_server(project_copy(Path(tmp), llm.url), port)
        try:
            rows += bench_server(llm, port, args.runs)
        finally:
            server.terminate()
            server.wait(30)
    table = Table(title=f"Generated answer, {-(-len(ANSWER) // chunk)} tokens at {1000 * args.delay:.0f} ms "
                        f"(local fake model); median of {args.runs} runs")
    for column in ("path", "first token ms", "answer ms"):
        table.add_column(column, justify="left" if column == "path" else "right")
    for label, (first, total) in rows:
        table.add_row(label, f"{first:.0f}", f"{total:.0f}")
    Console().print(table)
    print("first token of the stream: the first beginning of the answer that passes the guardrails "
          "(here once its first citation, at the end of the first sentence, has arrived)")


if __name__ == "__main__":
    main()
