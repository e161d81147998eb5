"""A small OpenAI-compatible chat server on 127.0.0.1 for tests and bench/: real HTTP/1.1
(keep-alive, chunked server-sent events), scripted answers.

`script` is a list of behaviours, one per request:

    "stream:<text>"   server-sent events, `chunk` characters per event, `token_delay`
                      seconds before each
    "json:<text>"     a plain JSON completion (a server that ignores `stream: true`)
    "<status>"        that HTTP status with an OpenAI-style error body ("500", "400", "401")
    "sleep:<seconds>" answers late (then a JSON "late")
    "error:<text>"    streams <text>, then an `{"error": ...}` event, as servers do mid-answer
    "garbage:<text>"  streams <text>, then a data line that is not JSON
    "nochoices:"      a JSON completion without `choices`

Requests are recorded in `requests` (with the client's port: one port for two requests
means the connection was reused). Past the script, every request gets "json:NO_ANSWER".
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:  # a client that hung up
        pass


class FakeLLM:
    def __init__(self, script: list[str], token_delay: float = 0.0, chunk: int = 4):
        self.script = list(script)
        self.requests: list[dict] = []
        self.token_delay = token_delay
        self.chunk = chunk
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, so a client can reuse its connection

            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                owner.requests.append({"path": self.path, "body": body, "port": self.client_address[1],
                                       "auth": self.headers.get("Authorization")})
                step = owner.script.pop(0) if owner.script else "json:NO_ANSWER"
                kind, _, text = step.partition(":")
                try:
                    self.answer(kind, text)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout)
                    self.close_connection = True

            def answer(self, kind: str, text: str) -> None:
                if kind.isdigit():
                    error = {"error": {"message": f"scripted {kind}", "type": "server_error"}}
                    return self.send_json(int(kind), error)
                if kind == "sleep":
                    time.sleep(float(text))
                    kind, text = "json", "late"
                if kind == "json":
                    return self.send_json(200, {"choices": [{"index": 0, "finish_reason": "stop",
                                                             "message": {"role": "assistant", "content": text}}]})
                if kind == "nochoices":
                    return self.send_json(200, {"object": "chat.completion"})
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for start in range(0, len(text), owner.chunk):
                    time.sleep(owner.token_delay)
                    piece = {"choices": [{"index": 0, "delta": {"content": text[start:start + owner.chunk]}}]}
                    self.send_event(json.dumps(piece))
                if kind == "error":
                    self.send_event(json.dumps({"error": {"message": "scripted failure mid-answer"}}))
                elif kind == "garbage":
                    self.send_event("{not json")
                self.send_event("[DONE]")
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

            def send_event(self, data: str) -> None:
                raw = f"data: {data}\n\n".encode()
                self.wfile.write(f"{len(raw):x}\r\n".encode() + raw + b"\r\n")
                self.wfile.flush()

            def send_json(self, status: int, payload: dict) -> None:
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeLLM":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
