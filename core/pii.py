"""Personal data in text: emails, card and phone numbers, masked for storage and answers."""
from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
CARD = re.compile(r"\b(?:\d[ -]?){13,19}\b")
PHONE = re.compile(r"(?<![\w-])\+?\d[\d ().-]{7,}\d\b")


def mask_pii(text: str) -> str:
    text = EMAIL.sub("[email]", text)
    text = CARD.sub(lambda m: "[card]" if len(re.sub(r"\D", "", m.group())) >= 13 else m.group(), text)
    return PHONE.sub(lambda m: "[phone]" if len(re.sub(r"\D", "", m.group())) >= 9 else m.group(), text)
