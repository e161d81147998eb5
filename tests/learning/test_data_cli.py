"""`cli.py data review | annotate | dismiss | merge` (assistant/data_cli.py), on a copy of the
mini project with conversations stored by hand; the terminal walk with scripted answers."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from cli import cli
from learning.annotations import Annotations
from stores.sqlite import SQLiteStore
from tests.learning.conftest import user
from tests.support import ROOT


@pytest.fixture
def store_url(project_dir) -> str:
    path = project_dir / ".switchboard" / "conversations.sqlite"
    path.parent.mkdir(exist_ok=True)
    store = SQLiteStore(path)
    store.append("jane@example.com", [user("wheres order 12345 mail jane@example.com", "order_status",
                                           0.2, at=100, fallback=True)])
    store.append("c2", [user("yo", "greet", 0.45, at=200)])
    store.append("c3", [user("yo", "greet", 0.45, at=300), user("gift cards?", "inform", 0.1, at=301,
                                                                  fallback=True)])
    return f"sqlite:///{path}"


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def listed(project_dir, store_url) -> dict:
    result = run("data", "review", "-p", str(project_dir), "--store", store_url, "--json")
    assert result.exit_code == 0, result.output
    return {c["text"]: c for c in json.loads(result.output)["candidates"]}


def test_review_lists_the_candidates_masked(project_dir, store_url) -> None:
    found = listed(project_dir, store_url)
    assert set(found) == {"wheres order 12345 mail [email]", "yo", "gift cards?"}
    assert found["yo"]["count"] == 2 and found["yo"]["reasons"] == ["low"]
    table = run("data", "review", "-p", str(project_dir), "--store", store_url, "--limit", "1")
    assert table.exit_code == 0 and "gift cards?" in table.output and "1 of 3" in table.output
    everything = run("data", "review", "-p", str(project_dir), "--store", store_url)
    assert "[email]" in everything.output and "jane" not in everything.output


def test_annotate_dismiss_and_merge(project_dir, store_url) -> None:
    found = listed(project_dir, store_url)
    order, yo = found["wheres order 12345 mail [email]"]["id"], found["yo"]["id"]
    base = ["-p", str(project_dir), "--store", store_url]
    bad = CliRunner().invoke(cli, ["data", "annotate", order, *base, "--intent", "order_stat"])
    assert bad.exit_code == 1 and "did you mean 'order_status'" in bad.output
    done = run("data", "annotate", order, *base, "--intent", "order_status", "--who", "sam",
               "--text", "wheres order [12345](order_id) mail [jane.doe@example.com](email)")
    assert done.exit_code == 0 and "annotated as order_status with 2 entities" in done.output
    assert run("data", "annotate", yo, *base, "--intent", "greet").exit_code == 0
    assert run("data", "dismiss", found["gift cards?"]["id"], *base).exit_code == 0
    assert listed(project_dir, store_url) == {}  # all reviewed
    merged = run("data", "merge", "-p", str(project_dir))
    assert merged.exit_code == 0, merged.output
    assert "Merged 2 example(s)" in merged.output and "python cli.py train -p" in merged.output
    assert "data/nlu_reviewed.yml:" in merged.output
    written = (project_dir / "data" / "nlu_reviewed.yml").read_text(encoding="utf-8")
    assert "- wheres order [12345](order_id) mail [jane.doe@example.com](email)" in written
    assert run("data", "merge", "-p", str(project_dir)).output.startswith("Nothing to merge")


def test_a_merge_that_does_not_validate_says_where(project_dir, store_url) -> None:
    found = listed(project_dir, store_url)
    run("data", "annotate", found["gift cards?"]["id"], "-p", str(project_dir), "--store", store_url,
        "--intent", "gift_cards", "--new-intent")
    result = CliRunner().invoke(cli, ["data", "merge", "-p", str(project_dir)])
    assert result.exit_code == 1
    assert "data/nlu_reviewed.yml:" in result.output and "gift_cards" in result.output
    assert not (project_dir / "data" / "nlu_reviewed.yml").exists()


def test_no_terminal_stops_at_once(project_dir, store_url) -> None:
    result = run("data", "review", "-p", str(project_dir), "--store", store_url, "--annotate", input="")
    assert result.exit_code == 0 and "Not a terminal" in result.output
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "data", "annotate", "-p", str(project_dir),
                           "--store", store_url], stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0 and "Not a terminal" in done.stderr
    assert not Annotations.open(project_dir).entries


def test_the_walk_accepts_guesses_prefixes_skips_and_stops(project_dir, store_url) -> None:
    from assistant.data_cli import walk
    from learning.candidates import ReviewSettings, conversations, find_candidates
    from project.loader import load_project
    from stores.factory import open_stores

    domain = load_project(project_dir).domain
    candidates = find_candidates(conversations(open_stores(project_dir, store_url).tracker),
                                 ReviewSettings(threshold=0.4))
    assert [c.text for c in candidates] == ["gift cards?", "wheres order 12345 mail [email]", "yo"]
    answers = iter(["d", "nope", "order_s", "wheres [order](bogus) 12345 mail jane.doe@example.com",
                    "", None])
    said: list[str] = []
    book = Annotations.open(project_dir)
    done = walk(candidates, domain, book, lambda prompt: next(answers), said.append)
    assert done == {"annotated": 1, "dismissed": 1, "skipped": 0}
    assert any("not an intent of the domain" in s for s in said)
    assert any("entity 'bogus' is not in the domain" in s for s in said)
    statuses = {a.text: (a.status, a.intent) for a in book.entries.values()}
    assert statuses == {"gift cards?": ("dismissed", None),
                        "wheres order 12345 mail jane.doe@example.com": ("annotated", "order_status")}
    # Enter accepts the guess; the end of input stops
    answers = iter(["", "", None])
    assert walk(candidates[2:], domain, book, lambda prompt: next(answers), said.append)["annotated"] == 1
    assert book.entries["yo"].intent == "greet"
