"""Real servers for the store tests, started on 127.0.0.1 by the tests themselves.

The binaries come from Debian packages that `make test` installs when it can
(scripts/install-test-services.sh); where a binary is missing the tests that need it are
skipped with the reason, never faked.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(workdir: Path) -> tuple[subprocess.Popen, str] | None:
    binary = shutil.which("redis-server")
    if binary is None:
        return None
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "yes", "--appendfsync", "always", "--dir", str(workdir)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 15
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("redis-server did not start")


def start_postgres(workdir: Path) -> tuple[subprocess.Popen, str] | None:
    """initdb + postgres on a free port, as the `postgres` user when run as root."""
    import os
    import glob

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    binary = found[-1] if found else shutil.which("postgres")
    if binary is None:
        return None
    bindir = Path(binary).parent
    data, sockets = workdir / "pgdata", workdir / "sock"
    sockets.mkdir(parents=True, exist_ok=True)
    prefix: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if runuser is None:
            return None
        prefix = [runuser, "-u", "postgres", "--"]
        shutil.chown(workdir, "postgres")
        shutil.chown(sockets, "postgres")
        os.chmod(workdir, 0o755)
    subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "switchboard", "-A", "trust"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = free_port()
    process = subprocess.Popen([*prefix, binary, "-D", str(data), "-p", str(port), "-k", str(sockets),
                                "-c", "listen_addresses=127.0.0.1", "-c", "fsync=on"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                time.sleep(0.3)
                return process, f"postgresql://switchboard@127.0.0.1:{port}/postgres"
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("postgres did not start")


SDK_PYTHON = Path(__file__).parent.parent / ".venv-sdk" / "bin" / "python"


def start_action_server(project: Path) -> tuple[subprocess.Popen, str] | None:
    """Rasa's action server (`python -m rasa_sdk --actions actions`, from the rasa-sdk that
    scripts/install-test-services.sh puts in .venv-sdk) serving `project`'s actions on a free
    port; (process, webhook URL), or None when rasa-sdk is not installed."""
    import urllib.request

    if not SDK_PYTHON.exists():
        return None
    port = free_port()
    process = subprocess.Popen([str(SDK_PYTHON), "-m", "rasa_sdk", "--actions", "actions",
                                "--port", str(port)], cwd=project, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the rasa_sdk action server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=0.5):
                return process, f"http://127.0.0.1:{port}/webhook"
        except OSError:
            time.sleep(0.1)
    stop_action_server(process)
    raise RuntimeError("the rasa_sdk action server did not start within 60 s")


def stop_action_server(process: subprocess.Popen) -> None:
    """Stop the server and its Sanic worker processes (its own process group)."""
    import os
    import signal

    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
