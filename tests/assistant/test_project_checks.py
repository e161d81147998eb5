"""`load_checked_project` (what validate, train and loading use) reports the whole
project: config entries, endpoints.yml and credentials.yml, each at its file:line."""
from __future__ import annotations

import shutil
from pathlib import Path

from assistant.project import load_checked_project
from tests.support import ROOT


def _project(tmp_path: Path, **files: str) -> Path:
    root = tmp_path / "bot"
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini_project", root)
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def test_credentials_mistakes_are_validate_errors_and_unset_secrets_warnings(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("NOPE_TOKEN", raising=False)
    root = _project(tmp_path, **{"credentials.yml": "rest:\nslack:\n  slack_token: ${NOPE_TOKEN}\n"
                                                    "  slak_channel: x\n"})
    problems = load_checked_project(root, strict=False).problems
    errors = [str(p) for p in problems if p.severity == "error"]
    warnings = [str(p) for p in problems if p.severity == "warning"]
    assert any("credentials.yml:4: slack.slak_channel: unknown key — did you mean 'slack_channel'?" in e
               for e in errors), errors
    assert any("credentials.yml:2: slack.slack_signing_secret: missing" in e for e in errors), errors
    assert any("credentials.yml:3: warning: slack.slack_token: environment variable NOPE_TOKEN"
               in w for w in warnings), warnings


def test_endpoints_mistakes_are_reported_by_validate(tmp_path) -> None:
    root = _project(tmp_path, **{"endpoints.yml": "tracker_store:\n  type: redis\n  urll: x\n"})
    warnings = [str(p) for p in load_checked_project(root, strict=False).warnings]
    assert any("endpoints.yml:3: warning: tracker_store.urll: unknown key — did you mean 'url'?" in w
               for w in warnings), warnings
