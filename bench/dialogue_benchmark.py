"""Action accuracy of the dialogue policies on stories held out from training.

k-fold over the project's data/stories.yml: the ML policy and memoization are trained on
the other folds' stories (plus all rules, as in `cli.py train`); every action of each
held-out story is then predicted from the true conversation so far (teacher forcing).
Reported for the ML policy alone, and for the whole ensemble (rules, memoization, ML,
fallback, as `choose` decides).

    python bench/dialogue_benchmark.py [--project .] [--folds 5]
"""
from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from project.loader import load_project  # noqa: E402
from core.tracker import Tracker  # noqa: E402
from policies.ensemble import PolicyEnsemble  # noqa: E402
from policies.memoization import MemoizationPolicy  # noqa: E402
from policies.ml import MLPolicy  # noqa: E402
from policies.rules import RulePolicy  # noqa: E402
from policies.states import story_trackers  # noqa: E402


def evaluate(ensemble: PolicyEnsemble, stories, domain) -> tuple[int, int, int]:
    """(actions, ML alone correct, ensemble correct) over the stories' actions."""
    total = ml_ok = all_ok = 0
    for story in stories:
        for full in story_trackers(story, domain):
            replay = Tracker(full.sender_id, full.slot_defs)
            for event in full.current:
                if event.name == "action":
                    total += 1
                    ml = ensemble.ml.predict(replay, domain)
                    ml_ok += bool(ml and ml.action == event.action)
                    chosen, _ = ensemble.decide(replay, domain)
                    all_ok += chosen.action == event.action
                replay.append(event)
    return total, ml_ok, all_ok


@click.command()
@click.option("--project", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--folds", default=5, show_default=True)
@click.option("--seed", default=0, show_default=True)
def main(project: Path, folds: int, seed: int) -> None:
    loaded = load_project(project)
    data, domain = loaded.data, loaded.domain
    stories = list(data.stories)
    random.Random(seed).shuffle(stories)
    started = time.perf_counter()
    rows = []
    for fold in range(folds):
        held_out = stories[fold::folds]
        train = [s for s in stories if s not in held_out]
        ensemble = PolicyEnsemble(rules=RulePolicy(), memo=MemoizationPolicy(), ml=MLPolicy())
        ensemble.rules.train(data.rules, domain)
        ensemble.memo.train(train, domain)
        ensemble.ml.train([*train, *data.rules], domain)
        rows.append(evaluate(ensemble, held_out, domain))
    total = sum(r[0] for r in rows)
    ml_ok = sum(r[1] for r in rows)
    all_ok = sum(r[2] for r in rows)
    print(f"{len(stories)} stories, {folds} folds, {total} held-out actions "
          f"({time.perf_counter() - started:.1f} s)")
    print(f"{'policy':<26}{'action accuracy':>16}")
    print(f"{'ML policy alone':<26}{ml_ok / total:>15.1%}")
    print(f"{'ensemble (as in the bot)':<26}{all_ok / total:>15.1%}")


if __name__ == "__main__":
    main()
