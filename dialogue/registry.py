"""Custom actions and slot validators, registered by name from a project's `actions/`.

    from dialogue.registry import action, validator
    from core.events import SlotSet

    @action("action_check_order_status")
    def check_order_status(tracker, domain):
        ...
        return [say("Order 12345 shipped on 3 May."), SlotSet(slot="order_status", value="shipped")]

    @validator("order_id")
    def order_id_shape(value, tracker, domain):
        return value if ORDER_ID.fullmatch(value) else None   # None: ask again

A custom action receives the tracker and the domain and returns events (`say` and
`utter` build the bot's messages). A validator returns the cleaned value, or None to
reject it: the form then says `utter_invalid_<slot>` if the domain has it and asks again.

The decorators record each function with the module it was defined in; `load_project_actions`
imports the project's `actions` under a module name of the project's own
(`core.imports`) and keeps only what that project's modules registered, so two projects in
one process never see each other's actions, and `from actions import mine` in a project's
`actions/__init__.py` imports its own `actions/mine.py`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from core.domain import Domain
from core.events import BotUttered, Event
from core.imports import import_project_module, project_prefix
from core.tracker import Tracker

ActionFn = Callable[[Tracker, Domain], list[Event]]
ValidatorFn = Callable[[Any, Tracker, Domain], Any]

# (name, function) in the order the decorators ran; filtered per project by module name.
_ACTIONS: list[tuple[str, ActionFn]] = []
_VALIDATORS: list[tuple[str, ValidatorFn]] = []
_FORGETTERS: list[tuple[str, Callable[[str], int]]] = []


def action(name: str) -> Callable[[ActionFn], ActionFn]:
    def register(fn: ActionFn) -> ActionFn:
        _ACTIONS.append((name, fn))
        return fn
    return register


def validator(slot: str) -> Callable[[ValidatorFn], ValidatorFn]:
    def register(fn: ValidatorFn) -> ValidatorFn:
        _VALIDATORS.append((slot, fn))
        return fn
    return register


def forget(fn: Callable[[str], int]) -> Callable[[str], int]:
    """Register `fn(sender_id) -> records removed`: what the project's own code keeps about a
    conversation (a side file, a CRM row) is deleted with it (`cli.py conversations delete`,
    `purge`, the retention sweep)."""
    _FORGETTERS.append((fn.__name__, fn))
    return fn


def say(text: str, buttons: tuple[tuple[str, str], ...] = ()) -> BotUttered:
    """A bot message with this exact text."""
    return BotUttered(text=text, buttons=tuple(buttons))


def utter(domain: Domain, tracker: Tracker, response: str, **values: Any) -> BotUttered:
    """The domain's response `response`, filled from the tracker's slots and `values`."""
    from responses.templates import render_event

    return render_event(domain, response, {**tracker.slots, **values}, None, *tracker.audience)


@dataclass(frozen=True)
class ProjectActions:
    """One project's custom actions (by action name) and slot validators (by slot), and the
    action server (`dialogue.action_server`) that serves the rest, when endpoints.yml has one."""

    actions: dict[str, ActionFn] = field(default_factory=dict)
    validators: dict[str, ValidatorFn] = field(default_factory=dict)
    server: Any = None  # dialogue.action_server.ActionServer
    forgetters: dict[str, Callable[[str], int]] = field(default_factory=dict)

    def forget(self, sender_id: str) -> int:
        """Run every `@forget` function of the project; the records they removed."""
        return sum(int(fn(sender_id) or 0) for fn in self.forgetters.values())

    def served(self, name: str) -> bool:
        """Whether the project itself runs `name` (in process or on its action server)."""
        return name in self.actions or self.server is not None


def action_code(project: Path) -> list[Path]:
    """The project's action code: `actions.py`, or the Python files of `actions/`."""
    project = Path(project)
    if (project / "actions.py").is_file():
        return [project / "actions.py"]
    folder = project / "actions"
    return sorted(folder.rglob("*.py")) if folder.is_dir() else []


def uses_rasa_sdk(project: Path) -> bool:
    """Whether the project's actions are written for Rasa's action server (`rasa_sdk`): they
    run there, not in this process."""
    for path in action_code(project):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if "rasa_sdk" in text:
            return True
    return False


def load_project_actions(project: Path, server: bool = True) -> ProjectActions:
    """Import the project's `actions.py` or `actions/` package and return what it registered,
    with the action server of endpoints.yml (`server=False`: without it). Actions written for
    `rasa_sdk` are not imported: the action server runs them.

    An exception while importing is reported as the file and line where it happened."""
    project = Path(project)
    remote = None
    if server:
        from dialogue.action_server import ActionServer, read_action_endpoint

        endpoint, _ = read_action_endpoint(project)
        remote = ActionServer(endpoint) if endpoint is not None else None
    importable = (project / "actions" / "__init__.py").exists() or (project / "actions.py").exists()
    if not importable or uses_rasa_sdk(project):
        return ProjectActions(server=remote)
    import_project_module(project, "actions")
    prefix = project_prefix(project) + "."

    def own(entries):
        return {name: fn for name, fn in entries if fn.__module__.startswith(prefix)}
    return ProjectActions(own(_ACTIONS), own(_VALIDATORS), remote, own(_FORGETTERS))


def unregistered_actions(domain: Domain, project: Path) -> list:
    """What `validate` says about the project's custom actions: warnings for actions declared
    in domain.yml that nothing runs, endpoints.yml's `action_endpoint` problems, an info line
    for the actions its action server runs, and one for each built-in action the project
    defines itself (the project's own wins, as in Rasa)."""
    from core.domain import DEFAULT_ACTIONS
    from core.errors import Problem, ProjectInvalid
    from dialogue.action_server import read_action_endpoint

    try:
        endpoint, problems = read_action_endpoint(project)
    except ProjectInvalid as exc:
        endpoint, problems = None, list(exc.problems)
    problems = list(problems)
    registered = load_project_actions(project, server=False).actions

    def at(name: str, severity: str, message: str) -> Problem:
        where = domain.declared_at("action", name)
        return Problem(where.file if where else "domain.yml", where.line if where else 0,
                       "actions", message, severity)
    if "action_session_start" in registered or (
            endpoint is not None and "action_session_start" in domain.actions):
        problems.append(at("action_session_start", "info", "'action_session_start' is the project's "
                           "own: it runs at each session start, after the built-in one (slots "
                           "carried over, session_started_metadata set)"))
    for name in domain.actions:
        if name in DEFAULT_ACTIONS and name != "action_session_start" and (
                name in registered or endpoint is not None):
            where = "actions/" if name in registered else "the action server"
            problems.append(at(name, "info", f"'{name}' is the project's own ({where}): it runs "
                               "instead of the built-in one"))
    remote = [n for n in domain.actions
              if n not in DEFAULT_ACTIONS and n not in registered and n not in domain.forms
              and n not in domain.responses]  # `utter_x` listed under actions: the response
    if endpoint is not None:
        if remote:
            problems.append(Problem(endpoint.file, endpoint.line, "action_endpoint",
                                    f"{len(remote)} custom action(s) run on the action server at "
                                    f"{endpoint.url}: {', '.join(remote[:8])}"
                                    + (" …" if len(remote) > 8 else ""), "info"))
        return problems
    sdk = uses_rasa_sdk(project)
    for name in remote:
        if sdk:
            message = (f"'{name}' is written for an action server (actions/ uses rasa_sdk) but "
                       "endpoints.yml has no action_endpoint: start one (python -m rasa_sdk "
                       "--actions actions) and point action_endpoint.url at it")
        else:
            message = (f"'{name}' is not registered in actions/ (@action(\"{name}\"))")
        problems.append(at(name, "warning", message + "; until then the bot apologises that it "
                           "cannot do that"))
    return problems
