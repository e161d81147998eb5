"""`cli.py analytics`: the figures as rich tables, or one JSON object."""
import json
import subprocess
import sys
from pathlib import Path

from stores.sqlite import SQLiteStore
from tests.analytics.story import ASKED, fill

CLI = Path(__file__).parent.parent.parent / "cli.py"


def analytics(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CLI), "analytics", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_json_and_tables(tmp_path: Path) -> None:
    fill(SQLiteStore(tmp_path / ".switchboard" / "conversations.sqlite"))  # the default store
    done = analytics("--since", "2026-12-01", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["total"]["conversations"] == 4 and data["total"]["containment"] == 0.5
    assert data["total"]["median_first_human_reply_s"] == 120
    assert "SQLite" in data["store"]
    shown = analytics("--since", "2026-12-01", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    for text in ("Per day", "Per channel", "Top intents", "followed by a fallback",
                 "followed by a handoff", "Handoff reasons", "Feedback per day", "2026-12-02",
                 "slack", "order_status", ASKED, "50.0%", "25.0%", "12.5%", "2m 00s"):
        assert text in shown.stdout, text


def test_a_store_url_and_a_channel(tmp_path: Path) -> None:
    fill(SQLiteStore(tmp_path / "other.sqlite"))
    done = analytics("--store", f"sqlite:///{tmp_path / 'other.sqlite'}", "--since", "2026-12-01",
                     "--channel", "slack", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["total"]["conversations"] == 1


def test_a_bad_date_is_a_usage_error(tmp_path: Path) -> None:
    done = analytics("--since", "1 Dec", cwd=tmp_path)
    assert done.returncode == 2 and "YYYY-MM-DD" in done.stderr and "Traceback" not in done.stderr
