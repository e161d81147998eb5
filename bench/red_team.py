"""Red-team run (issue 17): hostile YAML, hostile HTTP and personal data against the example
assistant, printing what went wrong: cases tried, internal errors / 5xx, hangs, a customer's
token reaching staff routes or other conversations, forged tokens accepted, and personal
values (sender ids too) found afterwards in the store, the tickets, the logs and /metrics.
All but the first should be zero.

    python bench/red_team.py

The server is the real app (uvicorn, SQLite store, masking as `cli.py run` sets it up by default)
around the example project with the tests' keyword stand-in for NLU: the target is the
server, not the model. Personal data comes from tests/fixtures/pii/labelled.yml.
"""
from __future__ import annotations

import http.client
import json
import logging
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HANG_S = 10.0

BOMB = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"{k}: &{k} [{', '.join([f'*{p}'] * 9)}]\n" for p, k in zip("abcdefgh", "bcdefghi"))
YAML_CASES = {
    "alias bomb": BOMB, "alias loop": "loop: &l [*l]\n", "deep nesting": "x: " + "[" * 10_000 + "]" * 10_000,
    "NUL byte": "rules:\n- rule: a\x00\n", "ESC byte": "a: \x1b[31m\n", "python tag": "x: !!python/name:os.system\n",
    "python apply": "x: !!python/object/apply:os.system [ls]\n", "merge key": "a: &b {x: 1}\nc: {<<: *b}\n",
    "catastrophic regex": None,  # written into nlu.yml below
    "tabs": "rules:\n\t- rule: a\n", "not UTF-8": b"\xff\xfe rules: x".decode("latin-1"),
    "empty": "", "huge scalar": "x: " + "y" * 3_000_000 + "\n",
}


def timed(fn, *args) -> tuple[str, object]:
    """('ok', value) / ('error', exception) / ('hang', None) for fn(*args) within HANG_S."""
    box: dict = {}

    def run() -> None:
        try:
            box["value"] = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - counted, not raised
            box["error"] = exc
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(HANG_S)
    if thread.is_alive():
        return "hang", None
    return ("error", box["error"]) if "error" in box else ("ok", box.get("value"))


def yaml_round(work: Path) -> dict:
    from project.loader import load_project

    mini = ROOT / "tests" / "fixtures" / "mini_project"
    counts = {"tried": 0, "internal errors": 0, "hangs": 0, "no file:line": 0}
    for name, text in YAML_CASES.items():
        root = work / f"yaml-{len(list(work.iterdir()))}"
        shutil.copytree(mini, root)
        if text is None:
            nlu = root / "data" / "nlu.yml"
            nlu.write_text(nlu.read_text() + "- regex: order_id\n  examples: |\n    - (a|aa)+$\n")
        else:
            (root / "data" / "rules.yml").write_text(text, encoding="utf-8")
        counts["tried"] += 1
        outcome, value = timed(lambda: load_project(root, strict=False))
        if outcome == "hang":
            counts["hangs"] += 1
        elif outcome == "error":
            counts["internal errors"] += 1
        elif name not in ("merge key",) and not any(p.line or p.file.endswith("rules.yml")
                                                     for p in value.problems):
            counts["no file:line"] += 1
    return counts


def serve(work: Path):
    import uvicorn

    from dialogue.agent import Agent
    from dialogue.registry import load_project_actions
    from policies.ensemble import PolicyEnsemble
    from project.loader import load_project
    from server.app import create_app
    from core.sealing import Sealer
    from stores.handoffs import HandoffQueue
    from stores.private import PrivateQueue, PrivateStore
    from stores.sqlite import SQLiteStore
    from tests.services import free_port
    from tests.support import KeywordParser

    project = load_project(ROOT)
    load_project_actions(ROOT)
    sealer = Sealer(b"red-team-secret")
    agent = Agent(project, KeywordParser(), PolicyEnsemble.train(project),
                  PrivateQueue(HandoffQueue(work / "handoffs.sqlite"), sealer), seed=0,
                  store=PrivateStore(SQLiteStore(work / "conversations.sqlite"), sealer))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(agent, token="red-team-token"), host="127.0.0.1",
                                           port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, port


def request(port: int, method: str, path: str, body=None, headers=None, chunked=False,
            answer: list | None = None) -> int | str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=HANG_S)
    try:
        connection.request(method, path, body=body, headers={"Authorization": "Bearer red-team-token",
                                                             "Content-Type": "application/json",
                                                             **(headers or {})},
                           encode_chunked=chunked)
        response = connection.getresponse()
        text = response.read()
        if answer is not None:
            answer.append(text)
        return response.status
    except TimeoutError:
        return "hang"
    except (ConnectionError, http.client.HTTPException):
        return 499  # the server closed it: no 5xx, no hang
    finally:
        connection.close()


def http_cases() -> list[tuple]:
    big = (b"x" * 16_384 for _ in range(128))
    webhook = "/webhooks/rest/webhook"
    cases = [
        ("POST", webhook, big, {}, True), ("POST", webhook, b"{" * 50_000, {}, False),
        ("POST", webhook, b'{"sender": "a", "message": "\\u0000\\u001b"}', {}, False),
        ("POST", webhook, json.dumps({"sender": "a" * 5000, "message": "hi"}).encode(), {}, False),
        ("POST", webhook, json.dumps({"sender": "b", "message": "x" * 60_000}).encode(), {}, False),
        ("POST", webhook, b'[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]', {}, False),
        ("POST", webhook, b"not json", {}, False), ("POST", webhook, b"", {"Content-Length": "99999999999"}, False),
        ("POST", "/handoffs/99999999999999999999999/release", b"{}", {}, False),
        ("POST", "/handoffs/-1/release", b"{}", {}, False),
        ("GET", "/conversations/%00/tracker", None, {}, False),
        ("GET", "/conversations/" + "a" * 3000 + "/tracker", None, {}, False),
        ("GET", "/handoffs?status=everything", None, {}, False),
        ("GET", "/health", None, {"Host": "evil.example.com"}, False),
        ("GET", "/handoffs", None, {"Authorization": "Bearer é"}, False),
        ("FOO", "/health", None, {}, False), ("GET", "/docs", None, {}, False),
    ]
    cases += [("GET", f"/{i}/jane{i}%40example.com%22%7D", None, {}, False) for i in range(200)]
    return cases


def http_round(port: int) -> dict:
    counts = {"tried": 0, "5xx": 0, "hangs": 0}
    for method, path, body, headers, chunked in http_cases():
        counts["tried"] += 1
        status = request(port, method, path, body, headers, chunked)
        counts["hangs"] += status == "hang"
        counts["5xx"] += isinstance(status, int) and 500 <= status < 600
    return counts


def access_round(port: int) -> dict:
    """A customer's token (from the chat page's session route) against every staff route
    and other customers' conversations; no token, a forged one, an expired-looking one."""
    issued: list = []
    request(port, "POST", "/webhooks/rest/session", headers={"Authorization": ""}, answer=issued)
    customer = json.loads(issued[0])
    mine = {"Authorization": "Bearer " + customer["token"]}
    forged = customer["token"].rsplit(".", 1)[0] + ".AAAA"
    staff = [("GET", "/handoffs", None), ("POST", "/handoffs/1/release", b"{}"), ("GET", "/metrics", None),
             ("POST", "/model/parse", b'{"text": "hi"}'), ("GET", "/conversations/victim/tracker", None),
             ("GET", f"/conversations/{customer['sender']}/tracker", None),
             ("POST", "/conversations/victim/messages", b'{"text": "x", "author": "agent"}'),
             ("POST", "/conversations/victim/trigger_intent", b'{"name": "greet"}'),
             ("GET", "/conversations/victim/status", None),
             ("POST", "/webhooks/rest/session", b'{"sender": "victim"}')]
    others = [("POST", path, json.dumps({"sender": "victim", "message": "hi"}).encode())
              for path in ("/webhooks/rest/webhook", "/webhooks/rest/stream")]
    counts = {"tried": 0, "customer reached staff": 0, "customer reached another": 0, "forged accepted": 0, "5xx": 0}
    for kind, cases, headers in (("customer reached staff", staff, mine), ("customer reached another", others, mine),
                                 ("forged accepted", staff + others, {"Authorization": "Bearer " + forged}),
                                 ("forged accepted", staff + others, {"Authorization": ""})):
        for method, path, body in cases:
            counts["tried"] += 1
            status = request(port, method, path, body, headers)
            counts[kind] += isinstance(status, int) and status < 400
            counts["5xx"] += isinstance(status, int) and status >= 500
    return counts


def pii_round(port: int, work: Path, logs: list[str]) -> dict:
    from core.pii import personal_values

    cases = yaml.safe_load((ROOT / "tests" / "fixtures" / "pii" / "labelled.yml").read_text("utf-8"))
    values = [v for c in cases for v in c.get("pii", [])]
    senders = ["red.team@example.com", "whatsapp:+15551234567", "13812345678"]  # ids that are PII
    values += senders
    for n, case in enumerate(cases):
        for text in (case["text"], "I want to talk to a human"):
            request(port, "POST", "/webhooks/rest/webhook",
                    json.dumps({"sender": senders[n] if n < len(senders) else f"pii-{n}", "message": text}).encode())
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=HANG_S)
    connection.request("GET", "/metrics", headers={"Authorization": "Bearer red-team-token"})
    metrics = connection.getresponse().read().decode("utf-8", "replace")
    connection.request("GET", "/handoffs", headers={"Authorization": "Bearer red-team-token"})
    tickets = connection.getresponse().read().decode("utf-8", "replace")
    store = b"".join(p.read_bytes() for p in work.glob("conversations.sqlite*") if p.is_file())
    queue = b"".join(p.read_bytes() for p in work.glob("handoffs.sqlite*") if p.is_file())
    places = {"store": store.decode("utf-8", "replace"), "tickets (file)": queue.decode("utf-8", "replace"),
              "tickets (API)": tickets, "logs": "\n".join(logs), "metrics": metrics}
    found = {place: sum(v in text for v in values) for place, text in places.items()}
    found["detector misses (labelled set)"] = sum(
        not any(v in p or p in v for p in personal_values(c["text"])) for c in cases for v in c.get("pii", []))
    return {"PII values sent": len(values), **found}


def main() -> None:
    logs: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            logs.append(self.format(record))
    logging.getLogger().addHandler(Keep())
    logging.getLogger().setLevel(logging.INFO)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "yaml").mkdir()
        rows = [("YAML", yaml_round(work / "yaml"))]
        server, port = serve(work)
        rows.append(("HTTP", http_round(port)))
        rows.append(("Access", access_round(port)))
        rows.append(("PII", pii_round(port, work, logs)))
        server.should_exit = True
    for name, counts in rows:
        print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
