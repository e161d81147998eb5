"""The channel interface, modelled on Rasa's `InputChannel` / `OutputChannel`
(rasa/core/channels/channel.py).

An `InputChannel` receives customers' messages from one platform: it adds its routes to
the FastAPI app and calls `handle(sender_id, text, input_channel)` with its own `name` as
`input_channel` (so a response's `channel: slack` variation is picked for Slack). What
a channel needs from credentials.yml it declares as `settings`; `channels.credentials`
checks them (with file:line) before `from_credentials` builds the channel.

An `OutputChannel` turns the bot's replies (`BotUttered`: text, buttons, image, custom
JSON payload) into the platform's messages, rendering what the platform can show.
`PartsOutputChannel` does it the way Rasa's `OutputChannel.send_response` does: the text
(with its buttons), then the custom payload, then the image, each as its own message.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Generic, Iterable, TypeVar

from core.events import BotUttered

if TYPE_CHECKING:
    from fastapi import FastAPI

    from dialogue.agent import TurnResult

Handler = Callable[..., "TurnResult"]
"""`handle(sender_id, text, input_channel, metadata=None)`: one customer message in, the
turn out (`metadata`: what the channel's caller sent with it, Rasa's `metadata`)."""

M = TypeVar("M")


@dataclass(frozen=True)
class Setting:
    """One key a channel reads from its section of credentials.yml."""

    name: str
    kind: type = str
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    help: str = ""  # where the value comes from, for the "missing" message


class CredentialError(ValueError):
    """A setting's value that passed the shape checks but cannot be used; `key` names it."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class InputChannel(ABC):
    """Receives messages from one platform and answers them there."""

    name: ClassVar[str]
    settings: ClassVar[tuple[Setting, ...]] = ()
    # keys Rasa's channel of this name reads that this one does not use: key -> why
    unused: ClassVar[dict[str, str]] = {}

    @classmethod
    def from_credentials(cls, values: dict[str, Any]) -> "InputChannel":
        """The channel, from its credentials.yml section (checked against `settings`, with
        the defaults of keys left out filled in). Raises `CredentialError` for a value it
        cannot use."""
        return cls()

    @abstractmethod
    def add_routes(self, app: "FastAPI", handle: Handler) -> None:
        """Add this channel's routes (by convention under /webhooks/<name>/) to `app`."""

    def public_paths(self) -> tuple[str, ...]:
        """Routes that need no bearer token: a webhook whose requests carry the platform's
        own signature (checked by the channel), or a public page."""
        return ()


class OutputChannel(ABC, Generic[M]):
    """Turns the bot's replies into messages (of type M) of one platform."""

    @abstractmethod
    def render(self, recipient_id: str, reply: BotUttered) -> list[M]:
        """One reply as the platform's messages (none if it has nothing the platform shows)."""

    def render_all(self, recipient_id: str, replies: Iterable[BotUttered]) -> list[M]:
        return [message for reply in replies for message in self.render(recipient_id, reply)]


class PartsOutputChannel(OutputChannel[M]):
    """Rasa's order: text (with buttons), then custom payload, then image, each a message.

    The defaults suit a text-only platform: buttons become numbered lines, an image its
    URL; only `text` must be written. A custom payload is dropped unless `custom` is
    overridden, because ours is often metadata (a grounded answer's sources) that a
    platform would show as raw JSON."""

    def render(self, recipient_id: str, reply: BotUttered) -> list[M]:
        messages: list[M] = []
        if reply.buttons:
            messages += self.text_with_buttons(recipient_id, reply.text, reply.buttons)
        elif reply.text:
            messages += self.text(recipient_id, reply.text)
        if reply.custom:
            messages += self.custom(recipient_id, reply.custom)
        if reply.image:
            messages += self.image(recipient_id, reply.image)
        return messages

    @abstractmethod
    def text(self, recipient_id: str, text: str) -> list[M]:
        """A plain text message."""

    def text_with_buttons(self, recipient_id: str, text: str,
                          buttons: tuple[tuple[str, str], ...]) -> list[M]:
        """Text and quick-reply buttons, (title, payload) each."""
        lines = [f"{number}: {title} ({payload})" for number, (title, payload) in enumerate(buttons, 1)]
        return self.text(recipient_id, "\n".join([text, *lines]))

    def image(self, recipient_id: str, url: str) -> list[M]:
        return self.text(recipient_id, f"Image: {url}")

    def custom(self, recipient_id: str, payload: Any) -> list[M]:
        return []
