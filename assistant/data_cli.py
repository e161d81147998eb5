"""`cli.py data`: learn from real conversations (review → annotate → merge → train).

    python cli.py data review [-p PROJECT] [--store URL] [--limit 20] [--days 30] [--json]
    python cli.py data review --annotate        walk the candidates in the terminal
    python cli.py data annotate ID --intent X [--text 'where is [NW-1](order_id)'] [--new-intent]
    python cli.py data dismiss ID
    python cli.py data merge                    annotations -> data/nlu_reviewed.yml, validated

A thin layer over `learning` (candidates, annotations, merge). The store is opened as
`cli.py run` opens it; every text shown is masked (core.pii), whatever the privacy setting.
"""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import click

PROJECT = click.option("--project", "-p", type=click.Path(file_okay=False, path_type=Path),
                       default=Path("."), show_default=True,
                       help="The assistant project folder (with domain.yml).")
STORE = click.option("--store", default=None, metavar="URL",
                     help="The conversation store: a SQLite file or sqlite:///FILE, redis://…, "
                          "postgresql://… [default: endpoints.yml's tracker_store, else "
                          "PROJECT/.switchboard/conversations.sqlite].")
MODELS = click.option("--models", type=click.Path(file_okay=False, path_type=Path), default=None,
                      help="Where trained models live (for the model's guesses) [default: PROJECT/models].")
WHO = click.option("--who", default=lambda: os.environ.get("USER") or None,
                   help="Who annotates (recorded with each annotation) [default: $USER].")


@click.group("data")
def data_group() -> None:
    """Learn from real conversations: review the messages the assistant got wrong,
    annotate them, merge them into data/, then `train`."""


@data_group.command("review")
@PROJECT
@STORE
@MODELS
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@click.option("--days", default=None, type=click.FloatRange(min=0, min_open=True),
              help="Only messages of the last DAYS days [default: all stored].")
@click.option("--json", "as_json", is_flag=True, help="Print the candidates as JSON.")
@click.option("--annotate", is_flag=True, help="Then walk them in the terminal, annotating each.")
@WHO
def review_command(project: Path, store: str | None, models: Path | None, limit: int,
                   days: float | None, as_json: bool, annotate: bool, who: str | None) -> None:
    """The stored customer messages most worth annotating: fallbacks, low confidence,
    rephrased, handed off or thumbed down; deduplicated, personal data masked."""
    loaded, candidates, where = _candidates(project, store, days)
    shown = candidates[:limit]
    if as_json:
        click.echo(json.dumps({"store": where, "candidates": [c.to_dict() for c in shown],
                               "total": len(candidates)}, ensure_ascii=False, indent=2))
        return
    print_candidates(shown, len(candidates), where)
    if annotate and shown:
        _walk(loaded, shown, models, who)


@data_group.command("annotate")
@PROJECT
@STORE
@MODELS
@click.argument("candidate_id", required=False)
@click.option("--intent", default=None, help="The message's intent (a domain intent).")
@click.option("--text", "marked", default=None, metavar="MARKUP",
              help="The message with its entities marked up, Rasa style: 'where is [NW-1](order_id)'.")
@click.option("--new-intent", is_flag=True, help="The intent is new: not in the domain yet.")
@click.option("--days", default=None, type=click.FloatRange(min=0, min_open=True))
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1),
              help="How many candidates to walk (without CANDIDATE_ID).")
@WHO
def annotate_command(project: Path, store: str | None, models: Path | None,
                     candidate_id: str | None, intent: str | None, marked: str | None,
                     new_intent: bool, days: float | None, limit: int, who: str | None) -> None:
    """Annotate the candidate CANDIDATE_ID (from `data review`) with --intent; without
    CANDIDATE_ID, walk the candidates in the terminal."""
    from learning.annotations import Annotations

    loaded, candidates, _ = _candidates(project, store, days)
    if candidate_id is None:
        if intent or marked:
            raise click.UsageError("--intent and --text need a CANDIDATE_ID (see `data review`)")
        _walk(loaded, candidates[:limit], models, who)
        return
    candidate = _find(candidates, candidate_id)
    if not intent:
        raise click.UsageError("give the candidate's --intent")
    entry = Annotations.open(project).annotate(loaded.domain, candidate, intent, marked, who, new_intent)
    click.secho(f"✓ {candidate.id} annotated as {entry.intent}"
                + (f" with {len(entry.entities)} entit{'y' if len(entry.entities) == 1 else 'ies'}"
                   if entry.entities else "") + "; `cli.py data merge` writes it into data/.",
                fg="green")


@data_group.command("dismiss")
@PROJECT
@STORE
@click.argument("candidate_id")
@WHO
def dismiss_command(project: Path, store: str | None, candidate_id: str, who: str | None) -> None:
    """Never offer CANDIDATE_ID for review again (spam, a test message, nothing to learn)."""
    from learning.annotations import Annotations

    _, candidates, _ = _candidates(project, store, None)
    candidate = _find(candidates, candidate_id)
    Annotations.open(project).dismiss(candidate, who)
    click.secho(f"✓ {candidate.id} dismissed.", fg="green")


@data_group.command("merge")
@PROJECT
def merge_command(project: Path) -> None:
    """Write the annotated messages into data/nlu_reviewed.yml (validated; put back as it
    was on an error), then say what to run next."""
    from assistant.project import load_checked_project
    from learning.annotations import Annotations
    from learning.merge import TARGET, merge_annotations

    book = Annotations.open(project)
    if not book.pending():
        click.echo("Nothing to merge: no new annotations (`cli.py data review --annotate`).")
        return
    outcome = merge_annotations(project, book, problems_of=lambda root: load_checked_project(
        root, strict=False).problems)
    for line, annotation in outcome.written:
        click.echo(f"  {TARGET}:{line}: {annotation.intent}")
    for annotation in outcome.skipped:
        click.echo(f"  skipped (already a training example): {annotation.text}")
    click.secho(f"✓ Merged {len(outcome.written)} example(s) into {TARGET}; the project is valid.",
                fg="green")
    if outcome.written:
        where = "" if project.resolve() == Path.cwd().resolve() else f" -p {project}"
        click.echo(f"Next: retrain (only the NLU changed, the policies are kept):\n"
                   f"  python cli.py train{where}")


def _candidates(project: Path, store: str | None, days: float | None):
    """(checked project, candidates, store description)."""
    from assistant.project import load_checked_project, project_stores
    from learning.review import review

    loaded = load_checked_project(project)
    stores = project_stores(project, loaded, store)
    for problem in stores.warnings:
        click.secho(str(problem), fg="yellow", err=True)
    return loaded, review(loaded, stores.tracker, days), stores.description


def _find(candidates, candidate_id: str):
    matches = [c for c in candidates if c.id.startswith(candidate_id.strip())]
    if len(matches) != 1:
        raise click.BadParameter(f"'{candidate_id}' is {'not' if not matches else 'more than'} one "
                                 "of the candidates `data review` lists", param_hint="CANDIDATE_ID")
    return matches[0]


def print_candidates(candidates, total: int, where: str) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(width=None if sys.stdout.isatty() else 140)
    if not candidates:
        console.print(f"Nothing to review in {escape(where)}: no stored message went to fallback, "
                      "was unsure, rephrased, handed off or thumbed down (or all are annotated).")
        return
    console.print(f"From {escape(where)}:")
    table = Table(title=f"Messages to review ({len(candidates)} of {total}, most useful first)",
                  title_justify="left", header_style="bold")
    for name, justify in (("id", "left"), ("count", "right"), ("convs", "right"), ("reasons", "left"),
                          ("predicted", "left"), ("conf", "right"), ("text", "left"),
                          ("last seen", "left")):
        table.add_column(name, justify=justify)
    for c in candidates:
        reasons = ", ".join(c.to_dict()["reasons"])
        table.add_row(c.id, str(c.count), str(c.senders), reasons, escape(c.intent or "—"), f"{c.confidence:.2f}",
                      escape(c.text), _day(c.last_seen))
    console.print(table)
    console.print("Annotate: `cli.py data review --annotate`, or `cli.py data annotate ID --intent X`.")


def _day(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d") if timestamp else ""


def _walk(loaded, candidates, models: Path | None, who: str | None) -> None:
    """The interactive annotation, in a terminal only: a CI job without one stops at once."""
    if not sys.stdin.isatty():
        click.echo("Not a terminal: nothing annotated interactively. Annotate one message with "
                   "`cli.py data annotate ID --intent X [--text MARKUP]`.", err=True)
        return
    from learning.annotations import Annotations

    _complete_with(loaded.domain.intents)
    parse = _parser(loaded, models)
    done = walk(candidates, loaded.domain, Annotations.open(loaded.root), _ask, click.echo, parse, who)
    click.secho(f"✓ {done['annotated']} annotated, {done['dismissed']} dismissed, "
                f"{done['skipped']} skipped." + (" Next: `cli.py data merge`." if done["annotated"] else ""),
                fg="green")


def _ask(prompt: str) -> str | None:
    """One line from the terminal; None at end of input (Ctrl-D) or Ctrl-C."""
    try:
        return input(prompt)
    except (EOFError, KeyboardInterrupt):
        click.echo()
        return None


def _complete_with(intents: list[str]) -> None:
    """Tab completes intent names (where Python has readline)."""
    try:
        import readline
    except ImportError:
        return
    options = sorted(intents)

    def complete(text: str, state: int):
        found = [i for i in options if i.startswith(text)]
        return found[state] if state < len(found) else None

    readline.set_completer(complete)
    readline.parse_and_bind("tab: complete")


def _parser(loaded, models: Path | None) -> Callable | None:
    """The trained NLU's parse, for the guesses; None when there is no usable model."""
    from assistant.train import nlu_dir
    from core.errors import SwitchboardError

    folder = nlu_dir(models or loaded.root / "models")
    if not (folder / "metadata.json").is_file():
        return None
    try:
        from nlu import NLUParser

        return NLUParser.load(folder).parse
    except SwitchboardError as exc:
        click.secho(f"(no guesses from the model: {exc})", fg="yellow", err=True)
        return None


def walk(candidates, domain, book, ask: Callable[[str], str | None], say: Callable[[str], None],
         parse: Callable | None = None, who: str | None = None) -> dict[str, int]:
    """Ask about each candidate in turn: Enter accepts the model's guess, an intent name (or
    a prefix of one; `+name` for a new intent), `s` skips, `d` dismisses, `q` (or the end of
    input) stops. Then the entities: Enter keeps the guessed ones, or type the text with
    [value](entity) markup. Returns the counts of annotated, dismissed and skipped."""
    from learning.annotations import AnnotationInvalid, example_text, markup_of
    from learning.review import guess, match_intent

    done = {"annotated": 0, "dismissed": 0, "skipped": 0}
    for n, candidate in enumerate(candidates, 1):
        intent, entities = guess(parse, candidate)
        reasons = ", ".join(candidate.to_dict()["reasons"])
        say(f"\n[{n}/{len(candidates)}] {candidate.id}  ×{candidate.count} ({reasons}), "
            f"{candidate.senders} conversation(s)\n  text:  {candidate.text}\n"
            f"  guess: {intent or '—'}" + (f"  entities: {markup_of(example_text(candidate.text), entities)}"
                                         if entities else ""))
        answer = _intent_answer(ask, say, domain.intents, intent, match_intent)
        if answer is None:
            break
        if answer in ("s", "d"):
            if answer == "d":
                book.dismiss(candidate, who)
            done["dismissed" if answer == "d" else "skipped"] += 1
            continue
        chosen, new = answer.lstrip("+"), answer.startswith("+")
        proposed = markup_of(example_text(candidate.text), entities)
        while True:
            marked = ask(f"  entities [Enter = {proposed}]: ")
            if marked is None:
                return done
            try:
                book.annotate(domain, candidate, chosen, marked.strip() or proposed, who, new)
                done["annotated"] += 1
                break
            except AnnotationInvalid as exc:
                say("\n".join(f"  ! {p}" for p in exc.problems))
    return done


def _intent_answer(ask, say, intents, guessed: str, match) -> str | None:
    """`s`, `d`, an intent (`+name`: a new one), or None to stop."""
    while True:
        answer = ask(f"  intent [Enter = {guessed or 'none'}, s skip, d dismiss, q quit]: ")
        if answer is None or answer.strip() == "q":
            return None
        answer = answer.strip()
        if answer in ("s", "d") or (answer.startswith("+") and len(answer) > 1):
            return answer
        if not answer and guessed in intents:
            return guessed
        found = match(answer, intents) if answer else []
        if len(found) == 1:
            return found[0]
        say(f"  ! ambiguous: {', '.join(found)}" if found else
            "  ! not an intent of the domain (Tab completes; +name for a new intent)")
