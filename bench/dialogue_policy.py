"""Action accuracy of the dialogue policies: held-out stories and off-story conversations.

Two measurements per project, both with teacher forcing (each action is predicted from the
true conversation so far, then the expected one is logged):

* **held-out stories**: k folds over the project's stories (rules always in training); the
  whole ensemble is trained as `cli.py train` does (`PolicyEnsemble.train`) on the other
  folds, and each held-out story is replayed;
* **off-story**: trained on every story and rule, the conversations of a file under
  `bench/offstory/` (stories no training story covers, never trained on) are replayed.

Each is scored for the ML policy alone and for the bot (`policies.decision.decide`, the
product's choice between rules, memoization, ML and fallback). User turns go through slot
filling as in the agent; every action but listening and `action_deactivate_loop` is taken
to have said something (the bot never listens before it has answered). "actions" leaves
out `action_listen`; a turn is right when every action of it, and the listen that ends it,
is; a story when every turn is. Every figure is
the median over the ML policy's seeds (`--ml-seeds`; the range of the action accuracy
follows in brackets): on a few dozen stories one seed's luck is worth several points.

    python bench/dialogue_policy.py [--case NAME PROJECT OFFSTORY]... [--folds 5]
        [--seeds 0,1,2] [--ml-seeds 42,1,2] [--influence SLOT]... [--tree OLD_CHECKOUT]...
        [--errors] [--errors-ml]

`--tree` measures another checkout's policies (e.g. `git worktree add /tmp/mlbase HEAD`)
with this script and these data files, in a child process per tree, one column each.
`--influence order_id` measures as if domain.yml said `influence_conversation: true`.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from statistics import median

HERE = Path(__file__).resolve().parent
TREE = Path(os.environ.get("SWITCHBOARD_TREE") or HERE.parent).resolve()
sys.path.insert(0, str(TREE))

import click  # noqa: E402

from core.events import ActionExecuted, BotUttered, UserUttered  # noqa: E402
from core.tracker import ACTION_LISTEN, Tracker  # noqa: E402
from core.training_data import Story, TrainingData  # noqa: E402
from dialogue.slot_filling import fill_on_user_turn  # noqa: E402
from policies.decision import TurnRules, decide  # noqa: E402
from policies.ensemble import PolicyEnsemble  # noqa: E402
from policies.handoff import FALLBACK, HandoffPolicy  # noqa: E402
from policies.registry import PolicyData  # noqa: E402
from policies.states import story_trackers  # noqa: E402
from project.checks import FileChecker  # noqa: E402
from project.data_parser import parse_data  # noqa: E402
from project.loader import Project, load_project  # noqa: E402
from project.validate import cross_check  # noqa: E402
from project.yaml_loader import load_yaml  # noqa: E402

SILENT = (ACTION_LISTEN, "action_deactivate_loop")  # actions that say nothing to the customer
DEFAULT_CASES = (("example", ".", "bench/offstory/example.yml"),)


@dataclass
class Score:
    """Counts over replayed stories; `mistakes` as (story, turn, expected, got)."""

    actions: int = 0
    actions_ok: int = 0
    turns: int = 0
    turns_ok: int = 0
    stories: int = 0
    stories_ok: int = 0
    mistakes: list[tuple[str, int, str, str]] = field(default_factory=list)

    def add(self, other: "Score") -> None:
        for name in ("actions", "actions_ok", "turns", "turns_ok", "stories", "stories_ok"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.mistakes += other.mistakes

    def row(self) -> dict[str, float]:
        return {"actions": self.actions_ok / max(self.actions, 1),
                "turns": self.turns_ok / max(self.turns, 1),
                "stories": self.stories_ok / max(self.stories, 1), "n": self.actions}


def with_influence(project: Project, slots: tuple[str, ...]) -> Project:
    """The project as if these slots had `influence_conversation: true`."""
    if not slots:
        return project
    domain = project.domain
    changed = {n: replace(s, influence_conversation=True) if n in slots else s
               for n, s in domain.slots.items()}
    return replace(project, domain=replace(domain, slots=changed))


def load_offstory(path: Path, project: Project) -> list[Story]:
    """The conversations of an off-story file; any problem (an unknown intent) raises."""
    value, problems = load_yaml(path)
    check = FileChecker(str(path))
    data, _ = parse_data(value, check)
    problems += check.problems + cross_check(project.domain, "domain.yml", data, TrainingData())
    # (cross_check also says the domain's intents have no examples here: not this file's)
    errors = [str(p) for p in problems if p.severity == "error" and p.file == check.file]
    if errors:
        raise click.ClickException("\n".join(errors))
    return data.stories


def replay(story: Story, project: Project, ensemble: PolicyEnsemble) -> tuple[Score, Score]:
    """(ML alone, the bot) on every action of every variant of `story`."""
    domain = project.domain
    ml = next(p for p in ensemble.policies if p.name == "ml")
    fallbacks = frozenset({FALLBACK, ensemble.fallback.core_fallback_action_name})
    rules = TurnRules(handoff=HandoffPolicy(fallbacks))
    scores = Score(), Score()
    for full in story_trackers(story, domain):
        tracker = Tracker(full.sender_id, dict(domain.slots))
        wrong: list[set[int]] = [set(), set()]
        turn = 0
        for event in full.events:
            if isinstance(event, ActionExecuted):
                predicted = ml.predict(tracker, domain)
                guesses = (predicted.action if predicted else "(none)",
                           decide(tracker, domain, ensemble, rules).chosen.action)
                for score, bad, got in zip(scores, wrong, guesses):
                    if event.action != ACTION_LISTEN:
                        score.actions += 1
                        score.actions_ok += got == event.action
                    if got != event.action:
                        bad.add(turn)
                        score.mistakes.append((story.name, turn, event.action, got))
            tracker.append(event)
            if isinstance(event, ActionExecuted) and event.action not in SILENT:
                tracker.append(BotUttered(text=event.action))  # what running it would say
            if isinstance(event, UserUttered):
                turn += 1
                tracker.extend(fill_on_user_turn(domain, event, tracker.slots))
        for score, bad in zip(scores, wrong):
            score.turns += max(turn, 1)
            score.turns_ok += max(turn, 1) - len(bad)
            score.stories += 1
            score.stories_ok += not bad
    return scores


def train(project: Project, stories: list[Story], ml_seed: int) -> tuple[PolicyEnsemble, float]:
    """The ensemble as `cli.py train` builds it, its ML policy trained with `ml_seed`
    (set on the policy and trained again: the same two calls on any tree)."""
    trimmed = replace(project, data=replace(project.data, stories=stories))
    started = time.perf_counter()
    ensemble = PolicyEnsemble.train(trimmed, fingerprint="bench")
    took = time.perf_counter() - started
    ml = next(p for p in ensemble.policies if p.name == "ml")
    if ml.seed != ml_seed:
        ml.seed = ml_seed
        ml.train(PolicyData(stories, list(project.data.rules)), project.domain)
    return ensemble, took


def held_out(project: Project, folds: int, seeds: list[int],
             ml_seed: int) -> tuple[Score, Score, list[float]]:
    """k-fold over the stories for each seed of the split, scores pooled."""
    ml, bot, seconds = Score(), Score(), []
    for seed in seeds:
        stories = list(project.data.stories)
        random.Random(seed).shuffle(stories)
        k = min(folds, len(stories))
        for fold in range(k):
            test = stories[fold::k]
            ensemble, took = train(project, [s for s in stories if s not in test], ml_seed)
            seconds.append(took)
            for story in test:
                a, b = replay(story, project, ensemble)
                ml.add(a)
                bot.add(b)
    return ml, bot, seconds


def measure_once(project: Project, offstory: list[Story], folds: int, seeds: list[int],
                 ml_seed: int) -> dict:
    ml, bot, seconds = held_out(project, folds, seeds, ml_seed)
    ensemble, took = train(project, list(project.data.stories), ml_seed)
    off_ml, off_bot = Score(), Score()
    for story in offstory:
        a, b = replay(story, project, ensemble)
        off_ml.add(a)
        off_bot.add(b)
    return {"train_s": took, "scores": {key: {**score.row(), "mistakes": score.mistakes}
                                        for key, score in (
        ("held-out ML", ml), ("held-out bot", bot),
        ("off-story ML", off_ml), ("off-story bot", off_bot))}}


def measure(name: str, root: Path, offstory: Path, folds: int, seeds: list[int],
            ml_seeds: list[int], influence: tuple[str, ...]) -> dict:
    """One case, once per ML seed; each figure is the median over the ML seeds (mistakes:
    those of the first seed)."""
    project = with_influence(load_project(root), influence)
    conversations = load_offstory(offstory, project)
    runs = [measure_once(project, conversations, folds, seeds, s) for s in ml_seeds]
    scores = {}
    for key, first in runs[0]["scores"].items():
        scores[key] = {**first, **{m: median([r["scores"][key][m] for r in runs])
                                   for m in ("actions", "turns", "stories")},
                       "each": [r["scores"][key]["actions"] for r in runs]}
    return {"case": name, "full_train_s": median([r["train_s"] for r in runs]), "scores": scores}


def print_table(results: dict[str, list[dict]], errors: bool, ml_errors: bool) -> None:
    """One row per case and measure, one column per tree; then the mistakes asked for."""
    trees = list(results)
    print("| case | measure | " + " | ".join(f"{t}: actions / turns / stories (range)"
                                           for t in trees) + " |")
    print("|---|---|" + "---|" * len(trees))
    for index, first in enumerate(results[trees[0]]):
        for key, row in first["scores"].items():
            cells = [results[t][index]["scores"][key] for t in trees]
            print(f"| {first['case']} | {key} (n={row['n']}) | " + " | ".join(
                f"{c['actions']:.1%} / {c['turns']:.1%} / {c['stories']:.1%} "
                f"({min(c['each']):.0%}–{max(c['each']):.0%})" for c in cells) + " |")
        times = " | ".join(f"{results[t][index]['full_train_s']:.2f} s" for t in trees)
        print(f"| {first['case']} | train all (s) | {times} |")
    if errors or ml_errors:
        for tree in trees:
            for result in results[tree]:
                for key, score in result["scores"].items():
                    for story, turn, want, got in score["mistakes"]:
                        if key.endswith("bot") or ml_errors:
                            print(f"[{tree}] {result['case']} {key}: {story!r} turn {turn}: "
                                  f"expected {want}, got {got}")


@click.command()
@click.option("--case", "cases", type=(str, str, str), multiple=True,
              help="NAME PROJECT OFFSTORY (repeatable); default: the example")
@click.option("--folds", default=5, show_default=True)
@click.option("--seeds", default="0,1,2", show_default=True, help="seeds of the fold splits")
@click.option("--ml-seeds", default="42,1,2", show_default=True,
              help="seeds of the ML policy: each figure is the median over them")
@click.option("--influence", multiple=True, help="treat this slot as influence_conversation: true")
@click.option("--tree", "trees", multiple=True, type=click.Path(file_okay=False, exists=True),
              help="another checkout to measure (repeatable); this tree is always measured")
@click.option("--errors", is_flag=True, help="list the bot's mistakes")
@click.option("--errors-ml", is_flag=True, help="also list the ML policy's mistakes")
@click.option("--json", "as_json", is_flag=True, help="print the results as JSON (used per tree)")
def main(cases, folds: int, seeds: str, ml_seeds: str, influence, trees, errors: bool,
         errors_ml: bool, as_json: bool) -> None:
    import warnings

    warnings.simplefilter("ignore")
    cases = cases or DEFAULT_CASES
    seed_list = [int(s) for s in seeds.split(",")]
    ml_list = [int(s) for s in ml_seeds.split(",")]
    if as_json or not trees:
        results = [measure(n, Path(p), Path(o), folds, seed_list, ml_list, tuple(influence))
                   for n, p, o in cases]
        if as_json:
            print(json.dumps(results))
            return
        print_table({"this tree": results}, errors, errors_ml)
        return
    argv = [a for a in sys.argv[1:] if a not in ("--errors", "--errors-ml")]
    argv = [a for i, a in enumerate(argv) if a != "--tree" and (i == 0 or argv[i - 1] != "--tree")]
    results = {}
    for tree in [*trees, str(TREE)]:
        env = {**os.environ, "SWITCHBOARD_TREE": str(Path(tree).resolve())}
        out = subprocess.run([sys.executable, __file__, *argv, "--json"], env=env, check=True,
                             capture_output=True, text=True).stdout
        results[tree] = json.loads(out.strip().splitlines()[-1])
    print_table(results, errors, errors_ml)


if __name__ == "__main__":
    main()
