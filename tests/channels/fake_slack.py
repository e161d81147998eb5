"""A stand-in for Slack's Web API on 127.0.0.1, for tests: real HTTP, in a thread.

It answers `chat.postMessage` as Slack does (`{"ok": true, "channel", "ts"}`) and records
every call (`calls`: method, bearer token, JSON body), so a test sees exactly what the
Slack connector posted through the real `slack_sdk.WebClient` (pointed here with
`slack_api_url`). As Slack, it refuses a post to a channel that is gone (`GONE`, here)
with `{"ok": false, "error": "channel_not_found"}`, and any other method with
`unknown_method`.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GONE = "CGONE"


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[dict] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                method = self.path.rsplit("/", 1)[-1]
                body = json.loads(raw) if raw else {}
                owner.calls.append({"method": method, "auth": self.headers.get("Authorization"),
                                    "body": body})
                if method != "chat.postMessage":
                    answer = {"ok": False, "error": "unknown_method"}
                elif body.get("channel") == GONE:
                    answer = {"ok": False, "error": "channel_not_found"}
                else:
                    answer = {"ok": True, "channel": body.get("channel"), "ts": f"{time.time():.6f}"}
                payload = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def posts(self) -> list[dict]:
        """The bodies of the chat.postMessage calls so far."""
        return [c["body"] for c in self.calls if c["method"] == "chat.postMessage"]

    def wait_for_posts(self, count: int, timeout: float = 10.0) -> list[dict]:
        """The posts once there are at least `count` (the connector posts after its answer)."""
        deadline = time.monotonic() + timeout
        while len(self.posts()) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.posts()

    def __enter__(self) -> "FakeSlack":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
