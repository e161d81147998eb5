"""`cli.py conversations export|delete` open the store `--store` names, else endpoints.yml's,
and delete a customer's handoff tickets from the queue beside it."""
import json
import subprocess
import sys
from pathlib import Path

from core.tracker import Tracker
from stores.factory import open_stores
from tests.core.test_tracker_events import EVENTS

CLI = Path(__file__).parent.parent.parent / "cli.py"


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CLI), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def fill(stores) -> None:
    stores.tracker.append("ann", EVENTS)
    stores.tracker.append("bob", EVENTS[:2])
    stores.handoffs.add(Tracker.from_events("ann", EVENTS), "asked")
    stores.handoffs.add(Tracker.from_events("bob", EVENTS[:2]), "asked")


def test_delete_with_store_url_deletes_tickets_beside_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'elsewhere' / 'chats.sqlite'}"
    stores = open_stores(tmp_path, url)
    fill(stores)
    deleted = cli("conversations", "delete", "ann", "--yes", "--store", url, cwd=tmp_path)
    assert deleted.returncode == 0, deleted.stderr
    assert f"Deleted {len(EVENTS)} event(s) and 1 handoff ticket(s) of 'ann'" in deleted.stdout
    assert stores.tracker.load("ann") == [] and [t.sender_id for t in stores.handoffs.list()] == ["bob"]


def test_memory_store_holds_nothing_to_export(tmp_path: Path) -> None:
    missing = cli("conversations", "export", "ann", "--store", "memory://", cwd=tmp_path)
    assert missing.returncode == 1 and "No conversation stored for 'ann' in memory" in missing.stderr


def test_export_reads_endpoints_yml_and_shows_its_warnings(tmp_path: Path) -> None:
    (tmp_path / "endpoints.yml").write_text("tracker_store:\n  type: SQL\n  db: chats.db\n"
                                            "nlg:\n  url: http://localhost:5055/nlg\n")
    fill(open_stores(tmp_path))
    exported = cli("conversations", "export", "ann", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    data = json.loads(exported.stdout)
    assert len(data["events"]) == len(EVENTS) and [t["sender_id"] for t in data["handoffs"]] == ["ann"]
    assert "endpoints.yml:4: warning: nlg: not used yet" in exported.stderr


def test_a_bad_endpoints_yml_is_reported_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "endpoints.yml").write_text("tracker_store:\n  type: my.Store\n")
    failed = cli("conversations", "delete", "ann", "--yes", cwd=tmp_path)
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert "endpoints.yml:2: tracker_store.type: custom tracker store classes are not supported yet" in failed.stderr


def test_delete_from_redis_named_in_endpoints_yml(tmp_path: Path, redis_url, redis_client) -> None:
    host_port = redis_url.split("//")[1].split("/")[0]
    host, port = host_port.split(":")
    (tmp_path / "endpoints.yml").write_text(f"tracker_store:\n  type: redis\n  url: {host}\n  port: {port}\n")
    stores = open_stores(tmp_path)
    fill(stores)
    deleted = cli("conversations", "delete", "ann", "--yes", cwd=tmp_path)
    assert deleted.returncode == 0, deleted.stderr
    assert "1 handoff ticket(s) of 'ann' from Redis" in deleted.stdout
    assert stores.tracker.senders() == ["bob"] and [t.sender_id for t in stores.handoffs.list(None)] == ["bob"]
