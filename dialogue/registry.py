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


def say(text: str, buttons: tuple[tuple[str, str], ...] = ()) -> BotUttered:
    """A bot message with this exact text."""
    return BotUttered(text=text, buttons=tuple(buttons))


def utter(domain: Domain, tracker: Tracker, response: str, **values: Any) -> BotUttered:
    """The domain's response `response`, filled from the tracker's slots and `values`."""
    from responses.templates import render_event

    return render_event(domain, response, {**tracker.slots, **values}, None, *tracker.audience)


@dataclass(frozen=True)
class ProjectActions:
    """One project's custom actions (by action name) and slot validators (by slot)."""

    actions: dict[str, ActionFn] = field(default_factory=dict)
    validators: dict[str, ValidatorFn] = field(default_factory=dict)


def load_project_actions(project: Path) -> ProjectActions:
    """Import the project's `actions.py` or `actions/` package and return what it registered.

    An exception while importing is reported as the file and line where it happened."""
    project = Path(project)
    if not ((project / "actions" / "__init__.py").exists() or (project / "actions.py").exists()):
        return ProjectActions()
    import_project_module(project, "actions")
    prefix = project_prefix(project) + "."

    def own(entries):
        return {name: fn for name, fn in entries if fn.__module__.startswith(prefix)}
    return ProjectActions(own(_ACTIONS), own(_VALIDATORS))


def unregistered_actions(domain: Domain, project: Path) -> list:
    """Warnings for custom actions declared in domain.yml that no code in actions/ registers
    (and an info line when the project has its own `action_session_start`)."""
    from core.domain import DEFAULT_ACTIONS
    from core.errors import Problem

    registered = load_project_actions(project).actions
    problems = []
    if "action_session_start" in registered:
        where = domain.declared_at("action", "action_session_start")
        problems.append(Problem(where.file if where else "domain.yml", where.line if where else 0,
                                "actions", "'action_session_start' is the project's own: it runs at "
                                "each session start, after the built-in one (slots carried over, "
                                "session_started_metadata set)", "info"))
    for name in domain.actions:
        if name in DEFAULT_ACTIONS or name in registered or name in domain.forms:
            continue
        where = domain.declared_at("action", name)
        problems.append(Problem(where.file if where else "domain.yml", where.line if where else 0,
                                "actions", f"'{name}' is not registered in actions/ "
                                "(@action(\"" + name + "\")); the bot will skip it", "warning"))
    return problems
