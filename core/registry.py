"""`Registry`: one per plug-point (NLU components, dialogue policies, channels), filled
explicitly by the module that owns the plug-point — never by import side effects of
arbitrary modules, so what is registered does not depend on import order.

    POLICIES = Registry("policy")
    POLICIES.register("RulePolicy", RulePolicy)
    POLICIES.register_rasa("TEDPolicy", "MLPolicy")          # a Rasa name we map
    POLICIES.register_rasa("UnexpecTEDIntentPolicy", None,   # a Rasa name we cannot run yet
                           "it flags unlikely intents; nothing here does that yet")
    entry = POLICIES.lookup("RulePolicy", project_root)       # or "my_module.MyPolicy"

A name with a dot is a project's own class, imported from the project folder
(`core.imports.import_project_class`), so a project can plug in what it needs.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class RasaName:
    """A Rasa component/policy name: `target` is ours that does its job (None: nothing does
    yet, and `note` says what the project loses)."""

    name: str
    target: str | None
    note: str = ""
    carry: tuple[str, ...] = ()  # options that mean the same on ours, carried over


def did_you_mean(name: str, candidates) -> str:
    """' — did you mean 'x'?' for the closest candidate, or ''."""
    from difflib import get_close_matches

    match = get_close_matches(str(name), list(candidates), n=1, cutoff=0.6)
    return f" — did you mean '{match[0]}'?" if match else ""


class UnknownName(LookupError):
    """A name that is neither registered nor a `module.Class`; the message lists the valid ones."""


class Registry(Generic[T]):
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}
        self._rasa: dict[str, RasaName] = {}

    def register(self, name: str, entry: T) -> T:
        if name in self._entries:
            raise ValueError(f"{self.kind} '{name}' is registered twice")
        self._entries[name] = entry
        return entry

    def register_rasa(self, name: str, target: str | None, note: str = "",
                      carry: tuple[str, ...] = ()) -> None:
        if target is not None and target not in self._entries:
            raise ValueError(f"Rasa {self.kind} '{name}' maps to unregistered '{target}'")
        self._rasa[name] = RasaName(name, target, note, carry)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._entries)

    def rasa(self, name: str) -> RasaName | None:
        return self._rasa.get(name)

    def get(self, name: str) -> T:
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownName(self.unknown_message(name)) from None

    def __contains__(self, name: str) -> bool:
        return name in self._entries

    def unknown_message(self, name: str) -> str:
        hint = did_you_mean(name, [*self._entries, *self._rasa])
        return (f"unknown {self.kind} '{name}'{hint} (valid: {', '.join(self._entries)}, "
                f"or your own as module.Class)")



# ----- building what a config lists -------------------------------------------------------


@dataclass(frozen=True)
class NoOptions:
    """The options schema of a component that takes none."""


@dataclass(frozen=True)
class Entry:
    """A registered class and the dataclass that is its options schema (its typed fields
    are the options a config may give it, with their defaults)."""

    cls: type
    schema: type = NoOptions
    # Options Rasa's component of the same name takes and ours does not use: accepted with
    # a warning (a Rasa project's config.yml validates unchanged), never silently.
    rasa_options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Resolved:
    """One config entry, resolved: our name, the class, its validated options, the entry."""

    name: str
    cls: type
    options: Any  # an instance of the entry's schema, or a dict for a project's own class
    spec: Any  # project.config.ComponentSpec (duck-typed: core sits below project/)


def resolve(specs: list, registry: Registry[Entry], check: Any, project_root: Path) -> list[Resolved]:
    """Resolve config entries in order; every problem goes to `check` (a FileChecker) with
    the entry's line: unknown names (did-you-mean), Rasa names (mapped: info; not
    available: warning), bad options, project classes that cannot be imported."""
    from core.errors import SwitchboardError

    out: list[Resolved] = []
    for spec in specs:
        name = spec.name
        rasa = registry.rasa(name)
        if rasa is not None and name not in registry:
            if rasa.target is None:
                check.warn(spec.line, f"{spec.key}.name",
                           f"Rasa {registry.kind} '{name}' has no equivalent here yet: {rasa.note}")
                continue
            check.info(spec.line, f"{spec.key}.name", f"Rasa {registry.kind} '{name}' runs as "
                       f"'{rasa.target}'" + (f" ({rasa.note})" if rasa.note else ""))
            entry = registry.get(rasa.target)
            unused = [k for k in spec.options if k not in rasa.carry]
            if unused:
                check.warn(spec.line, f"{spec.key}.name",
                           f"options of Rasa's '{name}' that '{rasa.target}' does not use: "
                           + ", ".join(unused))
            carried = {k: v for k, v in spec.options.items() if k in rasa.carry}
            problems = options_problems(entry.schema, carried)
            for key, message in problems:
                check.error(spec.line_of(key), f"{spec.key}.{key}", message)
            if not problems:
                out.append(Resolved(rasa.target, entry.cls, build_options(entry.schema, carried), spec))
        elif name in registry:
            entry = registry.get(name)
            options = check_options(entry, spec, check)
            if options is not None:
                out.append(Resolved(name, entry.cls, options, spec))
        elif "." in name:
            from core.imports import import_project_class

            try:
                cls = import_project_class(project_root, name)
            except SwitchboardError as exc:
                check.error(spec.line, f"{spec.key}.name", str(exc))
                continue
            out.append(Resolved(name, cls, dict(spec.options), spec))
        else:
            check.error(spec.line, f"{spec.key}.name", registry.unknown_message(name))
    return out


def check_options(entry: Entry, spec: Any, check: Any) -> Any:
    """The entry's options from `spec.options` (its schema's instance), or None after
    reporting every unknown key and bad value at its own line."""
    schema = entry.schema
    options = {k: v for k, v in spec.options.items() if k not in entry.rasa_options}
    for key in spec.options.keys() - options.keys():
        check.warn(spec.line_of(key), f"{spec.key}.{key}",
                   f"Rasa's {spec.name} option, not used by Switchboard's: ignored")
    problems = options_problems(schema, options)
    for key, message in problems:
        check.error(spec.line_of(key), f"{spec.key}.{key}", message)
    if problems:
        return None
    return build_options(schema, options)


def options_problems(schema: type, options: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, message) for unknown keys (with did-you-mean) and values of the wrong type."""
    from dataclasses import fields

    valid = [f.name for f in fields(schema)]
    problems = []
    for key in options:
        if key not in valid:
            hint = did_you_mean(key, valid)
            problems.append((key, f"unknown option{hint} (valid: {', '.join(valid) or 'none'})"))
    if problems:
        return problems
    if hasattr(schema, "from_dict"):  # a schema with its own checks (nlu.config.NLUConfig)
        try:
            schema.from_dict(options)
        except ValueError as exc:
            return list(getattr(exc, "problems", [("", str(exc))]))
        return []
    hints = _hints(schema)
    must = {f.name: f.metadata.get("must") for f in fields(schema)}  # a schema's own wording
    for key, value in options.items():
        wanted = hints.get(key)
        if wanted is not None and not _fits(value, wanted):
            problems.append((key, f"must be {must[key] or _describe(wanted)}, got {value!r}"))
    if not problems and hasattr(schema, "problems"):
        problems = list(schema(**options).problems())
    return problems


def build_options(schema: type, options: dict[str, Any]) -> Any:
    return schema.from_dict(options) if hasattr(schema, "from_dict") else schema(**options)


def _hints(schema: type) -> dict[str, Any]:
    import typing

    return typing.get_type_hints(schema)


def _fits(value: Any, wanted: Any) -> bool:
    import types
    import typing

    options = typing.get_args(wanted) if isinstance(wanted, types.UnionType) or \
        typing.get_origin(wanted) is typing.Union else (wanted,)
    for kind in options:
        if kind is type(None) and value is None:
            return True
        if kind is float and isinstance(value, (int, float)) and not isinstance(value, bool):
            return True
        if kind is int and isinstance(value, int) and not isinstance(value, bool):
            return True
        if kind in (bool, str) and isinstance(value, kind):
            return True
        if kind is Any:
            return True
    return False


def _describe(wanted: Any) -> str:
    import typing

    names = {float: "a number", int: "a whole number", bool: "true or false", str: "a string",
             type(None): "empty"}
    kinds = typing.get_args(wanted) or (wanted,)
    return " or ".join(names.get(k, getattr(k, "__name__", str(k))) for k in kinds)
