"""Switchboard's command line: a thin layer over plain functions.

    python cli.py init DIR      write a new minimal project that validates, trains and chats
    python cli.py validate      check domain.yml, config.yml, data/, tests/, endpoints.yml, credentials.yml
    python cli.py train         validate, then train what changed into models/
    python cli.py shell         chat with the trained assistant (reads piped stdin too)
    python cli.py test          score the NLU on tests/ NLU examples, then replay the test stories
    python cli.py test nlu      intent and entity reports as Rasa writes them (--cross-validation N)
    python cli.py test core     only the test stories: report the failing ones
    python cli.py run           serve the assistant over HTTP (its channels, trackers, handoffs)
    python cli.py conversations export|delete ID   one customer's data (privacy requests)
    python cli.py analytics     containment, fallbacks, handoffs, feedback… per day and channel

User mistakes (`SwitchboardError`) are printed as messages; anything else is a bug and
is reported as one, without a traceback unless SWITCHBOARD_DEBUG=1.
"""
from __future__ import annotations

import json
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
        color = {"error": "red", "warning": "yellow"}.get(problem.severity, "cyan")
        click.secho(str(problem), fg=color, err=True)


@cli.command()
@PROJECT_OPTION
def validate(project: Path) -> None:
    """Check the project's YAML and report every problem at once."""
    from assistant.project import load_checked_project

    loaded = load_checked_project(project, strict=False)
    problems = loaded.problems
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
@click.option("--allow-partial", is_flag=True,
              help="Put the new NLU model in use even when a cap stopped its training or its "
                   "dev scores are far below what the data supports.")
def train(project: Path, models: Path | None, force: bool, device: str | None,
          allow_partial: bool) -> None:
    """Validate, then train the NLU into models/ (skipped when nothing it reads changed).
    The new models replace the old ones only when everything trained and the NLU model is
    good enough (see --allow-partial)."""
    from assistant.project import load_checked_project
    from assistant.train import train_project

    loaded = load_checked_project(project)
    print_problems([p for p in loaded.problems if p.severity != "error"])
    outcome = train_project(loaded, models_dir(project, models), force=force, device=device,
                            allow_partial=allow_partial)
    for problem in outcome.kept_anyway:
        click.secho(f"! --allow-partial: the new NLU model is in use although {problem}",
                    fg="yellow", bold=True)
    if outcome.dialogue_retrained:
        stats = outcome.dialogue_stats
        click.secho(f"✓ Trained dialogue policies {', '.join(stats['policies'])} ({stats['rules']} "
                    f"rules, {stats['stories']} stories"
                    + (f", {stats['ml_examples']} ML examples" if "ml_examples" in stats else "")
                    + f") in {stats['seconds']} s", fg="green")
    else:
        click.secho("✓ Dialogue policies are up to date.", fg="green")
    if outcome.selector_examples is not None:
        click.secho(f"✓ Indexed {outcome.selector_examples} FAQ examples for the response selector",
                    fg="green")
    if outcome.knowledge_passages is not None:
        click.secho(f"✓ Indexed {outcome.knowledge_passages} knowledge passages", fg="green")
    if outcome.retrained:
        click.secho(f"✓ Trained NLU into {outcome.nlu_dir}", fg="green")
    elif not outcome.fingerprint:
        click.secho("✓ The pipeline has no JointBERT: no NLU model to train.", fg="green")
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
@click.option("--metadata", default=None, metavar="JSON",
              help='Sent with every message, as the REST channel\'s "metadata" '
                   '(e.g. \'{"customer_id": "c-1001"}\' for a logged-in customer).')
def shell(project: Path, models: Path | None, debug: bool, metadata: str | None) -> None:
    """Chat with the trained assistant. Reads piped input line by line;
    /restart, /tracker, /release, /exit."""
    from assistant.shell import run_shell

    run_shell(project, models_dir(project, models), debug=debug, metadata=_metadata(metadata))


def _metadata(text: str | None) -> dict | None:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint="--metadata") from None
    if not isinstance(value, dict):
        raise click.BadParameter("must be a JSON object, e.g. '{\"customer_id\": \"c-1001\"}'",
                                 param_hint="--metadata")
    return value


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


@cli.command()
@PROJECT_OPTION
@MODELS_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5005, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int,
              help="uvicorn worker processes (they share the conversation store).")
@click.option("--token", envvar="SWITCHBOARD_TOKEN", default=None,
              help="The admin bearer token (every scope) [env SWITCHBOARD_TOKEN: prefer it "
                   "or --token-file, a command line is visible to every user in `ps`]; one is "
                   "generated (into PROJECT/.switchboard/token) when binding beyond localhost "
                   "without staff tokens (`cli.py tokens create`).")
@click.option("--token-file", default=None, type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Read the bearer token from this file (its first line).")
@click.option("--store", default=None, metavar="URL",
              help="Where conversations and handoff tickets live: a SQLite file or sqlite:///FILE, "
                   "or redis://HOST:PORT/DB or postgresql://USER@HOST:PORT/DB to share them between "
                   "workers and hosts [default: endpoints.yml's tracker_store, else "
                   "PROJECT/.switchboard/conversations.sqlite].")
@click.option("--mask-pii/--no-mask-pii", default=None,
              help="Keep personal data out of the stores (masked; slot values sealed; email and "
                   "phone sender ids pseudonymised) [default: domain.yml privacy.mask_pii, on "
                   "unless false].")
@click.option("--credentials", envvar="SWITCHBOARD_CREDENTIALS", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="The channels to serve (slack, …) and their secrets, as Rasa's credentials.yml "
                   "[env SWITCHBOARD_CREDENTIALS; default: PROJECT/credentials.yml if there is one]; "
                   "REST is always served.")
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="A Host header the server answers (repeat for several; '*' for any) "
                   "[default: the loopback names when bound to one, else any].")
@click.option("--rate-limit", "rate_limits", multiple=True, metavar="KIND=N/SECONDS",
              help="A customer-channel limit: sender (messages per conversation), address "
                   "(messages per client address), session (new conversations per address); "
                   "KIND=off for none [default: sender=20/60, address=60/60, session=10/60].")
@click.option("--forwarded-allow-ips", default=None, metavar="ADDRESSES",
              help="The load balancer's or proxy's addresses (comma-separated, '*' for any): its "
                   "X-Forwarded-For names the client, for the per-address rate limits and logs "
                   "[env FORWARDED_ALLOW_IPS; default: 127.0.0.1].")
def run(project: Path, models: Path | None, host: str, port: int, workers: int,
        token: str | None, token_file: Path | None, store: str | None, mask_pii: bool | None,
        credentials: Path | None, allowed_hosts: tuple[str, ...], rate_limits: tuple[str, ...],
        forwarded_allow_ips: str | None) -> None:
    """Serve the assistant over HTTP (Rasa-compatible REST channel and more).

    Customers (the chat page at /) get a token for their own conversation; staff use bearer
    tokens with scopes (`cli.py tokens create`)."""
    import secrets

    import uvicorn

    from assistant.project import load_checked_project
    from assistant.train import nlu_config, nlu_dir
    from nlu import read_metadata
    from stores.factory import store_settings
    from channels.credentials import load_channels

    models = models_dir(project, models)
    if nlu_config(load_checked_project(project)) is not None:  # a pipeline with JointBERT
        read_metadata(nlu_dir(models))  # no (or an incompatible) model: a clear error first
    settings = store_settings(project, store)  # a bad endpoints.yml too, once, not per worker
    print_problems(list(settings.warnings))
    print_problems(load_channels(project, credentials).warnings)  # a bad credentials.yml: once
    click.echo(f"Conversations and handoffs: {settings.describe()}")
    if token_file is not None:
        words = token_file.read_text(encoding="utf-8").split()
        token = words[0] if words else None
        if not token:
            raise click.UsageError(f"{token_file} is empty: put the bearer token on its first line")
    elif token and "--token" in sys.argv:
        click.secho("--token on the command line is visible to every user of this machine (ps); "
                    "use SWITCHBOARD_TOKEN or --token-file", fg="yellow")
    from core.secret import project_secret
    from server.auth import TOKENS_FILE, read_tokens
    from server.limits import DEFAULTS, parse_limits

    try:
        limits = parse_limits(",".join(rate_limits))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--rate-limit") from None
    staff = read_tokens(project / TOKENS_FILE)  # a broken tokens file: an error now, not per request
    project_secret(project)  # made once here, before the workers read it
    if staff:
        click.echo(f"Staff tokens: {len(staff)} in {project / TOKENS_FILE}"
                   + (" and the admin token" if token else ""))
    if not token and not staff and host not in LOCAL_HOSTS:
        token = secrets.token_urlsafe(24)
        kept = project / ".switchboard" / "token"
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.touch(mode=0o600, exist_ok=True)
        kept.chmod(0o600)
        kept.write_text(token + "\n", encoding="utf-8")
        click.secho(f"Binding to {host}: bearer token required. Generated one into {kept} "
                    "(readable by you only); send it as 'Authorization: Bearer …'", fg="yellow")
    os.environ.update({"SWITCHBOARD_PROJECT": str(project), "SWITCHBOARD_MODELS": str(models)})
    if store:
        os.environ["SWITCHBOARD_STORE"] = store
    else:  # the workers read endpoints.yml, as reported above
        os.environ.pop("SWITCHBOARD_STORE", None)
    if token:
        os.environ["SWITCHBOARD_TOKEN"] = token
    if mask_pii is not None:
        os.environ["SWITCHBOARD_MASK_PII"] = "1" if mask_pii else "0"
    if rate_limits:
        os.environ["SWITCHBOARD_RATE_LIMITS"] = ",".join(rate_limits)
    click.echo("Rate limits: " + ", ".join(f"{kind} {rate or 'off'}" for kind, rate in
                                          {**DEFAULTS, **limits}.items()))
    if credentials:
        os.environ["SWITCHBOARD_CREDENTIALS"] = str(credentials)
    if not allowed_hosts and host not in LOCAL_HOSTS:
        click.echo(f"Answering any Host header (bound to {host}); --allowed-host NAME limits it")
    os.environ["SWITCHBOARD_ALLOWED_HOSTS"] = ",".join(
        allowed_hosts or (LOCAL_HOSTS if host in LOCAL_HOSTS else ("*",)))
    base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    click.echo(f"Chat page {base}/  ·  staff: agent inbox {base}/inbox, analytics {base}/analytics, "
               f"data review {base}/review")
    uvicorn.run("server.main:app_factory", factory=True, host=host, port=port, workers=workers,
                log_level="warning", forwarded_allow_ips=forwarded_allow_ips)


STORE_OPTION = click.option(
    "--store", default=None, metavar="URL",
    help="The conversation store: a SQLite file or sqlite:///FILE, redis://HOST:PORT/DB, "
         "postgresql://USER@HOST:PORT/DB or memory:// [default: endpoints.yml's tracker_store, "
         "else PROJECT/.switchboard/conversations.sqlite]; handoff tickets are read from the "
         "queue beside it.")


@cli.group()
def conversations() -> None:
    """Export or delete one customer's conversations (privacy requests)."""


@conversations.command("export")
@PROJECT_OPTION
@STORE_OPTION
@click.argument("sender_id")
def export_conversation(project: Path, store: str | None, sender_id: str) -> None:
    """Print every stored event of SENDER_ID, and their handoff tickets, as JSON."""
    import json
    from dataclasses import asdict


    stores = _open_stores(project, store)
    print_problems(list(stores.warnings))
    events = [e.to_dict() for e in stores.tracker.load(sender_id)]
    tickets = [asdict(t) for t in stores.handoffs.list(None, sender_id)]
    if not events and not tickets:
        raise click.ClickException(f"No conversation stored for '{sender_id}' in {stores.description}.")
    if getattr(stores.tracker, "mask_pii", False):  # as stored: sealed slot values stay masked
        from stores.private import masked_value

        events = masked_value(events)
    click.echo(json.dumps({"sender_id": sender_id, "events": events,
                           "handoffs": tickets}, indent=2, ensure_ascii=False, default=str))


def _open_stores(project: Path, store: str | None):
    """The stores as the server opens them (masking and pseudonyms as domain.yml says, so
    that a customer's email as sender id finds their conversation)."""
    from assistant.project import project_stores
    from project.loader import load_project

    return project_stores(project, load_project(project, strict=False), store)


@conversations.command("delete")
@PROJECT_OPTION
@STORE_OPTION
@click.argument("sender_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_conversation(project: Path, store: str | None, sender_id: str, yes: bool) -> None:
    """Delete every stored event and handoff ticket of SENDER_ID."""

    stores = _open_stores(project, store)
    print_problems(list(stores.warnings))
    if not yes and sys.stdin.isatty():
        click.confirm(f"Delete all conversations of '{sender_id}' from {stores.description}?", abort=True)
    events = stores.tracker.delete(sender_id)
    tickets = stores.handoffs.delete_sender(sender_id)
    records = _project_forgetters(project).forget(sender_id)
    click.secho(f"✓ Deleted {events} event(s) and {tickets} handoff ticket(s) of '{sender_id}' "
                f"from {stores.description}"
                + (f", and {records} record(s) the project's actions kept" if records else "")
                + ".", fg="green")


def _project_forgetters(project: Path):
    """The project's `@forget` functions (its actions/, imported without the action server)."""
    from dialogue.registry import load_project_actions

    return load_project_actions(project, server=False)


@conversations.command("purge")
@PROJECT_OPTION
@STORE_OPTION
@click.option("--older-than", "days", type=float, default=None, metavar="DAYS",
              help="Delete conversations with no message for DAYS days [default: domain.yml's "
                   "privacy.retention_days].")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def purge_conversations(project: Path, store: str | None, days: float | None, yes: bool) -> None:
    """Delete every conversation (and its handoff tickets) idle for longer than the retention."""
    from project.loader import load_project
    from stores.retention import cutoff, purge

    if days is None:
        days = load_project(project).domain.privacy.retention_days
        if days is None:
            raise click.UsageError("no --older-than DAYS and no privacy: retention_days in domain.yml")
    if days <= 0:
        raise click.UsageError(f"--older-than must be above 0 days, got {days:g}")
    stores = _open_stores(project, store)
    print_problems(list(stores.warnings))
    if not yes and sys.stdin.isatty():
        click.confirm(f"Delete every conversation idle for over {days:g} days from "
                      f"{stores.description}?", abort=True)
    own = _project_forgetters(project)

    def forget(sender_id: str) -> int:
        events = stores.tracker.delete(sender_id)
        stores.handoffs.delete_sender(sender_id)
        own.forget(sender_id)
        return events

    purged = purge(stores.tracker, stores.handoffs, cutoff(days), forget=forget)
    click.secho(f"✓ Deleted {len(purged.conversations)} conversation(s) ({purged.events} event(s)) "
                f"idle for over {days:g} days from {stores.description}.", fg="green")


@cli.group()
def tokens() -> None:
    """Staff bearer tokens with scopes, for `cli.py run` (PROJECT/.switchboard/tokens.yml).

    Scopes: agent (the handoff desk: handoffs, release, agent messages, trackers), channel
    (speak for any customer: a backend in front of the bot), metrics (/metrics), admin (all).
    A running server picks up changes at once; only each token's SHA-256 is stored."""


@tokens.command("create")
@PROJECT_OPTION
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, required=True,
              type=click.Choice(["agent", "channel", "metrics", "admin"]),
              help="What the token may do (repeat for several).")
def create_token(project: Path, name: str, scopes: tuple[str, ...]) -> None:
    """Make a token called NAME (e.g. the agent's name, which signs their messages) and
    print it, once."""
    from server.auth import TOKENS_FILE, new_staff_token

    token = new_staff_token(project / TOKENS_FILE, name, list(scopes))
    click.echo(token)
    click.secho(f"Token '{name}' ({', '.join(sorted(set(scopes)))}) added to {project / TOKENS_FILE}; "
                "it is shown only now. Send it as 'Authorization: Bearer …'.", fg="green", err=True)


@tokens.command("list")
@PROJECT_OPTION
def list_tokens(project: Path) -> None:
    """The tokens' names, scopes and creation times (never the tokens)."""
    from server.auth import TOKENS_FILE, read_tokens

    entries = read_tokens(project / TOKENS_FILE)
    if not entries:
        click.echo(f"No staff tokens in {project / TOKENS_FILE}.")
    for entry in entries:
        click.echo(f"{entry['name']}\t{','.join(entry['scopes'])}\t{entry.get('created', '')}")


@tokens.command("revoke")
@PROJECT_OPTION
@click.argument("name")
def revoke_token(project: Path, name: str) -> None:
    """Stop the token called NAME from working (a running server too, at once)."""
    from server.auth import TOKENS_FILE, revoke_staff_token

    if not revoke_staff_token(project / TOKENS_FILE, name):
        raise click.ClickException(f"No token named '{name}' in {project / TOKENS_FILE}.")
    click.echo(f"Revoked '{name}'.")


LIVE_OPTION = click.option(
    "--live", is_flag=True,
    help="Run every turn for real (forms, custom actions, the action server) instead "
         "of replaying the story's events as `rasa test` does.")
RESULTS_OPTION = click.option(
    "--out", "results", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Where the reports go (story_report.json, intent_report.json, …) "
         "[default: PROJECT/results].")
NLU_TEST_OPTION = click.option(
    "--nlu", "nlu_path", type=click.Path(path_type=Path), default=None,
    help="A Rasa NLU YAML file, or a folder of them, to test the NLU on "
         "[default: the NLU examples in PROJECT/tests/].")


def _inherited(ctx: click.Context, **values):
    """Options given before the subcommand (`test -p X nlu`) count unless given after it."""
    from click.core import ParameterSource

    parent = ctx.parent.params if ctx.parent else {}
    return [parent.get(name, value) if ctx.get_parameter_source(name) is ParameterSource.DEFAULT
            else value for name, value in values.items()]


@cli.group("test", invoke_without_command=True)
@PROJECT_OPTION
@MODELS_OPTION
@LIVE_OPTION
@RESULTS_OPTION
@NLU_TEST_OPTION
@click.pass_context
def test_command(ctx: click.Context, project: Path, models: Path | None, live: bool,
                 results: Path | None, nlu_path: Path | None) -> None:
    """Test the trained assistant: the NLU on tests/ NLU examples, then the conversation
    tests (tests/*.yml stories). `test nlu` or `test core` runs one of them."""
    if ctx.invoked_subcommand is not None:
        return
    from assistant.nlu_report import run_and_print as run_nlu
    from assistant.story_report import run_and_print

    nlu_ok = run_nlu(project, models_dir(project, models), nlu=nlu_path, results=results,
                     required=nlu_path is not None)
    click.echo()
    stories_ok = run_and_print(project, models_dir(project, models), live=live, results=results)
    sys.exit(0 if nlu_ok and stories_ok else 1)


@test_command.command("nlu")
@PROJECT_OPTION
@MODELS_OPTION
@NLU_TEST_OPTION
@click.option("--cross-validation", "--folds", "folds", type=click.IntRange(min=2), default=None,
              help="Instead of tests/: train N models on data/ (folds stratified by intent), "
                   "each tested on the fold it did not see.")
@RESULTS_OPTION
@click.option("--device", default=None, help="For --cross-validation: cpu, cuda or auto.")
@click.option("--successes", is_flag=True, help="Also write intent_successes.json.")
@click.pass_context
def test_nlu(ctx: click.Context, project: Path, models: Path | None, nlu_path: Path | None,
             folds: int | None, results: Path | None, device: str | None,
             successes: bool) -> None:
    """Score intents and entities: intent_report.json, intent_errors.json, the confusion
    matrix and confidence histogram, <extractor>_report.json and _errors.json (as Rasa)."""
    from assistant.nlu_report import run_and_print as run_nlu

    project, models, results, nlu_path = _inherited(ctx, project=project, models=models,
                                                    results=results, nlu_path=nlu_path)
    if folds and nlu_path is not None:
        raise click.UsageError("--cross-validation tests on data/ itself; leave out --nlu.")
    run_nlu(project, models_dir(project, models), nlu=nlu_path, folds=folds or 0,
            results=results, device=device, successes=successes)


@test_command.command("core")
@PROJECT_OPTION
@MODELS_OPTION
@LIVE_OPTION
@RESULTS_OPTION
@click.pass_context
def test_core(ctx: click.Context, project: Path, models: Path | None, live: bool,
              results: Path | None) -> None:
    """Run only the conversation tests (tests/*.yml stories)."""
    from assistant.story_report import run_and_print

    project, models, live, results = _inherited(ctx, project=project, models=models, live=live,
                                                results=results)
    ok = run_and_print(project, models_dir(project, models), live=live, results=results)
    sys.exit(0 if ok else 1)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Write into a folder that is not empty (overwrites the starter files).")
def init(directory: Path, force: bool) -> None:
    """Create a new, minimal assistant project in DIRECTORY (like `rasa init`)."""
    from assistant.init import init_project

    written = init_project(directory, force=force)
    for path in written:
        click.echo(f"  {path}")
    click.secho(f"✓ Created a new assistant in {directory} ({len(written)} files).", fg="green")
    here = Path(__file__).resolve()
    command = "cli.py" if Path.cwd().resolve() == here.parent else str(here)
    click.echo("Next: read its README.md, then train it and chat with it:\n"
               f"  python {command} train -p {directory}\n"
               f"  python {command} shell -p {directory}")


from assistant.analytics_cli import analytics_command  # noqa: E402 (light: imports lazily)

cli.add_command(analytics_command)
from assistant.data_cli import data_group  # noqa: E402 (light: imports lazily)
cli.add_command(data_group)

if __name__ == "__main__":
    cli()
