"""Fill a response template from slots without ever showing a raw `{slot}`.

Among a response's variations, those whose `condition`s hold are preferred (the most
specific first); among those, variations whose slots are all set. A slot still missing
after that is rendered as a neutral gap rather than as `{slot}`.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from core.domain import SLOT_REFERENCE, Button, ResponseVariation

MISSING = "—"


@dataclass(frozen=True)
class Reply:
    """One bot message."""

    text: str
    buttons: tuple[Button, ...] = ()
    image: str | None = None
    action: str = ""
    custom: object = None


def choose(variations: list[ResponseVariation], slots: dict[str, object],
           rng: random.Random, language: str | None = None,
           channel: str | None = None) -> ResponseVariation | None:
    """The variation to show: conditions met; written for the customer's channel when the
    response has variations for it (`channel: slack`), otherwise one without a channel; in
    the customer's language likewise (`language: zh`); all slots filled if possible."""
    usable = [v for v in variations if all(slots.get(name) == value for name, value in v.conditions)]
    usable = [v for v in usable if v.channel == channel] or [v for v in usable if v.channel is None]
    # the customer's language if the response has it, else the variations without a language
    usable = [v for v in usable if v.language == language] or [v for v in usable if v.language is None]
    if not usable:
        return None
    most_specific = max(len(v.conditions) for v in usable)
    usable = [v for v in usable if len(v.conditions) == most_specific]
    complete = [v for v in usable if all(slots.get(s) is not None for s in v.slot_names)]
    return rng.choice(complete or usable)


def fill(text: str, slots: dict[str, object]) -> str:
    """Replace `{slot}` with its value; unset slots become a neutral gap; `{{` stays `{`."""
    def value(match) -> str:
        found = slots.get(match.group(1))
        return MISSING if found is None else str(found)

    filled = SLOT_REFERENCE.sub(value, text)
    return filled.replace("{{", "{").replace("}}", "}")


def render(name: str, variations: list[ResponseVariation], slots: dict[str, object],
           rng: random.Random, language: str | None = None,
           channel: str | None = None) -> Reply | None:
    variation = choose(variations, slots, rng, language, channel)
    if variation is None:
        return None
    image = fill(variation.image, slots) if variation.image else None
    return Reply(fill(variation.text, slots), variation.buttons, image, name, variation.custom)


def render_event(domain, name: str, slots: dict[str, object], rng: random.Random | None = None,
                 language: str | None = None, channel: str | None = None):
    """The domain's response `name` as a BotUttered event (None if it has no usable variation)."""
    from core.events import BotUttered

    reply = render(name, domain.responses.get(name, []), slots, rng or random.Random(), language,
                   channel)
    if reply is None:
        return None
    return BotUttered(text=reply.text, buttons=tuple((b.title, b.payload) for b in reply.buttons),
                      response=name, image=reply.image, custom=reply.custom)
