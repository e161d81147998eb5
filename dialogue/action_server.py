"""Custom actions served by an action server, over Rasa's protocol (what `rasa_sdk` serves).

    # endpoints.yml
    action_endpoint:
      url: http://localhost:5055/webhook
      token: ${ACTION_TOKEN}     # optional: sent as ?token=… (`token_name` renames it)
      timeout: 10                # seconds (Switchboard; Rasa waits up to 5 minutes)
      retries: 1                 # extra tries when the server cannot be reached at all

`ActionServer.call(name, tracker, domain)` POSTs `{"next_action", "sender_id", "tracker",
"domain", "version"}` and returns a `ServerReply` (the events and the messages the action
sent), a `Rejected` (HTTP 400: `ActionExecutionRejection`, e.g. a form that cannot use the
message) or a `Failed` (not found, the server down or too slow, a reply that is not JSON).
Only a connection that could not be made is retried: an action that timed out may have done
its work (an order placed, a ticket filed), so it is never sent twice.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.domain import Domain
from core.errors import Problem, ProjectInvalid
from core.tracker import Tracker
from dialogue.forms import Rejected
from dialogue.rasa_format import PROTOCOL_VERSION, domain_dict, tracker_state

log = logging.getLogger("switchboard.action_server")

ENDPOINT_KEYS = ("url", "token", "token_name", "headers", "basic_auth", "params", "cafile",
                 "timeout", "retries")
DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class ActionEndpoint:
    url: str
    file: str = "endpoints.yml"
    line: int = 0  # of `action_endpoint:`
    timeout: float = DEFAULT_TIMEOUT
    retries: int = 1
    params: dict[str, str] = field(default_factory=dict)  # the token goes here
    headers: dict[str, str] = field(default_factory=dict)
    basic_auth: tuple[str, str] | None = None
    cafile: str | None = None

    @property
    def source(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class ServerReply:
    events: list
    responses: list


@dataclass(frozen=True)
class Failed:
    """The action did not run: `reason` is for the log, `not_found` when the server has no
    action of that name (HTTP 404)."""

    reason: str
    not_found: bool = False


class ActionServer:
    """One action server, with one pooled HTTP session (thread-safe for concurrent turns of
    different conversations; each turn makes its calls one after another)."""

    def __init__(self, endpoint: ActionEndpoint):
        import requests

        self.endpoint = endpoint
        self.session = requests.Session()
        self.session.headers.update(endpoint.headers)
        if endpoint.basic_auth:
            self.session.auth = endpoint.basic_auth
        if endpoint.cafile:
            self.session.verify = endpoint.cafile
        self._domain_cache: tuple[int, dict] | None = None

    def _domain(self, domain: Domain) -> dict:
        cached = self._domain_cache
        if cached is None or cached[0] != id(domain):
            cached = self._domain_cache = (id(domain), domain_dict(domain))
        return cached[1]

    def call(self, name: str, tracker: Tracker, domain: Domain,
             extra: list | tuple = ()) -> ServerReply | Rejected | Failed:
        import requests

        body = {"next_action": name, "sender_id": tracker.sender_id,
                "tracker": tracker_state(tracker, extra), "domain": self._domain(domain),
                "version": PROTOCOL_VERSION}
        url = self.endpoint.url
        for attempt in range(self.endpoint.retries + 1):
            try:
                reply = self.session.post(url, json=body, params=self.endpoint.params,
                                          timeout=self.endpoint.timeout)
                break
            except requests.ConnectionError as exc:
                if attempt == self.endpoint.retries:  # (a connect timeout is one of these)
                    return Failed(f"the action server at {url} cannot be reached ({_short(exc)})")
                time.sleep(0.2 * (attempt + 1))
            except requests.Timeout:
                return Failed(f"the action server at {url} did not answer within "
                              f"{self.endpoint.timeout:g} s")
            except requests.RequestException as exc:
                return Failed(f"the call to the action server at {url} failed ({_short(exc)})")
        return _reply(name, reply)

    def close(self) -> None:
        self.session.close()


def _reply(name: str, reply) -> ServerReply | Rejected | Failed:
    try:
        data: Any = reply.json() if reply.content else None
    except ValueError:
        data = None
    error = data.get("error") if isinstance(data, dict) else None
    if reply.status_code == 400 and isinstance(data, dict) and "action_name" in data:
        return Rejected(f"the action server rejected '{name}': {error or 'no reason given'}")
    if reply.status_code == 404:
        return Failed(f"the action server has no action '{name}' ({error or 'HTTP 404'})",
                      not_found=True)
    if reply.status_code != 200:
        return Failed(f"the action server answered HTTP {reply.status_code} for '{name}'"
                      + (f": {error}" if error else ""))
    if data is None:
        return ServerReply([], [])
    if not isinstance(data, dict) or not isinstance(data.get("events", []), list) \
            or not isinstance(data.get("responses", []), list):
        return Failed(f"the action server's reply for '{name}' is not "
                      "{\"events\": [...], \"responses\": [...]}")
    return ServerReply(data.get("events") or [], data.get("responses") or [])


def _short(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) < 160 else text[:157] + "..."


# ----- endpoints.yml ----------------------------------------------------------------------

def read_action_endpoint(project_root: Path) -> tuple[ActionEndpoint | None, list[Problem]]:
    """endpoints.yml's `action_endpoint`, or None; its problems at `endpoints.yml:LINE: key`.
    Raises ProjectInvalid for errors (a missing url, a timeout that is not a number)."""
    from project.checks import FileChecker
    from project.yaml_loader import display_path, load_yaml
    from stores.endpoints import ENDPOINTS, Section

    path = Path(project_root) / ENDPOINTS
    if not path.is_file():
        return None, []
    value, problems = load_yaml(path)
    if value is None or not isinstance(value, dict) or value.get("action_endpoint") is None:
        return None, []  # stores.endpoints reports what is wrong with the file itself
    check = FileChecker(display_path(path))
    section = Section(check, "action_endpoint", value, Path(project_root))
    section.known(ENDPOINT_KEYS, {})
    url = section.text("url")
    line, key = section._at("url")
    if url is None:
        check.error(line, key, "missing: the action server's webhook, e.g. "
                    "http://localhost:5055/webhook")
    elif not url.startswith(("http://", "https://")):
        check.error(line, key, f"expected an http:// or https:// URL, got '{url}'")
    timeout = _seconds(section, "timeout")
    retries = section.integer("retries", 1)
    params = section.parameters("params")
    token = section.text("token")
    if token is not None:
        params[section.text("token_name") or "token"] = token
    headers = section.parameters("headers")
    auth = section.values.get("basic_auth")
    basic = None
    if auth is not None:
        if isinstance(auth, dict) and "username" in auth and "password" in auth:
            basic = (str(section._expanded("basic_auth", auth["username"]) or ""),
                     str(section._expanded("basic_auth", auth["password"]) or ""))
        else:
            line, key = section._at("basic_auth")
            check.error(line, key, "expected a mapping with username and password")
    if any(p.severity == "error" for p in check.problems):
        raise ProjectInvalid(check.problems)
    return ActionEndpoint(url, check.file, section.line, timeout, retries if retries is not None else 1,
                          params, headers, basic, section.text("cafile")), check.problems


def _seconds(section, key: str) -> float:
    value = section._expanded(key, section.values.get(key))
    if value is None or value == "":
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if isinstance(value, bool) or not seconds > 0:
        section._wrong(key, value, "a number of seconds above 0")
        return DEFAULT_TIMEOUT
    return seconds
