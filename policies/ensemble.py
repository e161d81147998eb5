"""The policies a project's config lists, trained and saved together, asked together.

Saved as `models/dialogue/` (a pickle of the trained policies plus `metadata.json` with
the format version and the fingerprint of what they were trained on: stories, rules, the
policy config and the domain's names, never response texts). A project's own policy
classes are imported (by `policies.registry`) before the pickle is read.
"""
from __future__ import annotations

import hashlib
import json
import pickle
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from core.artifact_meta import is_up_to_date, read_meta
from core.domain import Domain
from core.errors import SwitchboardError
from core.story_graph import rule_variants, stitch_checkpoints
from core.prediction import Prediction
from core.registry import Resolved
from core.tracker import Tracker
from policies.registry import PolicyData, RuleOptions, build_policy
from project.loader import Project

FORMAT_VERSION = 4  # 3: rule slot checks read for the domain; 4: the ML policy's features and augmentation


class DialogueModelError(SwitchboardError):
    pass


def _code_version() -> str:
    """The policies' own source: a new Switchboard version retrains the policies (seconds)."""
    files = sorted(Path(__file__).parent.glob("*.py"))
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()


def _policy_config(project: Project) -> str:
    """The policies as configured (names and options, not where they were written), plus
    the source of a project's own policy classes: editing one retrains."""
    from core.imports import project_source

    parts = [repr((spec.name, sorted(spec.options.items(), key=str))) for spec in project.config.policies]
    parts += [project_source(project.root, spec.name.rpartition(".")[0])
              for spec in project.config.policies if "." in spec.name]
    return "\n".join(parts)


def dialogue_fingerprint(project: Project) -> str:
    domain = project.domain
    parts = [_code_version(),
        repr(project.data.stories), repr(project.data.rules), _policy_config(project),
        repr(sorted(domain.intents)), repr(sorted(domain.entities)), repr(domain.actions),
        repr(sorted(domain.responses)), repr(domain.forms), repr(domain.slots), repr(domain.handoff),
        str(FORMAT_VERSION),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@dataclass
class PolicyEnsemble:
    """The configured policies, in the order config.yml lists them, and the core fallback
    settings (RulePolicy's options; Rasa's defaults when RulePolicy is not listed)."""

    policies: list = field(default_factory=list)
    fallback: RuleOptions = field(default_factory=RuleOptions)
    fingerprint: str = ""
    stats: dict = field(default_factory=dict)

    @property
    def core_threshold(self) -> float:
        return self.fallback.core_fallback_threshold

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.policies]

    @classmethod
    def train(cls, project: Project, resolved: list[Resolved] | None = None,
              fingerprint: str | None = None) -> "PolicyEnsemble":
        """Build and train every listed policy (`resolved`: from `policies.registry.
        resolve_policies`; None resolves the project's config, raising on problems)."""
        if resolved is None:
            resolved = resolve_or_raise(project)
        started = time.perf_counter()
        data = PolicyData(stitch_checkpoints(project.data.stories), rule_variants(project.data.rules))
        policies = [build_policy(item) for item in resolved]
        stats: dict = {"rules": len(data.rules), "stories": len(data.stories)}
        for policy in policies:
            stats.update(policy.train(data, project.domain) or {})
        fallback = next((r.options for r in resolved if r.name == "RulePolicy"), RuleOptions())
        stats["seconds"] = round(time.perf_counter() - started, 2)
        stats["policies"] = [p.name for p in policies]
        return cls(policies, fallback, fingerprint or dialogue_fingerprint(project), stats)

    def predictions(self, tracker: Tracker, domain: Domain,
                    rejected: frozenset[str] = frozenset()) -> list[Prediction]:
        """Every configured policy's prediction (with the policy's priority)."""
        found = []
        for policy in self.policies:
            prediction = policy.predict(tracker, domain, rejected)
            if prediction is not None:
                found.append(replace(prediction, priority=policy.priority))
        return found

    # ----- persistence --------------------------------------------------------------------

    def save(self, target: Path) -> None:
        target.mkdir(parents=True, exist_ok=True)
        tmp = target / "policies.pkl.tmp"
        tmp.write_bytes(pickle.dumps(self))
        tmp.replace(target / "policies.pkl")
        (target / "metadata.json").write_text(json.dumps(
            {"format_version": FORMAT_VERSION, "fingerprint": self.fingerprint, "stats": self.stats},
            indent=2))

    @classmethod
    def load(cls, target: Path, project_root: Path | None = None) -> "PolicyEnsemble":
        """Read `models/dialogue`. A project's own policy classes are imported from
        `project_root`, wherever the project was when it was trained."""
        meta = read_meta(target)
        if meta is None:
            raise DialogueModelError(
                f"No trained dialogue model in {target}. Run `python cli.py train` first.")
        if meta.get("format_version") != FORMAT_VERSION:
            raise DialogueModelError(
                f"{target} was trained by another Switchboard version (format "
                f"{meta.get('format_version')}, this one reads {FORMAT_VERSION}). "
                "Run `python cli.py train --force`.")
        try:
            with open(target / "policies.pkl", "rb") as handle:
                return _ProjectUnpickler(handle, project_root).load()
        except Exception as exc:  # noqa: BLE001 - a truncated or foreign pickle raises anything
            path = target / "policies.pkl"
            raise DialogueModelError(
                f"{path} {'is missing' if not path.exists() else 'cannot be read'} "
                f"({type(exc).__name__}: {str(exc)[:200]}); run `python cli.py train --force`") from None

    @staticmethod
    def is_up_to_date(target: Path, fingerprint: str) -> bool:
        return is_up_to_date(target, FORMAT_VERSION, fingerprint)


class _ProjectUnpickler(pickle.Unpickler):
    """Project classes were pickled under the module prefix of the folder they were trained
    in (`core.imports`); they load from the project's folder now."""

    def __init__(self, handle, project_root: Path | None) -> None:
        super().__init__(handle)
        self.project_root = project_root

    def find_class(self, module: str, name: str):
        if module.startswith("_sb_") and self.project_root is not None:
            from core.imports import import_project_module

            dotted = module.partition(".")[2]
            return getattr(import_project_module(self.project_root, dotted), name)
        return super().find_class(module, name)


def resolve_or_raise(project: Project) -> list[Resolved]:
    """The project's policies resolved; raises `ProjectInvalid` if the config has errors."""
    from core.errors import ProjectInvalid
    from policies.registry import resolve_policies
    from project.checks import FileChecker

    check = FileChecker(project.config.file)
    resolved = resolve_policies(project.config, project.root, check)
    if any(p.severity == "error" for p in check.problems):
        raise ProjectInvalid(check.problems)
    return resolved
