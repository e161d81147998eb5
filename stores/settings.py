"""Which stores to open, decided before anything is connected to.

`StoreSettings` comes from an explicit URL (`from_url`: `--store`, `SWITCHBOARD_STORE`) or
from the project's endpoints.yml (`stores.endpoints`); `stores.factory` opens it. Keeping
the decision apart from the connection lets `cli.py run` report a bad endpoints.yml before
it starts serving, and every worker open exactly what was reported.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from core.errors import Problem, SwitchboardError

KINDS = ("sqlite", "redis", "postgresql", "memory")
URL_FORMS = ("a SQLite file (a path or sqlite:///FILE), redis://HOST:PORT/DB, "
             "postgresql://USER@HOST:PORT/DB or memory://")


@dataclass(frozen=True)
class StoreSettings:
    """`kind` is one of KINDS; `target` the SQLite file, Redis URL or PostgreSQL DSN ("" in
    memory); `source` where the choice was made ("" for an explicit URL, "endpoints.yml:3",
    "default"). A Redis `lock_url` locks turns there instead of in the tracker store (an
    endpoints.yml `lock_store`). `warnings` are endpoints.yml's, to show the user."""

    kind: str
    target: str
    source: str = ""
    key_prefix: str = ""
    lock_url: str | None = None
    lock_key_prefix: str = ""
    warnings: tuple[Problem, ...] = ()

    def describe(self) -> str:
        """Where conversations and handoff tickets go, passwords hidden, e.g.
        "Redis redis://:***@cache:6379/0 (key prefix bot; from endpoints.yml:2)"."""
        where = {"sqlite": f"SQLite {self.target}", "redis": f"Redis {masked(self.target)}",
                 "postgresql": f"PostgreSQL {masked(self.target)}",
                 "memory": "memory (lost when the process ends)"}[self.kind]
        notes = [f"key prefix {self.key_prefix}"] if self.key_prefix else []
        if self.lock_url:
            notes.append(f"turns locked in Redis {masked(self.lock_url)}")
        if self.source:
            notes.append(self.source if self.source == "default" else f"from {self.source}")
        return f"{where} ({'; '.join(notes)})" if notes else where


def masked(url: str) -> str:
    """`url` with its password, if any, replaced by ***."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.rpartition("@")
    user = netloc[0].partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[2]}"))


def from_url(url: str, source: str = "") -> StoreSettings:
    """Settings for one URL: a file path or sqlite:///FILE (sqlite:////ABSOLUTE), redis:// or
    rediss://, postgresql:// or postgres:// (a SQLAlchemy `+driver` is dropped), memory://."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return StoreSettings("sqlite", url, source)
    base = scheme.lower().split("+")[0]
    if base == "sqlite" and rest.startswith("/") and len(rest) > 1:
        return StoreSettings("sqlite", rest[1:], source)
    if base in ("redis", "rediss"):
        return StoreSettings("redis", url, source)
    if base in ("postgresql", "postgres"):
        return StoreSettings("postgresql", f"postgresql://{rest}", source)
    if base == "memory":
        return StoreSettings("memory", "", source)
    where = f" ({source})" if source else ""
    raise SwitchboardError(f"unsupported store URL '{masked(url)}'{where}: use {URL_FORMS}")
