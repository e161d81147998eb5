"""Channel names, as credentials.yml uses them, and the classes behind them.

    rest    Rasa's REST channel, its stream and the web chat page (channels/rest.py)
    slack   Slack's Events API (channels/slack.py)
    callback  Rasa's callback channel: replies POSTed to a URL (channels/callback.py)

Rasa's other built-in channels are known by name, so that credentials.yml written for
Rasa gets a clear warning naming each one that is not served here (never silence, never
"unknown channel"). A key with a dot, `module.Class`, is a project's own connector: a
`channels.base.InputChannel` subclass imported from the project folder
(`core.imports.import_project_class`), as Rasa imports custom connectors.
"""
from __future__ import annotations

from pathlib import Path

from channels.base import InputChannel
from channels.callback import CallbackInput
from channels.rest import RestInput
from channels.slack import SlackInput
from core.imports import ProjectCodeError, import_project_class
from core.registry import Registry

CHANNELS: Registry[type[InputChannel]] = Registry("channel")
CHANNELS.register(RestInput.name, RestInput)
CHANNELS.register(SlackInput.name, SlackInput)
CHANNELS.register(CallbackInput.name, CallbackInput)

# Rasa's built-in channels (rasa/core/channels/__init__.py) that Switchboard does not have yet.
for _name, _what in (
    ("socketio", "Socket.IO, used by Rasa's web chat widgets"),
    ("telegram", "Telegram"),
    ("facebook", "Facebook Messenger"),
    ("twilio", "Twilio SMS"),
    ("twilio_voice", "Twilio Voice"),
    ("mattermost", "Mattermost"),
    ("rocketchat", "Rocket.Chat"),
    ("botframework", "Microsoft Bot Framework"),
    ("webexteams", "Cisco Webex Teams"),
    ("hangouts", "Google Hangouts Chat"),
    ("rasa", "Rasa X / Rasa Enterprise's own channel"),
):
    CHANNELS.register_rasa(_name, None, _what)


class NotAChannel(ProjectCodeError):
    """A project's `module.Class` that is not an InputChannel subclass with a name."""


def channel_class(name: str, project: Path) -> type[InputChannel]:
    """The class for a credentials.yml key: a registered name or a project's `module.Class`.

    Raises `core.registry.UnknownName` (message lists the valid names) or
    `core.imports.ProjectCodeError` (the project's module is missing or broken, or the
    class is not a channel)."""
    if "." not in name:
        return CHANNELS.get(name)
    found = import_project_class(project, name)
    if not (isinstance(found, type) and issubclass(found, InputChannel)):
        raise NotAChannel(f"'{name}' is not a channels.base.InputChannel subclass (a connector "
                          "written for Rasa must be ported: add_routes instead of blueprint)")
    if not isinstance(getattr(found, "name", None), str) or not found.name:
        raise NotAChannel(f"'{name}' has no `name` (a string: what `handle` records as the "
                          "message's input channel)")
    return found
