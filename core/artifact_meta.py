"""`metadata.json` of a trained part under models/ (dialogue, knowledge, selector): its
format version and the fingerprint of what it was built from."""
from __future__ import annotations

import json
from pathlib import Path


def read_meta(target: Path) -> dict | None:
    try:
        return json.loads((target / "metadata.json").read_text())
    except (OSError, ValueError):
        return None


def is_up_to_date(target: Path, format_version: int, fingerprint: str) -> bool:
    meta = read_meta(target)
    return bool(meta) and meta.get("format_version") == format_version \
        and meta.get("fingerprint") == fingerprint
