"""Read credentials.yml as Rasa writes it: which channels to serve, and their secrets.

    rest:                          # empty: the REST channel needs nothing
    slack:
      slack_token: "${SLACK_TOKEN}"          # ${NAME}: from the environment, as in Rasa
      slack_signing_secret: "${SLACK_SIGNING_SECRET}"
    addons.my_channel.MyInput:     # a project's own connector (module.Class)
      url: "https://…"

Top-level keys are channel names (`channels.registry`). Every mistake is reported with
its place, `credentials.yml:LINE: slack.slack_token: what is wrong`, and all of them at
once: an unknown channel or key (with a did-you-mean), a wrong type, a missing required
key, an unset environment variable, a project connector that does not import. A channel
Rasa has and Switchboard does not yet (telegram, socketio, …) is a warning naming it, and
so is a key Rasa's channel reads that ours does not use: the server starts without them.

`rest` is always served, listed or not: the web chat page and the HTTP API's clients
talk to it, and the credentials.yml `rasa init` writes always lists it. A file
that leaves it out gets a warning saying so, because Rasa would not serve it then (protect
the server with a bearer token, `cli.py run --token`). With no credentials.yml at all,
only `rest` is served, as before channels were configurable.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from channels.base import CredentialError, InputChannel
from channels.registry import CHANNELS, channel_class
from channels.rest import RestInput
from core.env import expand_env
from core.errors import Problem, ProjectInvalid
from core.imports import ProjectCodeError
from core.registry import UnknownName
from project.checks import FileChecker, did_you_mean
from project.yaml_loader import YDict, display_path, load_yaml

CREDENTIALS = "credentials.yml"


@dataclass(frozen=True)
class Channels:
    """What credentials.yml configures: the channels, and the warnings to show."""

    channels: list[InputChannel] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def load_channels(project: Path, credentials: str | Path | None = None) -> Channels:
    """The channels `credentials` (default: PROJECT/credentials.yml, if there is one)
    configures; `server.app.create_app` adds `rest` when they leave it out. Any error
    raises `ProjectInvalid` listing every problem, warnings included."""
    path = Path(credentials) if credentials else Path(project) / CREDENTIALS
    if not credentials and not path.exists():
        return Channels()
    channels, problems = read_credentials(path, Path(project))
    if any(p.severity == "error" for p in problems):
        raise ProjectInvalid(problems)
    return Channels(channels, problems)


def read_credentials(path: Path, project: Path, *, unset_env: str = "error"
                     ) -> tuple[list[InputChannel], list[Problem]]:
    """Every channel the file configures correctly, and every problem in it. `unset_env`:
    how a `${NAME}` whose variable is not set here counts ("error", or "warning" where the
    secrets are not needed, as in `validate`); that channel is not built either way."""
    data, problems = load_yaml(path)
    check = FileChecker(display_path(path))
    check.problems += problems
    if data is None:
        return [], check.problems
    top = check.mapping(data, 1, "")
    channels: list[InputChannel] = []
    for key, section in top.items():
        line = top.line_of(key)
        cls = _channel_class(key, project, check, line)
        if cls is None:
            continue
        values = _values(cls, section, line, key, check, unset_env)
        if values is None:
            continue
        channel = _build(cls, values, section, line, key, check)
        if channel is None:
            continue
        taken = next((c for c in channels if c.name == channel.name), None)
        if taken is not None:
            check.error(line, key, f"its name '{channel.name}' is already taken by "
                        f"{type(taken).__name__}; a channel's name must be its own")
            continue
        channels.append(channel)
    if isinstance(data, dict) and RestInput.name not in top:
        check.warn(top.line, RestInput.name, "not listed, but Switchboard serves the REST channel "
                   "anyway (the web chat page and the HTTP API use it); Rasa would not — "
                   "protect the server with a bearer token (cli.py run --token)")
    return channels, sorted(check.problems, key=lambda p: p.line)


def _channel_class(key: str, project: Path, check: FileChecker,
                   line: int) -> type[InputChannel] | None:
    try:
        return channel_class(key, project)
    except UnknownName as exc:
        rasa = CHANNELS.rasa(key)
        if rasa is not None:
            check.warn(line, key, f"Rasa's '{key}' channel ({rasa.note}) is not available in "
                       f"Switchboard yet; it is not served (available: {', '.join(CHANNELS.names)}, "
                       "or your own connector as module.Class)")
        else:
            check.error(line, key, str(exc))
    except ProjectCodeError as exc:
        check.error(line, key, f"cannot load this connector: {exc}")
    return None


def _values(cls: type[InputChannel], section: Any, line: int, key: str,
            check: FileChecker, unset_env: str = "error") -> dict[str, Any] | None:
    """The section's values checked against the channel's settings, defaults filled in
    (None if anything is wrong; the problems are recorded)."""
    before = len(check.problems)
    unset = False  # a secret from an environment variable that is not set
    mapping = check.mapping(section, line, key)
    check.known_keys(mapping, [s.name for s in cls.settings], key, foreign=cls.unused)
    values: dict[str, Any] = {}
    for setting in cls.settings:
        where = f"{key}.{setting.name}"
        if setting.name not in mapping or mapping[setting.name] is None:
            if setting.required:
                help_text = f": {setting.help}" if setting.help else ""
                check.error(mapping.line_of(setting.name) if setting.name in mapping else line,
                            where, f"missing (required){help_text}")
            values[setting.name] = setting.default
            continue
        value = mapping[setting.name]
        value_line = mapping.line_of(setting.name)
        if isinstance(value, str):
            value = _expand(value, value_line, where, check, unset_env)
            unset |= value is None
        if value is None or not check.expect(value, setting.kind, value_line, where):
            continue
        if setting.choices and value not in setting.choices:
            check.error(value_line, where, f"'{value}' is not one of {', '.join(setting.choices)}"
                        + did_you_mean(value, setting.choices))
            continue
        values[setting.name] = value
    failed = unset or any(p.severity == "error" for p in check.problems[before:])
    return None if failed else values


def _expand(value: str, line: int, where: str, check: FileChecker,
            unset_env: str = "error") -> str | None:
    """`${NAME}` replaced by the environment variable NAME (None, after recording the
    problem as `unset_env` says, if one is not set)."""
    expanded, missing = expand_env(value)
    if missing:
        message = f"environment variable {', '.join(missing)} is not set"
        if unset_env == "warning":
            check.warn(line, where, message + " (needed by `cli.py run`)")
        else:
            check.error(line, where, message)
        return None
    return expanded


def _build(cls: type[InputChannel], values: dict[str, Any], section: Any, line: int, key: str,
           check: FileChecker) -> InputChannel | None:
    try:
        return cls.from_credentials(values)
    except CredentialError as exc:
        known = isinstance(section, YDict) and exc.key in section
        check.error(section.line_of(exc.key) if known else line, f"{key}.{exc.key}", str(exc))
    except Exception as exc:  # noqa: BLE001 - a project's own connector: report, don't crash
        if "." not in key:  # one of ours: a bug, not a mistake in the file
            raise
        check.error(line, key, f"building the connector failed: {type(exc).__name__}: {exc}")
    return None
