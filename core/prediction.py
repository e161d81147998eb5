"""`Prediction`, what every policy returns, and `choose`, the one function that decides."""
from __future__ import annotations

from dataclasses import dataclass

# Higher wins. The built-in turn rules' priorities; a configured policy's own comes from
# its `priority` option (defaults: RulePolicy 6, MemoizationPolicy 3, MLPolicy 1).
PRIORITY = {"guardrail": 8, "handoff": 7, "rules": 6, "knowledge": 5, "fallback": 5,
            "memoization": 3, "ml": 1, "core_fallback": 0}


@dataclass(frozen=True)
class Prediction:
    action: str
    confidence: float
    policy: str
    reason: str
    priority: int = -1  # -1: the built-in priority of `policy` (PRIORITY), else 0

    def __post_init__(self) -> None:
        if self.priority < 0:
            object.__setattr__(self, "priority", PRIORITY.get(self.policy, 0))

    def __str__(self) -> str:
        return f"{self.policy}: {self.action} ({self.confidence:.2f}) — {self.reason}"


def choose(predictions: list[Prediction], core_threshold: float = 0.3) -> Prediction:
    """The prediction to act on.

    Predictions below `core_threshold` are ignored. Among the rest, the highest policy
    priority wins (guardrail > handoff > rules > NLU fallback > memoization > ML), then the highest
    confidence; ties keep the order in which the policies were asked. With nothing left,
    the core fallback (`action_default_fallback`) is chosen: never a guess.
    """
    confident = [p for p in predictions if p.confidence >= core_threshold and p.policy != "core_fallback"]
    if confident:
        return max(confident, key=lambda p: (p.priority, p.confidence))
    best = max(predictions, key=lambda p: p.confidence, default=None)
    seen = f"best was {best.policy}: {best.action} ({best.confidence:.2f})" if best else "no prediction"
    return Prediction("action_default_fallback", 1.0, "core_fallback",
                      f"no policy reached {core_threshold:.2f} ({seen})")
