"""`cli.py run`'s bearer token never shows in a log or a command line (issue 17 point 1):
a generated one goes to PROJECT/.switchboard/token (mode 600, the path printed, not the
token); `--token-file` reads one."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.assistant.test_model_faults import trained  # noqa: F401 - the fixture
from tests.services import free_port
from tests.test_cli_train_shell import CLI


def serve(root: Path, *args: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen([sys.executable, str(CLI), "run", "-p", str(root), "--port", str(port), *args],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"})
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("server did not start: " + process.communicate()[0])


def status(port: int, token: str | None = None) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/handoffs")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_generated_token_is_written_to_a_private_file_not_printed(trained, tmp_path) -> None:  # noqa: F811
    root = tmp_path / "project"
    shutil.copytree(trained, root)
    process, port = serve(root, "--host", "0.0.0.0")
    try:
        kept = root / ".switchboard" / "token"
        token = kept.read_text().strip()
        assert kept.stat().st_mode & 0o777 == 0o600
        assert status(port) == 401 and status(port, token) == 200
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert str(kept) in output and token not in output

    secret = tmp_path / "staff-token"
    secret.write_text("from-a-file-0123456789\n")
    process, port = serve(root, "--token-file", str(secret))
    try:
        assert status(port) == 401 and status(port, "from-a-file-0123456789") == 200
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_staff_tokens_made_with_the_cli_are_scoped_on_a_served_project(trained, tmp_path) -> None:  # noqa: F811
    root = tmp_path / "project"
    shutil.copytree(trained, root)
    made = subprocess.run([sys.executable, str(CLI), "tokens", "create", "sam", "--scope", "agent", "-p", str(root)],
                          capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("sbt_") and token not in (root / ".switchboard" / "tokens.yml").read_text()
    listed = subprocess.run([sys.executable, str(CLI), "tokens", "list", "-p", str(root)],
                            capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert listed.stdout.startswith("sam\tagent\t") and token not in listed.stdout
    process, port = serve(root, "--host", "0.0.0.0")
    try:
        assert not (root / ".switchboard" / "token").exists()  # staff tokens exist: none generated
        assert status(port) == 401 and status(port, token) == 200
        revoked = subprocess.run([sys.executable, str(CLI), "tokens", "revoke", "sam", "-p", str(root)],
                                 capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
        assert revoked.returncode == 0 and status(port, token) == 401  # at once, same server
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert "Staff tokens: 1" in output and token not in output
    assert (root / ".switchboard" / "secret").stat().st_mode & 0o777 == 0o600
