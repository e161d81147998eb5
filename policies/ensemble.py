"""All policies of a project together: train them, save them, ask them, decide.

Saved as `models/dialogue/` (a pickle of the trained policies plus `metadata.json` with
the format version and the fingerprint of what they were trained on: stories, rules and
the domain's names, never response texts).
"""
from __future__ import annotations

import hashlib
import json
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path

from core.artifact_meta import is_up_to_date, read_meta

from project.config import ProjectConfig
from core.domain import Domain
from core.errors import SwitchboardError
from project.loader import Project
from core.tracker import Tracker
from policies.handoff import GuardrailPolicy, HandoffPolicy, NLUFallbackPolicy
from policies.memoization import MemoizationPolicy
from policies.ml import MLPolicy
from core.prediction import Prediction, choose
from policies.rules import RulePolicy

FORMAT_VERSION = 1
DEFAULT_CORE_THRESHOLD = 0.3


class DialogueModelError(SwitchboardError):
    pass


def _option(config: ProjectConfig, policy: str, key: str, default):
    for component in config.policies:
        if component.name == policy and key in component.options:
            return component.options[key]
    return default


def _code_version() -> str:
    """The policies' own source: a new Switchboard version retrains the policies (seconds)."""
    files = sorted(Path(__file__).parent.glob("*.py"))
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()


def dialogue_fingerprint(project: Project) -> str:
    domain = project.domain
    parts = [_code_version(),
        repr(project.data.stories), repr(project.data.rules), repr(project.config.policies),
        repr(sorted(domain.intents)), repr(sorted(domain.entities)), repr(domain.actions),
        repr(sorted(domain.responses)), repr(domain.forms), repr(domain.slots), repr(domain.handoff),
        str(FORMAT_VERSION),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@dataclass
class PolicyEnsemble:
    rules: RulePolicy = field(default_factory=RulePolicy)
    memo: MemoizationPolicy = field(default_factory=MemoizationPolicy)
    ml: MLPolicy = field(default_factory=MLPolicy)
    handoff: HandoffPolicy = field(default_factory=HandoffPolicy)
    nlu_fallback: NLUFallbackPolicy = field(default_factory=NLUFallbackPolicy)
    guardrail: GuardrailPolicy = field(default_factory=GuardrailPolicy)
    core_threshold: float = DEFAULT_CORE_THRESHOLD
    fingerprint: str = ""
    stats: dict = field(default_factory=dict)

    @classmethod
    def train(cls, project: Project, fingerprint: str | None = None) -> "PolicyEnsemble":
        """Train every policy; `fingerprint` if the caller already computed it."""
        config, data, domain = project.config, project.data, project.domain
        started = time.perf_counter()
        ensemble = cls(
            memo=MemoizationPolicy(int(_option(config, "MemoizationPolicy", "max_history", 5))),
            ml=MLPolicy(int(_option(config, "MLPolicy", "max_history", 5)),
                        epochs=int(_option(config, "MLPolicy", "epochs", 1000))),
            core_threshold=float(_option(config, "RulePolicy", "core_fallback_threshold",
                                         DEFAULT_CORE_THRESHOLD)),
            fingerprint=fingerprint or dialogue_fingerprint(project),
        )
        ensemble.rules.train(data.rules, domain)
        ensemble.memo.train(data.stories, domain)
        examples = ensemble.ml.train([*data.stories, *data.rules], domain)
        ensemble.stats = {"rules": len(data.rules), "stories": len(data.stories),
                          "ml_examples": examples, "seconds": round(time.perf_counter() - started, 2)}
        return ensemble

    def predictions(self, tracker: Tracker, domain: Domain, loop_rejected: bool = False) -> list[Prediction]:
        found = [
            self.guardrail.predict(tracker, domain),
            self.handoff.predict(tracker, domain),
            self.rules.predict(tracker, domain, loop_rejected),
            self.nlu_fallback.predict(tracker, domain),
            self.memo.predict(tracker, domain),
            self.ml.predict(tracker, domain),
        ]
        return [p for p in found if p is not None]

    def decide(self, tracker: Tracker, domain: Domain, loop_rejected: bool = False) -> tuple[Prediction, list[Prediction]]:
        """(the chosen prediction, every policy's prediction)."""
        predictions = self.predictions(tracker, domain, loop_rejected)
        if loop_rejected and tracker.active_loop:
            predictions = [p for p in predictions if p.action != tracker.active_loop]
        chosen = choose(predictions, self.core_threshold)
        return self.handoff.escalate(tracker, domain, chosen), predictions

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
    def load(cls, target: Path) -> "PolicyEnsemble":
        meta = read_meta(target)
        if meta is None:
            raise DialogueModelError(
                f"No trained dialogue model in {target}. Run `python cli.py train` first.")
        if meta.get("format_version") != FORMAT_VERSION:
            raise DialogueModelError(
                f"{target} was trained by another Switchboard version (format "
                f"{meta.get('format_version')}, this one reads {FORMAT_VERSION}). "
                "Run `python cli.py train --force`.")
        return pickle.loads((target / "policies.pkl").read_bytes())

    @staticmethod
    def is_up_to_date(target: Path, fingerprint: str) -> bool:
        return is_up_to_date(target, FORMAT_VERSION, fingerprint)
