"""The first thing every request meets (ASGI middleware): who sends it, and the metrics.

A request's bearer token (header Authorization) names its principal (server.auth); one
without a valid token gets a 401, unless its path is open (the chat page, /health, the
session route, channels' webhooks) or the server has no staff tokens at all (then every
request is the local operator). The principal and the client's address are set for the
request's handlers (`server.auth.current`, `CLIENT`). Each request is counted by method,
route template and status with its duration: labels from route templates only, so a path
no route has is "unmatched" whatever it says (a customer's email in a 404 path never
reaches /metrics).
"""
from __future__ import annotations

import contextvars
import time

from server import auth as access
from server.errors import error as _error
from server.metrics import Metrics

CLIENT: contextvars.ContextVar[str | None] = contextvars.ContextVar("client", default=None)
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})


class Guard:
    def __init__(self, app, auth: access.Auth, open_paths: set[str], metrics: Metrics) -> None:
        self.app, self.auth, self.open_paths, self.metrics = app, auth, open_paths, metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        header = next((value for name, value in scope.get("headers") or ()
                       if name == b"authorization"), None)
        principal = self.auth.identify(header.decode("latin-1") if header is not None else None)
        if principal is None and not self.auth.enabled:
            principal = access.LOCAL  # localhost without staff tokens: the operator
        status = [500]  # what an exception that escapes the app becomes

        async def sent(message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            if principal is None and scope["path"] not in self.open_paths:  # (size: BodyLimit)
                response = _error(401, "missing or wrong bearer token (header Authorization)")
                response.headers["WWW-Authenticate"] = "Bearer"
                await response(scope, receive, sent)
                return
            bound = access.current.set(principal)
            client = scope.get("client")
            address = CLIENT.set(client[0] if client else None)
            try:
                await self.app(scope, receive, sent)
            finally:
                access.current.reset(bound)
                CLIENT.reset(address)
        finally:
            route = scope.get("route")
            method = scope["method"] if scope["method"] in METHODS else "OTHER"
            self.metrics.observe(method, route.path if route else "unmatched", status[0],
                                 time.perf_counter() - started)
