"""The deployment's secret, and the keys derived from it for one purpose each.

    SWITCHBOARD_SECRET   the secret itself (several hosts must share one); unset: the file
                         PROJECT/.switchboard/secret, created (random, readable by its owner
                         only) the first time it is needed

What it keys: the customers' conversation tokens (server.auth), the sealed copies of slot
values in a masking store (core.sealing) and the pseudonyms of senders whose id is an email
or a phone number (core.sealing.pseudonym). Losing it logs every chat-page customer out and
makes sealed slot values unreadable (they read back masked); it never loses a conversation.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

from core.errors import SwitchboardError

ENV = "SWITCHBOARD_SECRET"
FILE = Path(".switchboard") / "secret"


def project_secret(project_root: Path | str) -> bytes:
    """SWITCHBOARD_SECRET, else PROJECT/.switchboard/secret (made on first use; several
    processes starting at once agree on one: the first creates it, the others read it)."""
    given = os.environ.get(ENV, "").strip()
    if given:
        return given.encode("utf-8")
    path = Path(project_root) / FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another process may be between creating and writing it
            text = path.read_text(encoding="utf-8").strip()
            if text:
                return text.encode("utf-8")
            time.sleep(0.02)
        raise SwitchboardError(f"{path} is empty: delete it (a new secret is made) or set {ENV}") from None
    value = secrets.token_urlsafe(32)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(value + "\n")
    return value.encode("utf-8")


def derive(secret: bytes, purpose: str) -> bytes:
    """A 32-byte key for `purpose` alone: knowing one tells nothing of the others."""
    return hmac.new(secret, b"switchboard/" + purpose.encode("utf-8"), hashlib.sha256).digest()
