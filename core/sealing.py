"""Values kept unreadable at rest, and stable pseudonyms for ids that are personal data.

A store that masks personal data (stores.private) still has to give the bot back what the
customer told it: the email in the `email` slot decides whose orders they may see, in the
next message, which another worker process may serve. Such a slot value is stored sealed
(Fernet: AES-128-CBC with an HMAC-SHA256, from the `cryptography` package) under a key
derived from the deployment's secret (core.secret); everything else personal is masked.

A sender id that is itself an email or a phone number (`whatsapp:+15551234567`) is stored
under its pseudonym, `anon-` and 20 letters of an HMAC of it: the same customer keeps their
conversation, a reader of the store learns nothing, and `cli.py conversations export|delete
alice@example.com` finds it again by computing the pseudonym with the same secret.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken

from core.pii import mask_pii
from core.secret import derive

PREFIX = "sealed:v1:"
PSEUDONYM = "anon-"


class Sealer:
    def __init__(self, secret: bytes) -> None:
        self._fernet = Fernet(base64.urlsafe_b64encode(derive(secret, "sealed-values")))
        self._pseudonym_key = derive(secret, "pseudonyms")
        self.pseudonym = lru_cache(maxsize=65536)(self._pseudonym)

    def seal(self, value) -> str:
        """`value` (JSON-like) as a sealed string."""
        return PREFIX + self._fernet.encrypt(json.dumps(value, ensure_ascii=False).encode("utf-8")).decode("ascii")

    def unseal(self, text: str):
        """The value `seal` sealed; ValueError if another secret sealed it or it was altered."""
        try:
            return json.loads(self._fernet.decrypt(text[len(PREFIX):].encode("ascii")))
        except (InvalidToken, ValueError) as exc:
            raise ValueError("sealed with another secret, or altered") from exc

    def _pseudonym(self, sender_id: str) -> str:
        """`sender_id`, or its pseudonym when it is an email or a phone number."""
        if sender_id.startswith(PSEUDONYM) or mask_pii(sender_id) == sender_id:
            return sender_id
        mac = hmac.new(self._pseudonym_key, sender_id.encode("utf-8"), hashlib.sha256).digest()
        return PSEUDONYM + base64.b32encode(mac).decode("ascii").lower()[:20]


def is_sealed(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)
