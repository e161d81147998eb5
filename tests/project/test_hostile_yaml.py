"""Hostile or broken YAML (issue 17 point 3): every loader failure is a file:line problem,
never an exception, and nothing a file holds makes loading unbounded."""
from __future__ import annotations

from pathlib import Path

import pytest

from project.yaml_loader import MAX_FILE_BYTES, load_yaml

BOMB = "".join(f"{k}: &{k} [{', '.join([f'*{p}'] * 9)}]\n" for p, k in zip("abcdefgh", "bcdefghi"))
BOMB = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + BOMB


@pytest.mark.parametrize("text, line, says", [
    (BOMB, 1, "expands to more than 200,000 values"),
    ("loop: &l [*l]\n", 1, "an alias refers to the value it is part of"),
    ("x: " + "[" * 10_000 + "]" * 10_000 + "\n", 1, "nested too deeply"),
    ("a: 1\nb: hello\x00world\n", 2, "control character U+0000 at column 9"),
    ("a: 1\nb: \x1b[31mred\n", 2, "control character U+001B"),
    ("x: !!python/name:os.system\n", 1, "unsupported YAML tag 'tag:yaml.org,2002:python/name:os.system'"),
    ("x: !!python/object/apply:os.system [ls]\n", 1, "unsupported YAML tag"),
])
def test_hostile_files_are_problems_with_their_line(tmp_path: Path, text: str, line: int, says: str) -> None:
    path = tmp_path / "data.yml"
    path.write_text(text)
    value, problems = load_yaml(path)
    assert value is None
    (problem,) = problems
    assert problem.line == line and says in problem.message, problem


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yml"
    path.write_text("# x\n" * (MAX_FILE_BYTES // 4 + 1))
    value, (problem,) = load_yaml(path)
    assert value is None and "file is over 5 MB" in problem.message


def test_merge_keys_are_applied_as_yaml_defines_them(tmp_path: Path) -> None:
    path = tmp_path / "domain.yml"
    path.write_text("base: &base {type: text, influence_conversation: false}\n"
                    "slots:\n  name:\n    <<: *base\n    type: any\n")
    value, problems = load_yaml(path)
    assert problems == []
    assert dict(value["slots"]["name"]) == {"type": "any", "influence_conversation": False}


def test_a_project_with_a_hostile_file_validates_with_the_error_at_its_line(tmp_path: Path) -> None:
    import shutil

    from project.loader import load_project
    from tests.test_cli_train_shell import MINI

    root = tmp_path / "bot"
    shutil.copytree(MINI, root)
    (root / "data" / "rules.yml").write_text(BOMB)
    project = load_project(root, strict=False)
    assert any(p.file.endswith("rules.yml") and p.line == 1 and "expands to more than" in p.message
               for p in project.errors)
