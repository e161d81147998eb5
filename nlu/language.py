"""Which language a customer wrote in, for choosing response variations (`language:`).

A light script test, offline: text that is mostly CJK characters is Chinese ("zh");
anything else is the project's configured language.
"""
from __future__ import annotations

import re

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LETTER = re.compile(r"[^\W\d_]")


def detect(text: str, default: str = "en") -> str:
    letters = LETTER.findall(text)
    if not letters:
        return default
    cjk = sum(bool(CJK.match(c)) for c in letters)
    return "zh" if cjk / len(letters) >= 0.3 else default
