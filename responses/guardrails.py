"""Guardrails: checks on what customers send and on what generation produces.

Input:  `nlu.injection.injection_reason(text)` — prompt-injection and system-prompt requests
        (English and Chinese patterns); such messages are refused, never generated on.
Output: `check_answer(answer, passages)` — before anything generated is shown:
          * grounding: every number, amount, percentage and date-like figure must
            appear in a cited passage; at least one passage must be cited;
          * no promise of refunds / compensation / vouchers / free items unless a cited
            passage says the same thing;
          * no leak of the system prompt; a length cap.
        `mask_pii(text)` — emails, card numbers and phone numbers masked (the shop's own
        addresses, quoted from a cited passage, are not personal data).
A failed check returns its reason; the caller takes the safe path (rephrase or handoff).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from core.pii import personal_values

MAX_ANSWER_CHARS = 600


FIGURE = re.compile(r"[$€£¥]?\d+(?:[.,:]\d+)*\s*(?:%|percent|days?|weeks?|months?|years?|hours?|am|pm)?",
                    re.IGNORECASE)
PROMISE = re.compile(r"\b(refund|reimburse|compensat\w*|voucher|coupon|discount|credit|free|"
                     r"money back|replacement|guarantee\w*)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace("–", "-").replace("—", "-"))


def _figures(text: str) -> set[str]:
    return {re.sub(r"\s+", " ", m.group().strip().lower()) for m in FIGURE.finditer(text)
            if any(c.isdigit() for c in m.group())}


def check_answer(answer: str, cited: list[str], system_prompt: str = "") -> Verdict:
    """`cited`: the texts of the passages the answer cites."""
    if not answer.strip():
        return Verdict(False, "empty answer")
    if len(answer) > MAX_ANSWER_CHARS:
        return Verdict(False, f"answer longer than {MAX_ANSWER_CHARS} characters")
    if not cited:
        return Verdict(False, "the answer cites no passage")
    source = _normal(" ".join(cited))
    digits_in_source = set(re.findall(r"\d+", source))
    for figure in _figures(_normal(answer)):
        numbers = re.findall(r"\d+", figure)
        if figure not in source and not all(n in digits_in_source for n in numbers):
            return Verdict(False, f"'{figure}' is not in the cited passages")
    for promise in {m.group().lower() for m in PROMISE.finditer(answer)}:
        if promise not in source:
            return Verdict(False, f"promises '{promise}', which the cited passages do not mention")
    for line in (l.strip() for l in system_prompt.splitlines()):
        if len(line) > 30 and _normal(line) in _normal(answer):
            return Verdict(False, "the answer repeats the system prompt")
    raw_source = " ".join(cited)
    if any(value not in raw_source for value in personal_values(answer)):
        return Verdict(False, "the answer contains personal data")
    return Verdict(True)
