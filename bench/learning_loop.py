"""The review → annotate → merge → retrain loop on the example, and how many more held-out
customer messages the retrained model understands.

    python -m bench.learning_loop --project /tmp/s7/loop      # a COPY of the example, trained

Run it on a copy: it writes data/nlu_reviewed.yml, .switchboard/annotations.yml and
retrains the copy's models. What it does:
  1. sends every message of tests/fixtures/review_traffic.yml (hand-written customer
     messages, none in data/, each with its true intent) through the trained assistant,
     one conversation each, into a fresh store of the copy (its default
     .switchboard/conversations.sqlite, privacy on, as by default);
     a customer whose message got a wrong intent (not a fallback) thumbs the reply down
     (simulated from the true label: every such customer, an upper bound; --no-thumbs: none);
  2. splits them: in each intent's list the 1st, 3rd, 5th … message is the half the staff
     annotates, the 2nd, 4th … the held-out half;
  3. `review` finds the candidates (fallback, low confidence …) in the stored traffic;
  4. a scripted "staff" annotates the candidates that came from the annotate half, with the
     fixture's true intent and entities (as a person would; held-out candidates are left
     alone), then `merge` writes them into data/ and validates;
  5. `cli.py train` retrains (the output must say the dialogue policies are up to date);
  6. the held-out half is parsed again with the retrained NLU.
A message is understood when its intent is the true one and not nlu_fallback.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TRAFFIC = ROOT / "tests" / "fixtures" / "review_traffic.yml"


def load_traffic(path: Path) -> list[tuple[str, str, str, bool]]:
    """(sender, marked-up text, true intent, held out?) for every message of the fixture."""
    out = []
    for block in yaml.safe_load(path.read_text(encoding="utf-8"))["traffic"]:
        for n, text in enumerate(block["texts"]):
            out.append((f"traffic-{len(out):03d}", text, block["intent"], n % 2 == 1))
    return out


def understood(message, intent: str) -> bool:
    return message.intent.name == intent and message.fallback is None


def send(project: Path, models: Path, traffic, store_url: str | None, thumbs: bool):
    """Every message through the trained assistant into the store; returns the stores, the
    Message each got and how many replies were thumbed down (with `thumbs`, the simulated
    customer thumbs-down every answer to a wrong intent)."""
    from assistant.loading import load_agent
    from project.markup import parse_markup
    from stores.factory import open_stores

    stores = open_stores(project, store_url, mask_pii=True)
    agent = load_agent(project, models, queue=stores.handoffs, store=stores.tracker, seed=0)
    parsed, rated = {}, 0
    for sender, marked, intent, _ in traffic:
        agent.handle(sender, parse_markup(marked)[0], "rest")
        message = parsed[sender] = agent.tracker(sender).latest_message.message
        if thumbs and message.fallback is None and message.intent.name != intent:
            rated += agent.feedback(sender, -1) is not None  # a wrong answer: thumbs-down
    return stores, parsed, rated


def staff_annotates(project: Path, store, traffic) -> dict[str, int]:
    """The scripted staff: each candidate from the annotate half gets the fixture's labels."""
    from assistant.project import load_checked_project
    from learning.annotations import Annotations, example_text
    from learning.candidates import review_key
    from learning.review import review
    from project.markup import parse_markup

    loaded = load_checked_project(project)
    book = Annotations.open(project)
    truth = {review_key(parse_markup(m)[0]): (m, i, held) for _, m, i, held in traffic}
    counts = {"candidates": 0, "annotated": 0, "held_out_candidates": 0, "unmatched": 0}
    reasons: dict[str, int] = {}
    for candidate in review(loaded, store, book=book):
        counts["candidates"] += 1
        for reason in candidate.reasons:
            reasons[reason] = reasons.get(reason, 0) + 1
        found = truth.get(candidate.key)
        if found is None:
            counts["unmatched"] += 1
            continue
        marked, intent, held = found
        if held:
            counts["held_out_candidates"] += 1
            continue
        # the markup only when the text shown is the message as written (no masked value)
        same = parse_markup(marked)[0] == example_text(candidate.text)
        book.annotate(loaded.domain, candidate, intent, marked if same else None, who="bench-staff")
        counts["annotated"] += 1
    counts.update({f"reason_{k}": v for k, v in sorted(reasons.items())})
    return counts


def merge(project: Path) -> int:
    from assistant.project import load_checked_project
    from learning.annotations import Annotations
    from learning.merge import merge_annotations

    outcome = merge_annotations(project, Annotations.open(project),
                                problems_of=lambda root: load_checked_project(root, strict=False).problems)
    return len(outcome.written)


def retrain(project: Path) -> str:
    started = time.time()
    done = subprocess.run(["nice", "-n", "10", sys.executable, str(ROOT / "cli.py"), "train",
                           "-p", str(project)], capture_output=True, text=True, cwd=ROOT, check=False)
    output = done.stdout + done.stderr
    if done.returncode:
        raise SystemExit(f"train failed:\n{output}")
    print(f"train ({time.time() - started:.0f} s):")
    for line in output.splitlines():
        if line.startswith("✓"):
            print("  " + line)
    return output


def after(project: Path, models: Path, traffic) -> dict:
    from assistant.loading import load_agent
    from project.markup import parse_markup
    from stores.sqlite import InMemoryStore

    agent = load_agent(project, models, store=InMemoryStore(), seed=0)
    return {sender: agent.understand(parse_markup(m)[0]) for sender, m, _, _ in traffic}


def table(traffic, before: dict, later: dict) -> str:
    """Understood before and after, per half; `fixed` / `broke`: messages that went from not
    understood to understood and back (a retrain also moves some it was not taught)."""
    rows = ["| slice | messages | understood before | understood after | change | fixed | broke |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for name, held in (("held-out half (never annotated)", True), ("annotated half (trained on)", False)):
        part = [(s, i) for s, _, i, h in traffic if h == held]
        b = [understood(before[s], i) for s, i in part]
        a = [understood(later[s], i) for s, i in part]
        fixed = sum(y and not x for x, y in zip(b, a))
        broke = sum(x and not y for x, y in zip(b, a))
        rows.append(f"| {name} | {len(part)} | {sum(b)} ({100 * sum(b) / len(part):.1f} %) | "
                    f"{sum(a)} ({100 * sum(a) / len(part):.1f} %) | {sum(a) - sum(b):+d} | {fixed} | {broke} |")
    held_out = [s for s, _, _, h in traffic if h]
    b = sum(before[s].fallback is not None for s in held_out)
    a = sum(later[s].fallback is not None for s in held_out)
    rows.append(f"| held-out: went to fallback | {len(held_out)} | {b} | {a} | {a - b:+d} | | |")
    changed = [f"  {'fixed' if understood(later[s], i) else 'broke'}: [{i}] {m} "
               f"({before[s].intent.name} -> {later[s].intent.name})"
               for s, m, i, h in traffic if h and understood(before[s], i) != understood(later[s], i)]
    return "\n".join(rows + ["", "held-out messages that changed:", *changed])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, required=True, help="A trained COPY of the example.")
    parser.add_argument("--traffic", type=Path, default=TRAFFIC)
    parser.add_argument("--no-thumbs", action="store_true",
                        help="Customers never rate: only fallbacks and low confidence are found.")
    args = parser.parse_args()
    project, models = args.project.resolve(), args.project.resolve() / "models"
    if project == ROOT:
        raise SystemExit("run on a copy of the example, not on the repository itself")
    if (project / "data" / "nlu_reviewed.yml").exists():
        raise SystemExit(f"{project}/data/nlu_reviewed.yml exists: start from a fresh copy")
    from project.loader import state_path

    for name in ("conversations.sqlite", "handoffs.sqlite", "annotations.yml"):  # a fresh store
        state_path(project, name).unlink(missing_ok=True)
    traffic = load_traffic(args.traffic)
    stores, before, rated = send(project, models, traffic, None, thumbs=not args.no_thumbs)
    counts = staff_annotates(project, stores.tracker, traffic)
    merged = merge(project)
    print(f"{len(traffic)} messages stored ({rated} replies thumbed down); review: {counts}; "
          f"merged {merged} examples into data/nlu_reviewed.yml")
    output = retrain(project)
    if "Dialogue policies are up to date" not in output or "Trained NLU" not in output:
        raise SystemExit("expected only the NLU to retrain:\n" + output)
    print(table(traffic, before, after(project, models, traffic)))


if __name__ == "__main__":
    main()
