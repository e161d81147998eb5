"""Prompt-injection attempts and requests for the system prompt, in English and Chinese.

A property of the customer's message: the guardrail policy refuses such a message outright,
and the grounded answerer refuses to answer it.
"""
from __future__ import annotations

import re

INJECTION = [re.compile(p, re.IGNORECASE) for p in (
    r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(instructions?|rules?|prompt|guidelines|polic(y|ies)|previous|above|system)\b",
    r"\b(system|hidden|initial|original|secret)\s+(prompt|instructions?|message|rules?)\b",
    r"\b(print|repeat|show|reveal|tell me|output|display|translate|recite|dump)\b.{0,40}\b(prompt|instructions?|the text above|everything above|your rules|configuration)\b",
    r"\byou are now\b|\bact as\b.{0,30}\b(unrestricted|jailbroken|dan|developer mode)\b|\bdo anything now\b|\bdeveloper mode\b|\bjailbreak",
    r"^\s*(system|assistant)\s*:|<\s*/?\s*(system|im_start|im_end)\b|\[\s*(system|inst)\s*\]",
    r"\bpretend (you are|to be)\b.{0,40}\b(no|without) (rules|restrictions|limits)\b",
    r"(忽略|无视|忘记|忘掉).{0,10}(指令|指示|规则|提示|设定|之前|上面)",
    r"(系统提示|提示词|系统指令|内部规则|你的指令|你的规则|你的设定)",
)]


def injection_reason(text: str) -> str | None:
    for pattern in INJECTION:
        if pattern.search(text):
            return f"prompt injection pattern: {pattern.pattern[:40]}…"
    return None
