"""A project's own Python is imported from its folder under a name of its own."""
from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from core.imports import ProjectCodeError, import_project_class, import_project_module


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def test_sibling_modules_and_own_packages_resolve_to_the_project(tmp_path: Path) -> None:
    root = _write(tmp_path / "p", {
        "helpers.py": "GREETING = 'hello from helpers'\n",
        "actions/__init__.py": "from actions import mine\nimport helpers\nTEXT = mine.TEXT + helpers.GREETING\n",
        "actions/mine.py": "TEXT = 'mine: '\n",
    })
    module = import_project_module(root, "actions")
    assert module.TEXT == "mine: hello from helpers"
    assert "helpers" not in sys.modules or not getattr(sys.modules["helpers"], "__file__", "").startswith(str(root))


def test_a_folder_named_like_a_framework_package_keeps_the_framework_name(tmp_path: Path) -> None:
    root = _write(tmp_path / "p", {
        "policies/__init__.py": "",
        "policies/mine.py": "from policies.registry import PolicyData\n\nclass Mine:\n    data = PolicyData\n",
    })
    from policies.registry import PolicyData

    assert import_project_class(root, "policies.mine.Mine").data is PolicyData


@pytest.mark.parametrize("source, line", [("x = 1\ndef broken(:\n", 2),
                                          ("import json\n\nVALUE = json.loads('{bad')\n", 3)])
def test_errors_point_at_the_project_file_and_line(tmp_path: Path, source: str, line: int) -> None:
    root = _write(tmp_path / "p", {"broken.py": source})
    with pytest.raises(ProjectCodeError) as caught:
        import_project_module(root, "broken")
    assert f"{root / 'broken.py'}:{line}:" in str(caught.value)
