"""Form slot validators: return the cleaned value, or None to ask again."""
from __future__ import annotations

import re

from dialogue.registry import validator

ORDER_ID = re.compile(r"(NW-?)?\d{5,8}", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


@validator("order_id")
def order_id_shape(value, tracker, domain):
    """Order numbers look like 12345, 7302291 or NW-55871."""
    found = ORDER_ID.search(str(value))
    if not found:
        return None
    text = found.group(0).upper()
    return text if not text.startswith("NW") else "NW-" + text.lstrip("NW-")


@validator("email")
def email_shape(value, tracker, domain):
    found = EMAIL.search(str(value))
    return found.group(0).lower() if found else None
