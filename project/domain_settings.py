"""Domain sections that are settings rather than names: session_config, and our own
handoff and generation sections."""
from __future__ import annotations

from typing import Any

from project.checks import FileChecker, describe, did_you_mean
from core.domain import PRIORITIES, Domain, FeedbackConfig, GenerationConfig, HandoffConfig, \
    PrivacyConfig, SessionConfig
from project.business_hours import parse_business_hours
from project.domain_helpers import names, refer
from project.yaml_loader import YDict

HANDOFF_KEYS = ("trigger_intents", "fallbacks_before_handoff", "frustration_threshold",
                "frustrated_messages_before_handoff", "response", "business_hours",
                "closed_response", "priority_intents")
GENERATION_KEYS = ("knowledge", "backend", "top_k", "min_score", "template_confidence",
                   "base_url", "model", "api_key_env", "timeout")
BACKENDS = ("extractive", "embedded", "openai")




def parse_session(value: Any, line: int, check: FileChecker) -> SessionConfig:
    spec = check.mapping(value, line, "session_config")
    check.known_keys(spec, ("session_expiration_time", "carry_over_slots_to_new_session"),
                     "session_config")
    minutes = spec.get("session_expiration_time", 60)
    carry = spec.get("carry_over_slots_to_new_session", True)
    ok = check.expect(minutes, float, spec.line_of("session_expiration_time"),
                      "session_config.session_expiration_time")
    ok &= check.expect(carry, bool, spec.line_of("carry_over_slots_to_new_session"),
                       "session_config.carry_over_slots_to_new_session")
    return SessionConfig(float(minutes), bool(carry)) if ok else SessionConfig()


def parse_handoff(value: Any, line: int, domain: Domain, check: FileChecker) -> HandoffConfig:
    spec = check.mapping(value, line, "handoff")
    check.known_keys(spec, HANDOFF_KEYS, "handoff")
    fallbacks = spec.get("fallbacks_before_handoff", 2)
    frustrated = spec.get("frustrated_messages_before_handoff", 2)
    threshold = spec.get("frustration_threshold", 0.7)
    ok = check.expect(fallbacks, int, spec.line_of("fallbacks_before_handoff"),
                      "handoff.fallbacks_before_handoff")
    ok &= check.expect(frustrated, int, spec.line_of("frustrated_messages_before_handoff"),
                       "handoff.frustrated_messages_before_handoff")
    ok &= check.expect(threshold, float, spec.line_of("frustration_threshold"),
                       "handoff.frustration_threshold")
    if ok and not 0 <= threshold <= 1:
        check.error(spec.line_of("frustration_threshold"), "handoff.frustration_threshold",
                    f"must be between 0 and 1, got {threshold}")
    for attr, number in (("fallbacks_before_handoff", fallbacks),
                         ("frustrated_messages_before_handoff", frustrated)):
        if ok and number < 1:
            check.error(spec.line_of(attr), f"handoff.{attr}", f"must be 1 or more, got {number}")
            ok = False
    intents = names(spec.get("trigger_intents"), spec.line_of("trigger_intents"),
                     "handoff.trigger_intents", check)
    for intent in intents:
        refer(domain, check, "intent", intent, spec.line_of("trigger_intents"), "handoff.trigger_intents")
    refer(domain, check, "response", spec.get("response"), spec.line_of("response"), "handoff.response")
    extras = _support_team(spec, domain, check)
    if not ok:
        return HandoffConfig(intents, **extras)
    return HandoffConfig(intents, int(fallbacks), float(threshold), int(frustrated),
                         spec.get("response"), **extras)


def _support_team(spec: YDict, domain: Domain, check: FileChecker) -> dict[str, Any]:
    """How the human team works: its business hours, what the bot says outside them, and
    which conversations its tickets put first."""
    hours = parse_business_hours(spec.get("business_hours"), spec.line_of("business_hours"), check)
    closed = spec.get("closed_response")
    if closed is not None and not check.expect(closed, str, spec.line_of("closed_response"),
                                               "handoff.closed_response"):
        closed = None
    refer(domain, check, "response", closed, spec.line_of("closed_response"), "handoff.closed_response")
    if closed is not None and "business_hours" not in spec:
        check.warn(spec.line_of("closed_response"), "handoff.closed_response",
                   "never said: there are no business_hours, so the team is always in")
    return {"business_hours": hours, "closed_response": closed,
            "priority_intents": _priority_intents(spec, domain, check)}


def _priority_intents(spec: YDict, domain: Domain, check: FileChecker) -> tuple[tuple[str, str], ...]:
    """`priority_intents: {complaint: high}`: the priority of a ticket whose conversation
    had that intent."""
    line, key = spec.line_of("priority_intents"), "handoff.priority_intents"
    pairs, mapping = [], check.mapping(spec.get("priority_intents"), line, key)
    for intent, priority in mapping.items():
        at = mapping.line_of(intent)
        refer(domain, check, "intent", intent, at, key)
        if priority not in PRIORITIES:
            check.error(at, f"{key}.{intent}", f"unknown priority {describe(priority)}"
                        f"{did_you_mean(str(priority), PRIORITIES)} (valid: {', '.join(PRIORITIES)})")
            continue
        pairs.append((str(intent), str(priority)))
    return tuple(pairs)


def parse_generation(value: Any, line: int, check: FileChecker) -> GenerationConfig:
    spec = check.mapping(value, line, "generation")
    check.known_keys(spec, GENERATION_KEYS, "generation")
    backend = spec.get("backend", "extractive")
    if backend not in BACKENDS:
        hint = did_you_mean(backend, BACKENDS) if isinstance(backend, str) else ""
        check.error(spec.line_of("backend"), "generation.backend",
                    f"unknown backend {backend!r}{hint} (valid: {', '.join(BACKENDS)})")
        backend = "extractive"
    numbers = {}
    for attr, kind, default in (("top_k", int, 3), ("min_score", float, 0.3),
                                ("template_confidence", float, 0.6), ("timeout", float, 20.0)):
        number = spec.get(attr, default)
        ok = check.expect(number, kind, spec.line_of(attr), f"generation.{attr}")
        if ok and attr in ("min_score", "template_confidence") and not 0 <= number <= 1:
            check.error(spec.line_of(attr), f"generation.{attr}", f"must be between 0 and 1, got {number}")
            ok = False
        elif ok and number <= 0 and attr not in ("min_score", "template_confidence"):
            check.error(spec.line_of(attr), f"generation.{attr}", f"must be above 0, got {number}")
            ok = False
        numbers[attr] = kind(number) if ok else default
    return GenerationConfig(
        spec.get("knowledge"), str(backend), numbers["top_k"], numbers["min_score"],
        numbers["template_confidence"], spec.get("base_url"), spec.get("model"), spec.get("api_key_env"), numbers["timeout"],
    )


def parse_privacy(value: Any, line: int, check: FileChecker) -> PrivacyConfig:
    spec = check.mapping(value, line, "privacy")
    check.known_keys(spec, ("retention_days", "mask_pii"), "privacy")
    mask = spec.get("mask_pii", True)
    if not check.expect(mask, bool, spec.line_of("mask_pii"), "privacy.mask_pii"):
        mask = True
    days = spec.get("retention_days")
    if days is None:
        return PrivacyConfig(None, mask)
    if not check.expect(days, float, spec.line_of("retention_days"), "privacy.retention_days"):
        return PrivacyConfig(None, mask)
    if days <= 0:
        check.error(spec.line_of("retention_days"), "privacy.retention_days",
                    f"must be above 0 days, got {days}")
        return PrivacyConfig(None, mask)
    return PrivacyConfig(float(days), mask)


FEEDBACK_KEYS = ("ask_after", "question", "thanks", "thumbs")


def parse_feedback(value: Any, line: int, domain: Domain, check: FileChecker) -> FeedbackConfig:
    """`feedback:`: when the bot asks "Did that solve it?" and with which responses; whether
    the chat page shows thumbs on bot messages."""
    spec = check.mapping(value, line, "feedback")
    check.known_keys(spec, FEEDBACK_KEYS, "feedback")
    after = names(spec.get("ask_after"), spec.line_of("ask_after"), "feedback.ask_after", check)
    for action in after:
        refer(domain, check, "action", action, spec.line_of("ask_after"), "feedback.ask_after")
    responses = {}
    for key in ("question", "thanks"):
        name = spec.get(key)
        if name is not None and not check.expect(name, str, spec.line_of(key), f"feedback.{key}"):
            name = None
        refer(domain, check, "response", name, spec.line_of(key), f"feedback.{key}")
        responses[key] = name
    if responses["question"] is not None and not after:
        check.warn(spec.line_of("question"), "feedback.question",
                   "never asked: feedback.ask_after names no action to ask it after")
    thumbs = spec.get("thumbs", True)
    if not check.expect(thumbs, bool, spec.line_of("thumbs"), "feedback.thumbs"):
        thumbs = True
    return FeedbackConfig(tuple(after), responses["question"], responses["thanks"], bool(thumbs))
