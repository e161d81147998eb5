"""Rasa's example projects (tests/fixtures/rasa/) as a user runs them: validate, train (cold,
`--force`), `cli.py test`; one row per project with the validate warnings, the training
time, the test stories passed and the action accuracy of the replay.

    python bench/rasa_examples.py [--projects formbot e2ebot ...]
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / "tests" / "fixtures" / "rasa"
PROJECTS = ("moodbot", "formbot", "reminderbot", "e2ebot")


def cli(*args: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True,
                            text=True, env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"})
    return result, time.perf_counter() - started


def measure(name: str, work: Path) -> dict:
    root = work / name
    shutil.copytree(RASA / name, root)
    validated, _ = cli("validate", "--project", str(root))
    said = validated.stdout + validated.stderr
    warnings, errors = said.count(": warning:"), said.count(": error:")
    trained, seconds = cli("train", "--force", "--project", str(root))
    row = {"project": name, "errors": errors, "warnings": warnings,
           "train_s": round(seconds, 1), "trained": trained.returncode == 0}
    if not (root / "tests").is_dir():
        return {**row, "stories": "no test stories", "actions": "-"}
    tested, _ = cli("test", "--project", str(root))
    summary = re.search(r"(\d+)/(\d+) stories passed", tested.stdout)
    actions = re.search(r"(\d+)/(\d+) \(", tested.stdout)
    report = json.loads((root / "results" / "story_report.json").read_text())
    row["stories"] = f"{summary.group(1)}/{summary.group(2)}" if summary else "?"
    row["actions"] = (f"{actions.group(1)}/{actions.group(2)}" if actions else "?") + \
        f" ({report.get('accuracy', 0) * 100:.1f} %)"
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", nargs="+", default=list(PROJECTS), choices=PROJECTS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        rows = [measure(name, Path(work)) for name in args.projects]
    print("| project | validate | train (cold) | test stories passed | actions right (replay) |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['project']} | {r['errors']} errors, {r['warnings']} warnings | "
              f"{r['train_s']} s{'' if r['trained'] else ' (FAILED)'} | {r['stories']} | {r['actions']} |")


if __name__ == "__main__":
    main()
