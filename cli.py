"""Switchboard's command line: a thin layer over plain functions.

    python cli.py validate      check domain.yml, config.yml, data/ and tests/
    python cli.py train         validate, then train what changed into models/
    python cli.py shell         chat with the trained assistant (reads piped stdin too)
    python cli.py test          replay tests/test_stories.yml and report failing stories
    python cli.py run           serve the assistant over HTTP (REST channel, trackers, handoffs)

User mistakes (`SwitchboardError`) are printed as messages; anything else is a bug and
is reported as one, without a traceback unless SWITCHBOARD_DEBUG=1.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from core.errors import Problem, SwitchboardError

PROJECT_OPTION = click.option(
    "--project", "-p", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
    show_default=True, help="The assistant project folder (with domain.yml).",
)


class UserErrorsGroup(click.Group):
    """Prints SwitchboardError as a message and any other exception as a bug report."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SwitchboardError as exc:
            click.secho(str(exc), fg="red", err=True)
            sys.exit(1)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("\nInterrupted.", err=True)
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001 - last line of defence
            if os.environ.get("SWITCHBOARD_DEBUG"):
                raise
            click.secho(
                f"Internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in Switchboard, not in your files. "
                "Run again with SWITCHBOARD_DEBUG=1 to see the traceback and report it.",
                fg="red", err=True,
            )
            sys.exit(2)


@click.group(cls=UserErrorsGroup)
def cli() -> None:
    """Switchboard: customer-service assistants, offline and fast."""


def print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        color = "red" if problem.severity == "error" else "yellow"
        click.secho(str(problem), fg=color, err=True)


@cli.command()
@PROJECT_OPTION
def validate(project: Path) -> None:
    """Check the project's YAML and report every problem at once."""
    from project.loader import load_project

    from dialogue.registry import unregistered_actions

    loaded = load_project(project, strict=False)
    problems = loaded.problems + ([] if loaded.errors else unregistered_actions(loaded.domain, project))
    print_problems(problems)
    errors = len(loaded.errors)
    warnings = sum(p.severity == "warning" for p in problems)
    if errors:
        click.secho(f"✗ {errors} error(s), {warnings} warning(s).", fg="red", err=True)
        sys.exit(1)
    data = loaded.data
    click.secho(
        f"✓ Project is valid: {len(loaded.domain.intents)} intents, {len(data.examples)} examples, "
        f"{len(loaded.domain.entities)} entities, {len(loaded.domain.responses)} responses, "
        f"{len(data.rules)} rules, {len(data.stories)} stories, "
        f"{len(loaded.tests.stories)} test stories"
        + (f", {warnings} warning(s)." if warnings else "."),
        fg="green",
    )


def models_dir(project: Path, models: Path | None) -> Path:
    return models or project / "models"


MODELS_OPTION = click.option(
    "--models", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Where trained models live [default: PROJECT/models].",
)


@cli.command()
@PROJECT_OPTION
@MODELS_OPTION
@click.option("--force", is_flag=True, help="Retrain even if data and config are unchanged.")
@click.option("--device", default=None, help="cpu, cuda or auto [default: the config's, cpu].")
def train(project: Path, models: Path | None, force: bool, device: str | None) -> None:
    """Validate, then train the NLU into models/ (skipped when nothing it reads changed)."""
    from assistant.train import train_project
    from project.loader import load_project

    from dialogue.registry import unregistered_actions

    loaded = load_project(project)
    print_problems(loaded.warnings + unregistered_actions(loaded.domain, project))
    outcome = train_project(loaded, models_dir(project, models), force=force, device=device)
    if outcome.dialogue_retrained:
        stats = outcome.dialogue_stats
        click.secho(f"✓ Trained dialogue policies ({stats['rules']} rules, {stats['stories']} stories, "
                    f"{stats['ml_examples']} ML examples) in {stats['seconds']} s", fg="green")
    else:
        click.secho("✓ Dialogue policies are up to date.", fg="green")
    if outcome.selector_examples is not None:
        click.secho(f"✓ Indexed {outcome.selector_examples} FAQ examples for the response selector",
                    fg="green")
    if outcome.knowledge_passages is not None:
        click.secho(f"✓ Indexed {outcome.knowledge_passages} knowledge passages", fg="green")
    if outcome.retrained:
        click.secho(f"✓ Trained NLU into {outcome.nlu_dir}", fg="green")
    else:
        click.secho(
            f"✓ NLU is up to date ({outcome.nlu_dir}, data fingerprint {outcome.fingerprint[:12]}); "
            "nothing to train. Use --force to retrain.", fg="green",
        )


@cli.command()
@PROJECT_OPTION
@MODELS_OPTION
@click.option("--debug", is_flag=True,
              help="Also print the ranking, slot changes and every policy's prediction.")
def shell(project: Path, models: Path | None, debug: bool) -> None:
    """Chat with the trained assistant. Reads piped input line by line;
    /restart, /tracker, /release, /exit."""
    from assistant.shell import run_shell

    run_shell(project, models_dir(project, models), debug=debug)


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


@cli.command()
@PROJECT_OPTION
@MODELS_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5005, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int,
              help="uvicorn worker processes (they share the SQLite store).")
@click.option("--token", envvar="SWITCHBOARD_TOKEN", default=None,
              help="Bearer token for every request but /health [env SWITCHBOARD_TOKEN]; "
                   "one is generated when binding beyond localhost without it.")
@click.option("--store", default=None,
              help="Tracker store: a SQLite file [default: PROJECT/.switchboard/conversations.sqlite] "
                   "or redis://HOST:PORT/DB or postgresql://USER@HOST:PORT/DB to share conversations "
                   "between workers and hosts.")
@click.option("--mask-pii", is_flag=True,
              help="Store conversations with emails, card and phone numbers masked.")
def run(project: Path, models: Path | None, host: str, port: int, workers: int,
        token: str | None, store: str | None, mask_pii: bool) -> None:
    """Serve the assistant over HTTP (Rasa-compatible REST channel and more)."""
    import secrets

    import uvicorn

    from dialogue.agent import Agent  # noqa: F401  (fail fast on import problems)

    from assistant.train import nlu_dir
    from project.loader import state_path
    from nlu import read_metadata

    models = models_dir(project, models)
    read_metadata(nlu_dir(models))  # no (or an incompatible) model: a clear error, before serving
    if not token and host not in LOCAL_HOSTS:
        token = secrets.token_urlsafe(24)
        click.secho(f"Binding to {host}: bearer token required. Generated one: {token}", fg="yellow")
    os.environ.update({"SWITCHBOARD_PROJECT": str(project), "SWITCHBOARD_MODELS": str(models),
                       "SWITCHBOARD_STORE": str(store or state_path(project, "conversations.sqlite"))})
    if token:
        os.environ["SWITCHBOARD_TOKEN"] = token
    if mask_pii:
        os.environ["SWITCHBOARD_MASK_PII"] = "1"
    uvicorn.run("server.main:app_factory", factory=True, host=host, port=port, workers=workers,
                log_level="warning")


STORE_OPTION = click.option(
    "--store", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="SQLite tracker store [default: PROJECT/.switchboard/conversations.sqlite].")


@cli.group()
def conversations() -> None:
    """Export or delete one customer's conversations (privacy requests)."""


@conversations.command("export")
@PROJECT_OPTION
@STORE_OPTION
@click.argument("sender_id")
def export_conversation(project: Path, store: Path | None, sender_id: str) -> None:
    """Print every stored event of SENDER_ID, and their handoff tickets, as JSON."""
    import json
    from dataclasses import asdict

    from project.loader import state_path
    from stores.sqlite import SQLiteStore
    from stores.handoffs import HandoffQueue

    events = SQLiteStore(store or state_path(project, "conversations.sqlite")).load(sender_id)
    tickets = [asdict(t) for t in HandoffQueue(state_path(project, "handoffs.sqlite")).list(None, sender_id)]
    if not events and not tickets:
        raise click.ClickException(f"No conversation stored for '{sender_id}'.")
    click.echo(json.dumps({"sender_id": sender_id, "events": [e.to_dict() for e in events],
                           "handoffs": tickets}, indent=2, ensure_ascii=False, default=str))


@conversations.command("delete")
@PROJECT_OPTION
@STORE_OPTION
@click.argument("sender_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_conversation(project: Path, store: Path | None, sender_id: str, yes: bool) -> None:
    """Delete every stored event and handoff ticket of SENDER_ID."""
    from project.loader import state_path
    from stores.sqlite import SQLiteStore
    from stores.handoffs import HandoffQueue

    if not yes and sys.stdin.isatty():
        click.confirm(f"Delete all conversations of '{sender_id}'?", abort=True)
    events = SQLiteStore(store or state_path(project, "conversations.sqlite")).delete(sender_id)
    tickets = HandoffQueue(state_path(project, "handoffs.sqlite")).delete_sender(sender_id)
    click.secho(f"✓ Deleted {events} event(s) and {tickets} handoff ticket(s) of '{sender_id}'.", fg="green")


@cli.command("test")
@PROJECT_OPTION
@MODELS_OPTION
def test_command(project: Path, models: Path | None) -> None:
    """Run the conversation tests (tests/*.yml stories) against the trained assistant."""
    from assistant.story_report import run_and_print

    ok = run_and_print(project, models_dir(project, models))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    cli()
