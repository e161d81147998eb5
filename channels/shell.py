"""How the terminal chat (`cli.py shell`) shows the bot's replies, and the name its
messages carry as input channel (`shell`: a response may have a `channel: shell` variation).

    Bot: Here is our shop.
         [1] Opening hours  (/hours)
         custom: {"blocks":[…]}
         image: https://example.com/shop.png

A grounded answer's custom payload is shown as its sources instead, dimmed:
`     sources: returns#refunds (returns.md)`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from channels.base import PartsOutputChannel

INDENT = "     "


@dataclass(frozen=True)
class Line:
    """One line of the terminal; `dim` for what is about the answer rather than the answer."""

    text: str
    dim: bool = False


class ShellOutput(PartsOutputChannel[Line]):
    """Replies as lines of the terminal."""

    def text(self, recipient_id: str, text: str) -> list[Line]:
        return [Line(f"Bot: {text}")]

    def text_with_buttons(self, recipient_id: str, text: str,
                          buttons: tuple[tuple[str, str], ...]) -> list[Line]:
        return self.text(recipient_id, text) + [
            Line(f"{INDENT}[{number}] {title}  ({payload})")
            for number, (title, payload) in enumerate(buttons, start=1)]

    def image(self, recipient_id: str, url: str) -> list[Line]:
        return [Line(f"{INDENT}image: {url}")]

    def custom(self, recipient_id: str, payload: Any) -> list[Line]:
        """A grounded answer's sources (our own payload: only those are worth reading);
        any other payload as compact JSON."""
        if isinstance(payload, dict) and payload.get("sources"):
            cited = ", ".join(f"{s['id']} ({s['source']})" for s in payload["sources"])
            return [Line(f"{INDENT}sources: {cited}", dim=True)]
        compact = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
        return [Line(f"{INDENT}custom: {compact}")]
