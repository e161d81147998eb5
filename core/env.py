"""`${NAME}` in a project's YAML (endpoints.yml, credentials.yml): read from the
environment, as Rasa does, so secrets stay out of the files. Only the braced form is
replaced; a `$` anywhere else is kept as written (a password may contain one)."""
from __future__ import annotations

import os
import re

ENV_REFERENCE = re.compile(r"\$\{([^}]*)\}")


def expand_env(value: str) -> tuple[str, list[str]]:
    """(`value` with each `${NAME}` replaced, the names that are not set: left as written)."""
    missing = [name for name in ENV_REFERENCE.findall(value) if name not in os.environ]
    expanded = ENV_REFERENCE.sub(lambda m: os.environ.get(m.group(1), m.group(0)), value)
    return expanded, missing
