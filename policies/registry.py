"""The dialogue policies config.yml's `policies:` can name, and what Rasa's names become.

Each of ours is a class with a typed options dataclass (its schema: unknown keys and bad
values are file:line errors) and a `priority` option (higher wins in `core.prediction.choose`).
A project's own `module.Class` must offer the same interface as ours:

    class MyPolicy:
        name = "my_policy"          # shown in `shell --debug`, stored on each ActionExecuted
        priority = 2
        def train(self, data: PolicyData, domain) -> dict: ...     # stats, may be {}
        def predict(self, tracker, domain, rejected: frozenset[str]) -> Prediction | None: ...

It is built as `MyPolicy(**options)` (its `priority` option, if given, overrides). An empty
`policies:` means `DEFAULT_POLICIES`, as in Rasa.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.errors import SwitchboardError
from core.registry import Entry, Registry, Resolved, resolve
from core.training_data import Story
from project.config import listed_or_default


@dataclass(frozen=True)
class PolicyData:
    """What policies train on."""

    stories: list[Story]
    rules: list[Story]


@dataclass(frozen=True)
class RuleOptions:
    # Below this confidence no policy's prediction is acted on: the bot asks to rephrase.
    core_fallback_threshold: float = 0.3
    core_fallback_action_name: str = "action_default_fallback"
    enable_fallback_prediction: bool = True
    restrict_rules: bool = True  # Rasa's rule checks at training time: accepted, not run here
    check_for_contradictions: bool = True  # idem
    priority: int = 6

    def problems(self) -> list[tuple[str, str]]:
        if not 0 <= self.core_fallback_threshold <= 1:
            return [("core_fallback_threshold", "must be a number between 0 and 1")]
        return []


WHOLE_CONVERSATION = 1000  # `max_history: null` (Rasa: the whole conversation), in turns


@dataclass(frozen=True)
class MemoizationOptions:
    max_history: int | None = 5  # null: the whole conversation, as in Rasa
    priority: int = 3

    def problems(self) -> list[tuple[str, str]]:
        ok = self.max_history is None or self.max_history >= 1
        return [] if ok else [("max_history", "must be >= 1, or null for the whole conversation")]


@dataclass(frozen=True)
class MLOptions:
    max_history: int = 5  # states the policy looks at: the state now and those before it
    epochs: int = 1000  # at most this many passes over the training examples
    hidden: int = 64  # units of the hidden layer
    augmentation_factor: int = 50  # x 10 conversations glued from two stories (0: none)
    priority: int = 1

    def problems(self) -> list[tuple[str, str]]:
        found = [(k, "must be >= 1") for k in ("max_history", "epochs", "hidden")
                 if getattr(self, k) < 1]
        if self.augmentation_factor < 0:
            found.append(("augmentation_factor", "must be >= 0 (0: no glued stories)"))
        return found


def _registry() -> Registry[Entry]:
    from policies.memoization import MemoizationPolicy
    from policies.ml import MLPolicy
    from policies.rules import RulePolicy

    registry: Registry[Entry] = Registry("policy")
    registry.register("RulePolicy", Entry(RulePolicy, RuleOptions))
    registry.register("MemoizationPolicy", Entry(
        MemoizationPolicy, MemoizationOptions,
        rasa_options=("enable_feature_string_compression", "use_nlu_confidence_as_score")))
    registry.register("MLPolicy", Entry(MLPolicy, MLOptions))
    registry.register_rasa("TEDPolicy", "MLPolicy", "an MLP over the last turns' features",
                           carry=("max_history", "epochs", "augmentation_factor"))
    registry.register_rasa("AugmentedMemoizationPolicy", "MemoizationPolicy",
                           "remembers story turns", carry=("max_history",))
    registry.register_rasa("UnexpecTEDIntentPolicy", None,
                           "nothing flags unlikely intents (action_unlikely_intent is never predicted)")
    return registry


POLICIES = _registry()
DEFAULT_POLICIES = (("RulePolicy", {}), ("MemoizationPolicy", {}), ("MLPolicy", {"max_history": 5}))
UNUSED_RULE_OPTIONS = ("restrict_rules", "check_for_contradictions")


def resolve_policies(config, project_root: Path, check) -> list[Resolved]:
    specs = listed_or_default(config.policies, "policies", DEFAULT_POLICIES, check)
    resolved = resolve(specs, POLICIES, check, project_root)
    seen: dict[str, int] = {}
    for item in resolved:
        if item.name in seen:
            check.error(item.spec.line, f"{item.spec.key}.name",
                        f"'{item.name}' is listed twice (first at line {seen[item.name]})")
        seen.setdefault(item.name, item.spec.line)
        for option in UNUSED_RULE_OPTIONS:
            if item.name == "RulePolicy" and option in item.spec.options:
                check.warn(item.spec.line_of(option), f"{item.spec.key}.{option}",
                           "accepted for Rasa compatibility; Switchboard does not run this "
                           "training-time check, so it changes nothing")
    return resolved


class PolicyBuildError(SwitchboardError):
    """A project's own policy class could not be built from its config entry."""


def build_policy(item: Resolved):
    """A policy instance from its resolved entry; a project class that cannot be built
    from its options is a `PolicyBuildError` naming config.yml's file:line and key."""
    if item.cls.__module__.startswith("policies."):
        return item.cls.from_options(item.options)
    options = dict(item.options)
    priority = options.pop("priority", None)
    spec = item.spec
    where = f"{spec.source.file}:{spec.line}: {spec.key}" if spec.source else spec.key
    if priority is not None and (isinstance(priority, bool) or not isinstance(priority, int)):
        raise PolicyBuildError(f"{where}.priority: must be a whole number, got {priority!r}")
    try:
        policy = item.cls(**options)
    except Exception as exc:  # noqa: BLE001 - the project's code: report where its config is
        raise PolicyBuildError(f"{where}: could not build {item.name}: "
                               f"{type(exc).__name__}: {exc}") from None
    if priority is not None:
        policy.priority = priority
    for attr in ("name", "priority", "train", "predict"):
        if not hasattr(policy, attr):
            raise PolicyBuildError(f"{where}: {item.name} has no '{attr}' (see policies/registry.py)")
    return policy
