"""Who is asking: a member of staff (a bearer token with scopes) or a customer (a token the
server signed for one conversation).

Staff tokens:
    SWITCHBOARD_TOKEN, --token-file, or the one `cli.py run` generates into
    .switchboard/token off localhost: one token with every scope (admin).
    PROJECT/.switchboard/tokens.yml, written by `cli.py tokens create|revoke`: named tokens
    with their scopes, kept as SHA-256 digests only. The server rereads the file when it
    changes, so a revoked token stops working at once in every worker.

Customer tokens: `POST /webhooks/rest/session` gives the chat page a new conversation,
`{"sender", "token", "expires_at"}`, where the token is `c1.SENDER.EXPIRY.MAC` (the sender in URL-safe base64) (HMAC-SHA256
under a key derived from the deployment's secret, core.secret). It speaks for that sender
only: on the REST webhook and stream, and `GET /conversations/SENDER/status`.

Scopes:
    agent    the handoff desk: GET /handoffs, release, agent messages, read a tracker
    channel  speak for any customer: the REST webhook for any sender, customer messages,
             trigger_intent, /model/parse (a company's own backend in front of the bot)
    metrics  GET /metrics (a Prometheus scraper)
    admin    every scope

Without an admin token or a tokens file (a server on localhost) every request is the local
operator, with every scope; customer tokens are still issued, and a customer's still binds its sender.
"""
from __future__ import annotations

import base64
import contextvars
import hashlib
import hmac
import logging
import os
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import yaml

from core.errors import SwitchboardError
from core.secret import derive

log = logging.getLogger("switchboard.auth")

SCOPES = ("agent", "channel", "metrics", "admin")
CUSTOMER_TTL_S = 7 * 24 * 3600
TOKENS_FILE = Path(".switchboard") / "tokens.yml"
STAFF_PREFIX = "sbt_"


class Forbidden(SwitchboardError):
    """A known principal asked for what it may not do (HTTP 403)."""


@dataclass(frozen=True)
class Principal:
    kind: str  # "staff" | "customer"
    name: str
    scopes: frozenset[str] = frozenset()
    sender: str | None = None  # a customer's own conversation

    def may(self, scope: str) -> bool:
        return "admin" in self.scopes or scope in self.scopes


LOCAL = Principal("staff", "local", frozenset({"admin"}))

# the principal of the request being served (set by the app's guard; read where a message
# enters the agent, whichever channel route it came through)
current: contextvars.ContextVar[Principal | None] = contextvars.ContextVar("principal", default=None)


def require(scope: str) -> Principal:
    """The current principal, if it has `scope`; else Forbidden."""
    principal = current.get()
    if principal is None or not principal.may(scope):
        who = principal.name if principal else "this request"
        raise Forbidden(f"{who} may not do this: it needs a staff token with scope '{scope}'")
    return principal


def may_speak_for(sender: str) -> None:
    """Forbidden unless the current principal may send messages as `sender`: its own
    customer token, or a staff token with `channel`. A request on a route that a channel
    authenticates itself (Slack's signature) has no principal here and passes."""
    principal = current.get()
    if principal is None:
        return
    if principal.kind == "customer":
        if principal.sender != sender:
            raise Forbidden("this conversation token is for another conversation (field sender)")
        return
    require("channel")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


@dataclass
class StaffTokens:
    """PROJECT/.switchboard/tokens.yml, reread when its modification time changes. A file
    that cannot be read gives no tokens at all (fails closed), with an error log."""

    path: Path
    _seen: tuple | None = None
    _by_digest: dict[str, Principal] = field(default_factory=dict)

    def lookup(self, token: str) -> Principal | None:
        self._refresh()
        return self._by_digest.get(digest(token))

    def exists(self) -> bool:
        return self.path.exists()

    def _refresh(self) -> None:
        try:
            stat = self.path.stat()
            seen = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except FileNotFoundError:
            seen = None
        if seen == self._seen:
            return
        self._seen = seen
        try:
            entries = read_tokens(self.path)
        except SwitchboardError as exc:
            log.error("%s; no staff token from it is accepted until it is fixed", exc)
            entries = []
        self._by_digest = {e["sha256"]: Principal("staff", e["name"], frozenset(e["scopes"]))
                           for e in entries}


def read_tokens(path: Path) -> list[dict]:
    """The entries of a tokens file (none if there is no file); SwitchboardError naming the
    file and the entry for anything else than `cli.py tokens` writes."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise SwitchboardError(f"{path}: cannot read it ({exc})") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise SwitchboardError(f"{path}: not YAML ({exc})") from None
    entries = data.get("tokens") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise SwitchboardError(f"{path}: tokens: expected a list (write it with `cli.py tokens create`)")
    for i, entry in enumerate(entries):
        ok = (isinstance(entry, dict) and isinstance(entry.get("name"), str)
              and isinstance(entry.get("sha256"), str) and len(entry["sha256"]) == 64
              and isinstance(entry.get("scopes"), list) and entry["scopes"]
              and all(s in SCOPES for s in entry["scopes"]))
        if not ok:
            raise SwitchboardError(f"{path}: tokens[{i}]: needs name, sha256 (64 hex) and scopes "
                                   f"(a list of {', '.join(SCOPES)})")
    return entries


def write_tokens(path: Path, entries: list[dict]) -> None:
    """Replace the tokens file at once (a reader sees the old file or the new, whole),
    readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(path.name + ".new")
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("# Staff tokens for `cli.py run`, written by `cli.py tokens create|revoke`.\n"
                  "# Only each token's SHA-256 is kept: a lost token is revoked and made again.\n")
        yaml.safe_dump({"tokens": entries}, out, sort_keys=False, allow_unicode=True)
    os.replace(staging, path)


def new_staff_token(path: Path, name: str, scopes: list[str]) -> str:
    """Add a token called `name` with `scopes` to the file; the token itself (shown once)."""
    entries = read_tokens(path)
    if any(e["name"] == name for e in entries):
        raise SwitchboardError(f"{path}: a token named '{name}' exists: revoke it first or pick another name")
    token = STAFF_PREFIX + secrets.token_urlsafe(32)
    entries.append({"name": name, "scopes": sorted(set(scopes)), "sha256": digest(token),
                    "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")})
    write_tokens(path, entries)
    return token


def revoke_staff_token(path: Path, name: str) -> bool:
    entries = read_tokens(path)
    kept = [e for e in entries if e["name"] != name]
    if len(kept) == len(entries):
        return False
    write_tokens(path, kept)
    return True


class Auth:
    """The server's credentials: the admin token, the tokens file, and the key that signs
    customers' conversation tokens. `enabled` is False when there is neither an admin token
    nor a tokens file (one that is broken, or whose tokens are all revoked, still locks the
    staff routes: it fails closed)."""

    def __init__(self, admin_token: str | None = None, tokens_file: Path | None = None,
                 secret: bytes | None = None) -> None:
        self.admin_token = admin_token or None
        self.staff = StaffTokens(tokens_file) if tokens_file is not None else None
        self._key = derive(secret or secrets.token_bytes(32), "conversation-token")

    @property
    def enabled(self) -> bool:
        return bool(self.admin_token) or bool(self.staff is not None and self.staff.exists())

    def identify(self, header: str | None) -> Principal | None:
        """The principal an `Authorization` header names, or None (none, or not valid)."""
        scheme, _, given = (header or "").partition(" ")
        given = given.strip()
        if scheme.lower() != "bearer" or not given:
            return None
        if given.startswith("c1."):
            return self._customer(given)
        # bytes: compare_digest refuses non-ASCII str ('Bearer é' is a 401, not a 500)
        if self.admin_token and hmac.compare_digest(given.encode("utf-8", "surrogateescape"),
                                                     self.admin_token.encode("utf-8")):
            return Principal("staff", "admin", frozenset({"admin"}))
        return self.staff.lookup(given) if self.staff is not None else None

    def issue(self, sender: str | None = None, ttl_s: float = CUSTOMER_TTL_S) -> dict:
        """A new conversation for the chat page: its sender id and the token for it."""
        sender = sender or "web-" + secrets.token_hex(12)
        expires = int(time.time() + ttl_s)
        name = base64.urlsafe_b64encode(sender.encode("utf-8")).rstrip(b"=").decode("ascii")
        return {"sender": sender, "token": f"c1.{name}.{expires}.{self._mac(sender, expires)}",
                "expires_at": expires}

    def _mac(self, sender: str, expires: int) -> str:
        mac = hmac.new(self._key, f"{sender}\n{expires}".encode("utf-8"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")

    def _customer(self, token: str) -> Principal | None:
        parts = token.split(".")
        if len(parts) != 4 or not parts[2].isdigit():
            return None
        _, name, expires, mac = parts
        try:
            sender = base64.urlsafe_b64decode(name + "=" * (-len(name) % 4)).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
        if not hmac.compare_digest(mac.encode("utf-8", "surrogateescape"),
                                   self._mac(sender, int(expires)).encode("ascii")):
            return None
        if int(expires) < time.time():
            return None
        return Principal("customer", sender, frozenset(), sender)
