"""The project's endpoints.yml, as Rasa writes it: which tracker store and lock store to use.

    tracker_store:               lock_store:
      type: redis                  type: redis        # or in_memory
      url: localhost               url: localhost
      port: 6379                   port: 6379
      db: 0                        db: 1
      password: ${REDIS_PASSWORD}  key_prefix: bot
      use_ssl: false
      key_prefix: bot

`type: SQL` takes `dialect` (postgresql or sqlite, Rasa's default), `url` (the host, or a
whole database URL), `port`, `db` (the database name, or the SQLite file relative to the
project), `username`, `password` and `query` (connection parameters); `type: in_memory`
keeps conversations in the process. `${NAME}` in a value is read from the environment, as
Rasa does. A Redis lock store locks turns in Redis whatever the tracker store; an in_memory
one changes nothing (every tracker store's own lock already serialises turns within one
process). Without endpoints.yml, or without a tracker_store in it, conversations stay in
the default SQLite file.

Every mistake is a `Problem` at `endpoints.yml:LINE: tracker_store.KEY`; errors raise
`ProjectInvalid`, warnings (unknown keys, Rasa settings and sections Switchboard does not use
yet) come back in `StoreSettings.warnings`.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from core.env import expand_env
from core.errors import ProjectInvalid
from project.checks import FileChecker, describe, did_you_mean
from project.loader import state_path
from project.yaml_loader import YDict, display_path, line_of, load_yaml
from stores.settings import StoreSettings, from_url

ENDPOINTS = "endpoints.yml"
STORE_SECTIONS = ("tracker_store", "lock_store")
READ_ELSEWHERE = ("action_endpoint",)  # dialogue.action_server reads it
NOT_USED = {
    "nlg": "not used yet: responses come from domain.yml, no NLG server is called",
    "event_broker": "not used yet: conversation events are not published anywhere",
    "models": "not used yet: models are read from the --models folder, not fetched from a server",
}
REDIS_KEYS = ("type", "url", "port", "db", "username", "password", "use_ssl", "key_prefix")
REDIS_NOT_USED = {
    "record_exp": "not supported yet: stored conversations never expire",
    "socket_timeout": "not supported yet: the Redis client's default timeout is used",
    **{key: "not supported yet: use_ssl verifies the server with the system's certificates"
       for key in ("ssl_keyfile", "ssl_certfile", "ssl_ca_certs")},
}
SQL_KEYS = ("type", "dialect", "url", "port", "db", "username", "password", "query")
SQL_NOT_USED = {"login_db": "not supported yet: Switchboard connects to `db` directly, "
                            "so create that database first"}
TRACKER_TYPES = ("redis", "sql", "in_memory")
LOCK_TYPES = ("redis", "in_memory")


def from_endpoints(project_root: Path) -> StoreSettings:
    """The stores endpoints.yml asks for, or the default SQLite file."""
    root = Path(project_root)
    default = StoreSettings("sqlite", str(state_path(root, "conversations.sqlite")), "default")
    path = root / ENDPOINTS
    if not path.is_file() or _only_comments(path):  # `rasa init` writes one of comments only
        return default
    value, problems = load_yaml(path)
    check = FileChecker(display_path(path))
    check.problems.extend(problems)
    settings = default if value is None else _read(check, check.mapping(value, 1, ""), root, default)
    if any(p.severity == "error" for p in check.problems):
        raise ProjectInvalid(check.problems)
    return replace(settings, warnings=tuple(check.problems))


def _read(check: FileChecker, top: YDict, root: Path, default: StoreSettings) -> StoreSettings:
    """What the store sections of `top` (the whole file) select; every other section warns."""
    for key in top:
        if key in READ_ELSEWHERE:
            continue
        if key in NOT_USED:
            check.warn(top.line_of(key), key, NOT_USED[key])
        elif key not in STORE_SECTIONS:
            check.warn(top.line_of(key), key, f"unknown section{did_you_mean(key, [*STORE_SECTIONS, *READ_ELSEWHERE, *NOT_USED])}"
                       f"; ignored (Switchboard reads {' and '.join(STORE_SECTIONS)})")
    settings = default
    if top.get("tracker_store") is not None:
        settings = Section(check, "tracker_store", top, root).tracker_store() or default
    if top.get("lock_store") is not None:
        lock = Section(check, "lock_store", top, root).lock_store()
        if lock is not None:
            settings = replace(settings, lock_url=lock[0], lock_key_prefix=lock[1])
    return settings


def _only_comments(path: Path) -> bool:
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return False  # load_yaml says why it cannot be read
    return all(not line.strip() or line.strip().startswith("#") for line in text.splitlines())


class Section:
    """One store section: its values typed and `${NAME}`-expanded, every problem recorded at
    its line as `section.key`."""

    def __init__(self, check: FileChecker, name: str, top: YDict, project_root: Path):
        self.check, self.name, self.root = check, name, project_root
        self.line = top.line_of(name)
        self.values = check.mapping(top[name], self.line, name)
        self.source = f"{check.file}:{self.line}"

    def _at(self, key: str) -> tuple[int, str]:
        """(line, `section.key`); a missing key is reported at the section's line."""
        return self.values.key_lines.get(key, self.line), f"{self.name}.{key}"

    def _expanded(self, key: str, value: Any) -> Any:
        """`value` with `${NAME}` read from the environment (None, recorded, if one is unset)."""
        if not isinstance(value, str) or "${" not in value:
            return value
        expanded, missing = expand_env(value)
        if missing:
            names = ", ".join(missing)
            self.check.error(line_of(value, self._at(key)[0]), self._at(key)[1],
                             f"environment variable {names} is not set (endpoints.yml reads "
                             "${NAME} from the environment)")
            return None
        return expanded

    def _wrong(self, key: str, value: Any, wanted: str) -> None:
        line, path = self._at(key)
        self.check.error(line_of(value, line), path, f"expected {wanted}, got {describe(value)}")

    def text(self, key: str) -> str | None:
        """A string value; numbers are read as their digits (a password `1234`)."""
        value = self._expanded(key, self.values.get(key))
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self._wrong(key, value, "a string")
            return None
        return str(value)

    def integer(self, key: str, default: int | None) -> int | None:
        value = self._expanded(key, self.values.get(key))
        if value is None or value == "":
            return default
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
        self._wrong(key, value, "a whole number")
        return default

    def flag(self, key: str, default: bool) -> bool:
        value = self._expanded(key, self.values.get(key))
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        self._wrong(key, value, "true or false")
        return default

    def parameters(self, key: str) -> dict[str, str]:
        """A mapping of names to scalar values (SQL `query`)."""
        value = self.values.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self._wrong(key, value, "a mapping (key: value)")
            return {}
        found = {name: self._expanded(key, item) for name, item in value.items()}
        return {str(name): str(item) for name, item in found.items() if item is not None}

    def known(self, keys: tuple[str, ...], not_used: dict[str, str]) -> None:
        """Warn about keys Switchboard does not read: Rasa's it does not support yet, and
        unknown ones (with the closest valid key)."""
        for key in self.values:
            if key in keys:
                continue
            line, path = self._at(key)
            if key in not_used:
                self.check.warn(line, path, f"{not_used[key]}; ignored")
            else:
                self.check.warn(line, path, f"unknown key{did_you_mean(key, keys)}; ignored "
                                f"(valid keys here: {', '.join(keys)})")

    def kind(self, types: tuple[str, ...], what: str) -> str | None:
        """The section's `type`, lowercased as Rasa does; None (recorded) when unusable."""
        kind = self.text("type")
        line, path = self._at("type")
        valid = ", ".join("SQL" if t == "sql" else t for t in types)
        if kind is None:
            self.check.error(line, path, f"missing: use {valid}")
        elif "." in kind:
            self.check.error(line, path, f"custom {what} classes are not supported yet ('{kind}'); "
                             f"use {valid}")
        elif kind.lower() not in types:
            self.check.error(line, path, f"unknown {what} type '{kind}'{did_you_mean(kind.lower(), types)} "
                             f"(Switchboard supports {valid})")
        else:
            return kind.lower()
        return None

    def tracker_store(self) -> StoreSettings | None:
        kind = self.kind(TRACKER_TYPES, "tracker store")
        if kind == "redis":
            self.known(REDIS_KEYS, REDIS_NOT_USED)
            url, prefix = self.redis()
            return StoreSettings("redis", url, self.source, key_prefix=prefix)
        if kind == "sql":
            self.known(SQL_KEYS, SQL_NOT_USED)
            return self.sql()
        if kind == "in_memory":
            self.known(("type",), {})
            return StoreSettings("memory", "", self.source)
        return None

    def lock_store(self) -> tuple[str, str] | None:
        """(Redis URL, key prefix) of a Redis lock store; None for in_memory."""
        kind = self.kind(LOCK_TYPES, "lock store")
        if kind == "redis":
            self.known(REDIS_KEYS, REDIS_NOT_USED)
            return self.redis()
        if kind == "in_memory":
            self.known(("type",), {})
        return None

    def redis(self) -> tuple[str, str]:
        """(URL, key prefix); `url` is the host as in Rasa (a whole redis:// URL also works)."""
        prefix = self.text("key_prefix") or ""
        if prefix and not prefix.isalnum():
            line, path = self._at("key_prefix")
            self.check.error(line, path, f"must be letters and digits only (as in Rasa), got '{prefix}'")
        host = self.text("url") or "localhost"
        if "://" in host:
            return host, prefix
        port, db = self.integer("port", 6379), self.integer("db", 0)
        scheme = "rediss" if self.flag("use_ssl", False) else "redis"
        return f"{scheme}://{self.credentials()}{host}:{port}/{db}", prefix

    def credentials(self) -> str:
        """`user:password@` for a URL (each part quoted), or ""."""
        user, password = self.text("username"), self.text("password")
        if user is None and password is None:
            return ""
        secret = f":{quote(password, safe='')}" if password is not None else ""
        return f"{quote(user or '', safe='')}{secret}@"

    def sql(self) -> StoreSettings | None:
        dialect = (self.text("dialect") or "sqlite").lower()
        host = self.text("url")
        if host and "://" in host:  # Rasa: a url with :// is the whole database URL
            return from_url(host, self.source)
        base = dialect.split("+")[0]
        if base == "sqlite":
            path = Path(self.text("db") or "rasa.db")
            return StoreSettings("sqlite", str(path if path.is_absolute() else self.root / path), self.source)
        if base in ("postgresql", "postgres"):
            return self.postgresql(host or "")
        line, path = self._at("dialect")
        self.check.error(line, path, f"dialect '{dialect}' is not supported yet; use postgresql or sqlite")
        return None

    def postgresql(self, host: str) -> StoreSettings | None:
        db, port = self.text("db"), self.integer("port", None)
        query = urlencode(self.parameters("query"))
        if db is None:
            self.check.error(self.line, f"{self.name}.db", "missing: the name of the PostgreSQL database")
            return None
        where = f"{host}:{port}" if port is not None else host
        dsn = f"postgresql://{self.credentials()}{where}/{quote(db, safe='')}" + (f"?{query}" if query else "")
        return StoreSettings("postgresql", dsn, self.source)
