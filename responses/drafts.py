"""Drafts: the checked beginning of a generated answer, shown while the rest is generated.

A channel that can show text as it arrives (the REST stream) listens for the turn it runs:

    with drafts.listening(on_text):     # on_text(delta), called in the turn's own thread
        result = handle(sender, text, ...)

`GroundedAnswerer.answer` feeds each piece the backend streams to a `Draft`; the draft
publishes a delta whenever a longer beginning of the answer passes `render` — the
answerer's guardrails (responses/guardrails.py `check_answer`, the whole-answer check)
run on that beginning as if it were the whole answer, against the passages it cites.
So nothing unchecked is shown: a beginning is released only once it would be accepted as
an answer on its own (in practice when its first citation has arrived), and a later part
that fails (an invented figure, a promise) stops the draft there.

Only whole words are released (up to the last space or CJK punctuation), so half a number
or half an email address is never checked, or shown, on its own. A draft is a preview:
the turn's reply (the channel's ordinary messages) replaces it, and may differ from it —
the final check on the whole answer can still decline it, or a backend failure mid-answer
falls back to the extractive answer. Without a listener (every channel but the stream)
a draft does nothing.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterator

_listener: ContextVar[Callable[[str], None] | None] = ContextVar("draft_listener", default=None)
WORD_END = re.compile(r"[\s。！？；，、]")


@contextmanager
def listening(on_text: Callable[[str], None]) -> Iterator[None]:
    """Deltas of the drafts made in this context (this thread, for this turn) go to `on_text`."""
    token = _listener.set(on_text)
    try:
        yield
    finally:
        _listener.reset(token)


class Draft:
    """`render(raw_prefix)`: the text a customer may see for that beginning of the model's
    raw output (citation markers removed), or None when it does not pass the guardrails."""

    def __init__(self, render: Callable[[str], str | None], streaming: bool = True):
        self.render = render
        self.listener = _listener.get()
        self.raw = ""
        self.shown = ""  # what the listener has been given, all deltas together
        # a backend that answers in one piece (the extractive one) has nothing to preview
        self.open = streaming and self.listener is not None

    def add(self, piece: str) -> None:
        self.raw += piece
        ends = [m.end() for m in WORD_END.finditer(self.raw)] if self.open else []
        if ends:
            self._release(self.raw[:ends[-1]])

    def finish(self) -> None:
        """The backend is done: its last word is whole too."""
        if self.open:
            self._release(self.raw)

    def _release(self, beginning: str) -> None:
        text = self.render(beginning)
        if text is None or len(text) <= len(self.shown):
            return
        if not text.startswith(self.shown):  # cannot be shown as a continuation: stop here
            self.open = False
            return
        delta, self.shown = text[len(self.shown):], text
        self.listener(delta)

    def stop(self) -> None:
        """Nothing more is shown (the backend failed: another answer is coming)."""
        self.open = False
