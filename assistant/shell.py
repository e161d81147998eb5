"""The interactive (or piped) chat loop behind `cli.py shell`."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from assistant.bot import Assistant, Turn
from core.message import Message

COMMANDS = "/restart starts over, /exit quits"


def describe_nlu(message: Message) -> str:
    entities = ", ".join(f"{e.entity}={e.value}" for e in message.entities) or "none"
    return f"  intent: {message.intent.name} ({message.intent.confidence:.2f})  entities: {entities}"


def print_turn(turn: Turn, debug: bool) -> None:
    click.secho(describe_nlu(turn.message), dim=True)
    if debug:
        ranking = ", ".join(f"{s.name} {s.confidence:.2f}" for s in turn.message.intent_ranking[:3])
        click.secho(f"  ranking: {ranking}", dim=True)
        for name, value in turn.slots_set:
            click.secho(f"  slot {name} = {value!r}", dim=True)
        click.secho(f"  actions: {', '.join(turn.actions) or 'none'}  ({turn.reason})", dim=True)
    for reply in turn.replies:
        click.echo(f"Bot: {reply.text}")
        for number, button in enumerate(reply.buttons, start=1):
            click.echo(f"     [{number}] {button.title}")


def run_shell(project: Path, models: Path, debug: bool = False) -> None:
    interactive = sys.stdin.isatty()
    assistant = Assistant.load(project, models)
    if interactive:
        click.echo(f"Switchboard shell ({COMMANDS}).")
    while True:
        if interactive:
            click.echo("You: ", nl=False)
        line = sys.stdin.readline()
        if not line:
            break
        text = line.rstrip("\n")
        if text.strip() == "/exit":
            break
        if text.strip() == "/restart":
            assistant.restart()
            click.echo("Bot: (conversation restarted)")
            continue
        if not interactive:
            click.echo(f"You: {text}")
        print_turn(assistant.handle(text), debug)
