"""Dialogue policies: each proposes the next action as a `Prediction`; `choose` picks one.

    rules (data/rules.yml)  ->  memoised stories  ->  ML policy  ->  fallback
    handoff triggers (asked for a human, repeated fallback, frustration) sit above them all.
"""
from core.prediction import Prediction, choose

__all__ = ["Prediction", "choose"]
