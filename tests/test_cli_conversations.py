"""`cli.py conversations export|delete`: one customer's data out, or gone."""
import json
import subprocess
import sys
from pathlib import Path

from stores.sqlite import SQLiteStore
from tests.core.test_tracker_events import EVENTS

CLI = Path(__file__).parent.parent / "cli.py"


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CLI), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_export_then_delete_one_customer(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / ".switchboard" / "conversations.sqlite")
    store.append("ann", EVENTS)
    store.append("bob", EVENTS[:2])
    exported = cli("conversations", "export", "ann", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    data = json.loads(exported.stdout)
    assert data["sender_id"] == "ann" and len(data["events"]) == len(EVENTS)
    deleted = cli("conversations", "delete", "ann", "--yes", cwd=tmp_path)
    assert deleted.returncode == 0 and f"Deleted {len(EVENTS)} event(s)" in deleted.stdout
    assert store.load("ann") == [] and len(store.load("bob")) == 2
    missing = cli("conversations", "export", "ann", cwd=tmp_path)
    assert missing.returncode == 1 and "No conversation stored for 'ann'" in missing.stderr
    assert "Traceback" not in missing.stderr
