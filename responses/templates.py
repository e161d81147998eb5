"""Fill a response template from slots without ever showing a raw `{slot}`.

Among a response's variations, those whose `condition`s hold are preferred (the most
specific first); among those, variations whose slots are all set. A slot still missing
after that is rendered as a neutral gap rather than as `{slot}`.
"""
from __future__ import annotations

import logging
import random
from dataclasses import dataclass

from core.domain import SLOT_REFERENCE, Button, ResponseVariation

MISSING = "—"
log = logging.getLogger("switchboard.responses")


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
           channel: str | None = None, default: str | None = None) -> ResponseVariation | None:
    """The variation to show: conditions met; written for the customer's channel when the
    response has variations for it (`channel: slack`), otherwise one without a channel; in
    the customer's language likewise (`language: zh`); all slots filled if possible."""
    usable = [v for v in variations if all(slots.get(name) == value for name, value in v.conditions)]
    usable = [v for v in usable if v.channel == channel] or [v for v in usable if v.channel is None]
    usable = in_language(usable, language, default)
    if not usable:
        return None
    most_specific = max(len(v.conditions) for v in usable)
    usable = [v for v in usable if len(v.conditions) == most_specific]
    complete = [v for v in usable if all(slots.get(s) is not None for s in v.slot_names)]
    return rng.choice(complete or usable)


def _base(code: str | None) -> str | None:
    return code.replace("_", "-").split("-")[0].lower() if code else code


def _marked(variations: list[ResponseVariation], code: str) -> list[ResponseVariation]:
    exact = [v for v in variations if v.language == code]
    return exact or [v for v in variations if v.language and _base(v.language) == _base(code)]


def in_language(variations: list[ResponseVariation], language: str | None,
                default: str | None = None) -> list[ResponseVariation]:
    """The variations written in `language` (`language: zh`; a `zh-CN` customer gets the
    `zh` ones when there are no `zh-CN` ones), else those without a language (the project's
    default language), else those marked with the `default` language. Never a mix."""
    found = _marked(variations, language) if language is not None else []
    if found:
        return found
    unmarked = [v for v in variations if v.language is None]
    return unmarked if unmarked or default is None else _marked(variations, default)


def fill(text: str, slots: dict[str, object]) -> str:
    """Replace `{slot}` with its value; unset slots become a neutral gap; `{{` stays `{`."""
    def value(match) -> str:
        found = slots.get(match.group(1))
        return MISSING if found is None else str(found)

    filled = SLOT_REFERENCE.sub(value, text)
    return filled.replace("{{", "{").replace("}}", "}")


def render(name: str, variations: list[ResponseVariation], slots: dict[str, object],
           rng: random.Random, language: str | None = None,
           channel: str | None = None, default: str | None = None) -> Reply | None:
    """`default`: the project's language (config.yml), to say when a reply falls back to it."""
    variation = choose(variations, slots, rng, language, channel, default)
    if variation is None:
        return None
    if language is not None and language != default and \
            _base(variation.language) != _base(language) and any(v.language for v in variations):
        log.debug("no %s variation of %s: default language", language, name)
    image = fill(variation.image, slots) if variation.image else None
    return Reply(fill(variation.text, slots), variation.buttons, image, name, variation.custom)


def render_event(domain, name: str, slots: dict[str, object], rng: random.Random | None = None,
                 language: str | None = None, channel: str | None = None,
                 default: str | None = None):
    """The domain's response `name` as a BotUttered event (None if it has no usable variation)."""
    from core.events import BotUttered

    reply = render(name, domain.responses.get(name, []), slots, rng or random.Random(), language,
                   channel, default)
    if reply is None:
        return None
    return BotUttered(text=reply.text, buttons=tuple((b.title, b.payload) for b in reply.buttons),
                      response=name, image=reply.image, custom=reply.custom)
