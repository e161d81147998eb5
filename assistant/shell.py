"""The interactive (or piped) chat loop behind `cli.py shell`."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from assistant.loading import load_agent
from channels.shell import ShellOutput
from dialogue.agent import TurnResult

SENDER = "shell"
SHELL_OUTPUT = ShellOutput()  # stateless: one for every turn
REMINDER_WAIT_S = 60.0  # piped input: how soon a pending reminder must be due to be waited for
COMMANDS = "/restart starts over, /tracker shows the conversation's events, " \
           "/release hands it back from a human agent, /exit quits"


def describe_nlu(result: TurnResult) -> str:
    message = result.message
    entities = ", ".join(f"{e.entity}={e.value}" for e in message.entities) or "none"
    intent = message.intent
    extra = ""
    if message.fallback is not None:
        extra = f" <- {message.fallback.predicted}: {message.fallback.reason}"
    return f"  intent: {intent.name} ({intent.confidence:.2f}){extra}  entities: {entities}"


def describe_setup(agent) -> str:
    """What config.yml made run: the NLU pipeline and the policies with their priorities."""
    policies = ", ".join(f"{p.name} (priority {p.priority})" for p in agent.policies.policies)
    return (f"  NLU pipeline: {' -> '.join(agent.nlu.names) or 'none'}\n"
            f"  policies: {policies or 'none'}; built-in rules: guardrail, handoff, NLU fallback, "
            "knowledge answer, form re-ask, ends-turn")


def print_turn(result: TurnResult, debug: bool) -> None:
    click.secho(describe_nlu(result), dim=True)
    if debug:
        ranking = ", ".join(f"{s.name} {s.confidence:.2f}" for s in result.message.intent_ranking[:3])
        click.secho(f"  ranking: {ranking}", dim=True)
        for event in result.slots_set:
            click.secho(f"  slot {event.slot} = {event.value!r}", dim=True)
        for step in result.steps:
            click.secho(f"  -> {step.action}  [{step.chosen.policy}: {step.chosen.reason}]"
                        + (f"  REJECTED: {step.rejected}" if step.rejected else ""), dim=True)
            for prediction in step.predictions:
                mark = "*" if prediction == step.chosen else " "
                click.secho(f"     {mark} {prediction.policy:<12} {prediction.action} "
                            f"({prediction.confidence:.2f})", dim=True)
            for event in step.events:
                if event.name == "slot":
                    click.secho(f"     slot {event.slot} = {event.value!r}", dim=True)
                elif event.name == "active_loop":
                    click.secho(f"     form {'-> ' + event.loop if event.loop else 'done'}", dim=True)
    if result.with_human:
        click.secho("  (a human agent has this conversation; the bot stays silent until /release)",
                    dim=True)
    for line in SHELL_OUTPUT.render_all(SENDER, result.replies):
        if line.dim:
            click.secho(line.text, dim=True)
        else:
            click.echo(line.text)
    for step in result.steps:
        for event in step.events:
            if event.name == "handoff":
                click.secho(f"  (handoff ticket #{event.ticket}: {event.reason})", dim=True)


def _wait_for_reminders(agent, within_s: float = REMINDER_WAIT_S) -> None:
    """At the end of piped input, the reminders due soon still fire (and are shown)."""
    import time

    due = [r.due for r in agent.reminders.pending(SENDER) if r.due - time.time() <= within_s]
    if not due:
        return
    click.secho(f"  (waiting for {len(due)} reminder(s) due within {within_s:g} s)", dim=True)
    deadline = max(due) + 5
    while time.time() < deadline and any(r.due <= max(due) for r in agent.reminders.pending(SENDER)):
        time.sleep(0.1)


def run_shell(project: Path, models: Path, debug: bool = False,
              metadata: dict | None = None) -> None:
    """Chat on stdin/stdout; `metadata` goes with every message, as a website's backend
    sends it through the REST channel (e.g. a logged-in customer's id)."""
    interactive = sys.stdin.isatty()
    from stores.factory import open_stores

    # the conversation lives in memory (a fresh chat each time); a handoff goes to the queue
    # the server's agents work (endpoints.yml or the default SQLite one)
    from assistant.project import load_checked_project, masking

    loaded = load_checked_project(project)
    queue = open_stores(project, mask_pii=masking(loaded, os.environ.get("SWITCHBOARD_MASK_PII"))).handoffs
    agent = load_agent(project, models, queue=queue, project=loaded)
    def external(result: TurnResult) -> None:  # a reminder fired: shown as it happens
        click.secho(f"\n  (reminder: {result.message.intent.name})", dim=True)
        print_turn(result, debug)

    agent.on_external_turn.append(external)
    if interactive:
        click.echo(f"Switchboard shell ({COMMANDS}).")
    if debug:
        click.secho(describe_setup(agent), dim=True)
    while True:
        if interactive:
            click.echo("You: ", nl=False)
        line = sys.stdin.readline()
        if not line:
            _wait_for_reminders(agent)
            break
        text = line.rstrip("\n")
        command = text.strip()
        if not interactive:
            click.echo(f"You: {text}")
        if command == "/exit":
            break
        if command == "/restart":
            agent.restart(SENDER)
            click.echo("Bot: (conversation restarted)")
            continue
        if command == "/tracker":
            events = [e.to_dict() for e in agent.tracker(SENDER).events]
            click.echo(json.dumps(events, indent=2, ensure_ascii=False, default=str))
            continue
        if command == "/release":
            released = agent.release(SENDER, agent="shell")
            click.echo("Bot: (released by the human agent)" if released
                       else "Bot: (this conversation is not with a human agent)")
            continue
        print_turn(agent.handle(SENDER, text, "shell", metadata), debug)
