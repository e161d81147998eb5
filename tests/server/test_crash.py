"""kill -9 the server in the middle of a load, restart it on the same SQLite file: every turn
the server acknowledged (HTTP 200) is in its conversation, in order."""
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from tests.services import free_port

ROOT = Path(__file__).parent.parent.parent


def start(port: int, store: Path) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "tests.server.keyword_server", str(port), str(store)],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("server did not start")


def send(port: int, sender: str, text: str) -> bool:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/rest/webhook", body,
                                     {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            return response.status == 200
    except (OSError, http.client.HTTPException):  # refused, reset, or cut mid-response
        return False


def test_no_acknowledged_turn_is_lost_after_kill_9(tmp_path: Path) -> None:
    port, store = free_port(), tmp_path / "crash.sqlite"
    server = start(port, store)
    acknowledged: dict[str, list[str]] = {}
    stop = threading.Event()

    def customer(n: int) -> None:
        sender, sent = f"c{n}", []
        for i in range(1000):
            if stop.is_set():
                break
            text = f"message {i} from {sender}"
            if not send(port, sender, text):
                break
            sent.append(text)
        acknowledged[sender] = sent

    threads = [threading.Thread(target=customer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    time.sleep(3)
    os.kill(server.pid, signal.SIGKILL)
    server.wait()
    stop.set()
    for t in threads:
        t.join()
    assert sum(len(v) for v in acknowledged.values()) > 20  # the load really ran
    server = start(port, store)
    try:
        for sender, sent in acknowledged.items():
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/conversations/{sender}/tracker") as r:
                events = json.loads(r.read())["events"]
            stored = [e["text"] for e in events if e["event"] == "user"]
            assert stored[:len(sent)] == sent  # every acknowledged turn, in order
            assert len(stored) <= len(sent) + 1  # at most the one in flight when killed
    finally:
        server.kill()
        server.wait()
