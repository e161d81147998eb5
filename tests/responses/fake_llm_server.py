"""A small OpenAI-compatible chat server on 127.0.0.1 for tests: real HTTP, scripted answers.

`script` is a list of behaviours, one per request: "stream:<text>" (server-sent events, a
few characters per chunk), "json:<text>" (a plain JSON completion), "500" (server error),
"sleep:<seconds>" (answers late). Requests are recorded in `requests`.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeLLM:
    def __init__(self, script: list[str]):
        self.script = list(script)
        self.requests: list[dict] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.requests.append({"path": self.path, "body": body,
                                       "auth": self.headers.get("Authorization")})
                step = owner.script.pop(0) if owner.script else "json:NO_ANSWER"
                kind, _, text = step.partition(":")
                if kind == "500":
                    self.send_response(500)
                    self.end_headers()
                    return
                if kind == "sleep":
                    time.sleep(float(text))
                    text = "late"
                    kind = "json"
                if kind == "json":
                    payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}]})
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload.encode())
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for start in range(0, len(text), 4):
                    chunk = {"choices": [{"delta": {"content": text[start:start + 4]}}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeLLM":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
