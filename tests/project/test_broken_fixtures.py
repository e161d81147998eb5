"""Every broken file under tests/fixtures/broken/ makes `cli.py validate` fail with the
exact file, line and key its `# expect:` comments name, and never with a traceback.

Files under tests/fixtures/warned/ are mistakes Rasa accepts (a response variable that is
no slot, a form slot with no question): `validate` passes and warns at the file, line and key.

A fixture in broken/domain/ replaces domain.yml, one in broken/config/ replaces
config.yml, one in broken/data/ is added to data/ of a small valid project.
Each `# expect: LINE: KEY: TEXT` line is one problem that must be reported; KEY `-`
stands for a file-level problem printed without a key (`file:LINE: message`).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent.parent / "fixtures"
CLI = Path(__file__).parent.parent.parent / "cli.py"
EXPECT = re.compile(rb"^# expect: (\d+): ([^:]+): (.+)$", re.MULTILINE)
BROKEN = sorted((FIXTURES / "broken").glob("*/*.yml"))
WARNED = sorted((FIXTURES / "warned").glob("*/*.yml"))


def target_path(fixture: Path) -> str:
    kind = fixture.parent.name
    return {"domain": "domain.yml", "config": "config.yml"}.get(kind, f"data/{fixture.name}")


def run_validate(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(CLI), "validate"], cwd=project, capture_output=True, text=True,
        timeout=60,
    )


def make_project(tmp_path: Path, fixture: Path | None = None) -> Path:
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "mini_project", project)
    if fixture:
        shutil.copyfile(fixture, project / target_path(fixture))
    return project


def test_mini_project_is_valid(tmp_path: Path) -> None:
    result = run_validate(make_project(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "✓ Project is valid" in result.stdout


def test_corpus_is_large_enough() -> None:
    assert len(BROKEN) >= 25


@pytest.mark.parametrize("fixture", BROKEN, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_broken_fixture_reports_file_line_key(tmp_path: Path, fixture: Path) -> None:
    _reports(tmp_path, fixture, returncode=1)


@pytest.mark.parametrize("fixture", WARNED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_warned_fixture_passes_with_a_warning_at_file_line_key(tmp_path: Path, fixture: Path) -> None:
    _reports(tmp_path, fixture, returncode=0)


def _reports(tmp_path: Path, fixture: Path, returncode: int) -> None:
    expectations = EXPECT.findall(fixture.read_bytes())
    assert expectations, f"{fixture.name} has no '# expect: LINE: KEY: TEXT' line"
    result = run_validate(make_project(tmp_path, fixture))
    output = result.stdout + result.stderr
    assert result.returncode == returncode, output
    assert "Traceback" not in output and "Internal error" not in output, output
    lines = output.splitlines()
    for line, key, text in expectations:
        key = key.decode().strip()
        prefix = f"{target_path(fixture)}:{int(line)}: " + ("" if key == "-" else f"{key}:")
        matching = [l for l in lines if l.startswith(prefix)]
        assert matching, f"no problem starting with {prefix!r} in:\n{output}"
        assert any(text.decode().strip() in l for l in matching), (
            f"{prefix} does not mention {text.decode()!r}:\n{output}"
        )
