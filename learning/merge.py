"""`merge_annotations`: the staff's annotations into data/ as ordinary Rasa NLU YAML.

    outcome = merge_annotations(project.root, Annotations.open(project.root))

Writes every pending annotation as an example line (`- where is [NW-1](order_id)`) into
`data/nlu_reviewed.yml`: appended to the intent's `examples: |` block when the file has one
(its comments and hand edits are kept), else as a new `- intent:` block at the end. Then
the project is validated as `train` would; any new error (an intent not in the domain, an
entity the domain lacks) puts the file back as it was and raises `MergeInvalid` with the
`file:line: key` problems. A merged annotation is marked `merged`; a text that is already a
training example is not written twice.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.errors import Problem, ProjectInvalid
from learning.annotations import Annotation, Annotations, markup_of
from learning.candidates import review_key, training_keys
from project.loader import load_project

TARGET = Path("data") / "nlu_reviewed.yml"
HEADER = ('version: "3.1"\n\n'
          "# Examples from real conversations: annotated by the staff (`cli.py data review\n"
          "# --annotate`, or the /review page) and written here by `cli.py data merge`, which\n"
          "# appends to the blocks below. Edit freely.\n"
          "nlu:\n")


class MergeInvalid(ProjectInvalid):
    """The merged data did not validate; the file was put back as it was."""

    def __init__(self, problems: list[Problem], target: str) -> None:
        super().__init__(problems)
        self.args = ((f"{self.args[0]}\n{target} was left as it was: fix the annotations "
                      "(.switchboard/annotations.yml) or the domain, then merge again."),)


@dataclass(frozen=True)
class MergeOutcome:
    target: Path
    written: tuple[tuple[int, Annotation], ...]  # (line in target, annotation)
    skipped: tuple[Annotation, ...]  # already training examples


def default_problems(root: Path) -> list[Problem]:
    return load_project(root, strict=False).problems


def merge_annotations(root: Path, book: Annotations, *, target: Path = TARGET,
                      problems_of: Callable[[Path], list[Problem]] = default_problems) -> MergeOutcome:
    """Write the pending annotations into `root / target`, validate, mark them merged
    (see the module docstring); `problems_of(root)`: the project's validation."""
    root = Path(root)
    path = root / target
    known = training_keys(load_project(root, strict=False).data)
    pending = book.pending()
    fresh = [a for a in pending if review_key(a.text) not in known]
    skipped = tuple(a for a in pending if a not in fresh)
    if not fresh:
        _mark(book, skipped, target)
        return MergeOutcome(path, (), skipped)
    before = {str(p) for p in problems_of(root) if p.severity == "error"}
    old = path.read_text(encoding="utf-8") if path.is_file() else None
    new = add_examples(old if old is not None else HEADER, fresh)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new, encoding="utf-8")
    try:
        added = [p for p in problems_of(root) if p.severity == "error" and str(p) not in before]
    except Exception:
        _restore(path, old)
        raise
    if added:
        _restore(path, old)
        raise MergeInvalid(added, str(target))
    _mark(book, (*fresh, *skipped), target)
    return MergeOutcome(path, tuple(zip(_lines_of(new, fresh), fresh)), skipped)


def example_line(annotation: Annotation) -> str:
    """The annotation as one example of an `examples: |` block (markup, on one line)."""
    text = " ".join(annotation.text.split())
    return "- " + markup_of(text, annotation.entities)


def add_examples(text: str, annotations: list[Annotation]) -> str:
    """`text` (an NLU YAML file) with each annotation's example added to its intent's block."""
    lines = text.splitlines()
    for intent in dict.fromkeys(a.intent for a in annotations):
        examples = [example_line(a) for a in annotations if a.intent == intent]
        at, indent = _block_end(lines, intent)
        if at is None:
            while lines and not lines[-1].strip():
                lines.pop()
            lines += ([] if lines and lines[-1].strip() == "nlu:" else [""])
            lines += [f"- intent: {intent}", "  examples: |", *("    " + e for e in examples)]
        else:
            lines[at:at] = [indent + e for e in examples]
    return "\n".join(lines) + "\n"


def _block_end(lines: list[str], intent: str) -> tuple[int | None, str]:
    """(index after the last example of `intent`'s block, the examples' indentation), or
    (None, "") when the file has no `- intent: X` block with `examples: |`."""
    head = re.compile(r"^- intent:\s*['\"]?" + re.escape(intent) + r"['\"]?\s*(#.*)?$")
    start = next((i for i, line in enumerate(lines) if head.match(line)), None)
    if start is None:
        return None, ""
    last, indent, in_examples = None, "    ", False
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if line.strip() and not line[0].isspace():
            break  # the next block
        if re.match(r"^\s+examples:\s*\|", line):
            in_examples = True
        elif in_examples and line.strip().startswith("- "):
            last, indent = i, line[:len(line) - len(line.lstrip())]
    return (None, "") if last is None else (last + 1, indent)


def _lines_of(text: str, annotations: list[Annotation]) -> list[int]:
    lines = [line.strip() for line in text.splitlines()]
    return [lines.index(example_line(a)) + 1 if example_line(a) in lines else 0 for a in annotations]


def _restore(path: Path, old: str | None) -> None:
    if old is None:
        path.unlink(missing_ok=True)
    else:
        path.write_text(old, encoding="utf-8")


def _mark(book: Annotations, merged, target: Path) -> None:
    for annotation in merged:
        annotation.status, annotation.merged_into = "merged", str(target)
    if merged:
        book.save()
