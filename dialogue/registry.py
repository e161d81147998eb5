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
"""
from __future__ import annotations

import importlib.util
import sys
import traceback
from pathlib import Path
from typing import Any, Callable

from core.domain import Domain
from core.errors import SwitchboardError
from core.events import BotUttered, Event
from core.tracker import Tracker

ActionFn = Callable[[Tracker, Domain], list[Event]]
ValidatorFn = Callable[[Any, Tracker, Domain], Any]

ACTIONS: dict[str, ActionFn] = {}
VALIDATORS: dict[str, ValidatorFn] = {}


def action(name: str) -> Callable[[ActionFn], ActionFn]:
    def register(fn: ActionFn) -> ActionFn:
        ACTIONS[name] = fn
        return fn
    return register


def validator(slot: str) -> Callable[[ValidatorFn], ValidatorFn]:
    def register(fn: ValidatorFn) -> ValidatorFn:
        VALIDATORS[slot] = fn
        return fn
    return register


def say(text: str, buttons: tuple[tuple[str, str], ...] = ()) -> BotUttered:
    """A bot message with this exact text."""
    return BotUttered(text=text, buttons=tuple(buttons))


def utter(domain: Domain, tracker: Tracker, response: str, **values: Any) -> BotUttered:
    """The domain's response `response`, filled from the tracker's slots and `values`."""
    from responses.templates import render_event

    return render_event(domain, response, {**tracker.slots, **values})


class ActionsLoadError(SwitchboardError):
    pass


def load_project_actions(project: Path) -> list[str]:
    """Import the project's `actions.py` or `actions/` package; returns the names it registered.

    An exception while importing is reported as the file and line where it happened.
    """
    candidates = [project / "actions" / "__init__.py", project / "actions.py"]
    path = next((c for c in candidates if c.exists()), None)
    if path is None:
        return []
    before = set(ACTIONS)
    module_name = f"_switchboard_actions_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(
        module_name, path, submodule_search_locations=[str(path.parent)] if path.name == "__init__.py" else None)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - user code: report where it broke
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{frame.filename}:{frame.lineno}"
        raise ActionsLoadError(
            f"{where}: loading custom actions failed: {type(exc).__name__}: {exc}") from None
    return sorted(set(ACTIONS) - before) or sorted(ACTIONS)


def unregistered_actions(domain: Domain, project: Path) -> list:
    """Warnings for custom actions declared in domain.yml that no code in actions/ registers."""
    from core.domain import DEFAULT_ACTIONS
    from core.errors import Problem

    load_project_actions(project)
    problems = []
    for name in domain.actions:
        if name in DEFAULT_ACTIONS or name in ACTIONS or name in domain.forms:
            continue
        where = domain.declared_at("action", name)
        problems.append(Problem(where.file if where else "domain.yml", where.line if where else 0,
                                "actions", f"'{name}' is not registered in actions/ "
                                "(@action(\"" + name + "\")); the bot will skip it", "warning"))
    return problems
