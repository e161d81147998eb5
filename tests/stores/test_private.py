"""Masking on by default (domain.yml privacy.mask_pii): the stores keep no personal data in
clear, yet the bot still knows in the next turn, in any worker, what the customer told it;
senders whose id is an email or a phone number are stored under a pseudonym."""
from __future__ import annotations

import json
import logging
from pathlib import Path

from click.testing import CliRunner

from core.events import SlotSet, UserUttered
from core.message import Entity, IntentScore, Message
from core.sealing import Sealer
from core.tracker import Tracker
from stores.factory import open_stores
from stores.private import PrivateQueue, PrivateStore
from stores.handoffs import HandoffQueue
from stores.sqlite import SQLiteStore

TEXT = "my email is jane@example.com and card 4111 1111 1111 1111"


def user(text: str = TEXT) -> UserUttered:
    return UserUttered(message=Message(text, IntentScore("inform", 0.9), (),
                                       (Entity("email", 12, 28, "jane@example.com", "jane@example.com"),)))


def raw(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*") if p.is_file())


def test_text_is_masked_and_slot_values_are_sealed_not_lost(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite"
    store = PrivateStore(SQLiteStore(path), Sealer(b"k"))
    store.append("a", [user(), SlotSet(slot="email", value="jane@example.com"), SlotSet(slot="n", value=3)])
    assert b"jane@" not in raw(path) and b"4111" not in raw(path)
    # a second worker process (its own store object, the same secret) reads it back
    back = PrivateStore(SQLiteStore(path), Sealer(b"k")).load("a")
    assert back[0].text == "my email is [email] and card [card]" and back[0].message.entities[0].value == "[email]"
    assert back[1].value == "jane@example.com" and back[2].value == 3


def test_a_value_sealed_under_another_secret_reads_as_unset(tmp_path: Path, caplog) -> None:
    PrivateStore(SQLiteStore(tmp_path / "m.sqlite"), Sealer(b"old")).append(
        "a", [SlotSet(slot="email", value="jane@example.com")])
    with caplog.at_level(logging.WARNING, logger="switchboard.store"):
        back = PrivateStore(SQLiteStore(tmp_path / "m.sqlite"), Sealer(b"new")).load("a")
    assert back[0].value is None and "sealed under another secret" in caplog.text


def test_email_and_phone_sender_ids_are_stored_under_a_pseudonym(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite"
    sealer = Sealer(b"k")
    store = PrivateStore(SQLiteStore(path), sealer)
    for sender in ("jane@example.com", "whatsapp:+15551234567", "13812345678"):
        store.append(sender, [user("hello")])
        assert store.load(sender)[0].text == "hello" and store.size(sender) == 1
    assert b"jane" not in raw(path) and b"5551234567" not in raw(path) and b"13812345678" not in raw(path)
    keys = store.senders()
    assert len(keys) == 3 and all(k.startswith("anon-") and len(k) == 25 for k in keys)
    assert sealer.pseudonym("jane@example.com") == Sealer(b"k").pseudonym("jane@example.com")
    assert sealer.pseudonym("jane@example.com") != Sealer(b"other").pseudonym("jane@example.com")
    assert sealer.pseudonym("web-1a2b3c") == "web-1a2b3c"  # ids that are not personal data stay
    assert store.delete("jane@example.com") == 1 and store.load("jane@example.com") == []
    # what retention sweeps (senders() gives pseudonyms) deletes as well
    assert store.delete(sealer.pseudonym("13812345678")) == 1 and store.size("13812345678") == 0


def test_tickets_are_masked_under_the_pseudonym(tmp_path: Path) -> None:
    sealer = Sealer(b"k")
    queue = PrivateQueue(HandoffQueue(tmp_path / "h.sqlite"), sealer)
    tracker = Tracker("jane@example.com")
    tracker.append(user())
    ticket = queue.add(tracker, "asked for a human", notes=("email jane@example.com",))
    text = json.dumps(ticket.__dict__, default=str) + raw(tmp_path / "h.sqlite").decode("latin-1")
    assert "jane@" not in text and "4111" not in text and ticket.sender_id.startswith("anon-")
    assert [t.id for t in queue.list(None, "jane@example.com")] == [ticket.id]
    assert queue.delete_sender("jane@example.com") == 1


def test_masking_is_on_by_default_and_domain_yml_turns_it_off(tmp_path: Path) -> None:
    from assistant.project import masking
    from project.loader import load_project

    (tmp_path / "domain.yml").write_text('version: "3.1"\nintents: [greet]\n')
    assert masking(load_project(tmp_path, strict=False)) is True
    (tmp_path / "domain.yml").write_text('version: "3.1"\nintents: [greet]\nprivacy:\n  mask_pii: false\n')
    assert masking(load_project(tmp_path, strict=False)) is False
    assert masking(load_project(tmp_path, strict=False), "1") is True
    (tmp_path / "domain.yml").write_text('version: "3.1"\nintents: [greet]\nprivacy:\n  mask_pii: maybe\n')
    problems = [str(p) for p in load_project(tmp_path, strict=False).problems]
    assert any("domain.yml:4" in p and "privacy.mask_pii" in p for p in problems), problems


def test_cli_export_and_delete_find_an_email_sender(tmp_path: Path) -> None:
    from cli import cli

    (tmp_path / "domain.yml").write_text('version: "3.1"\nintents: [greet]\n')
    stores = open_stores(tmp_path, mask_pii=True)
    stores.tracker.append("jane@example.com", [user(), SlotSet(slot="email", value="jane@example.com")])
    exported = CliRunner().invoke(cli, ["conversations", "export", "jane@example.com", "-p", str(tmp_path)])
    assert exported.exit_code == 0, exported.output
    events = json.loads(exported.output)["events"]
    assert len(events) == 2 and "jane@" not in json.dumps(events)  # an export shows what is stored
    deleted = CliRunner().invoke(cli, ["conversations", "delete", "jane@example.com", "--yes", "-p", str(tmp_path)])
    assert deleted.exit_code == 0, deleted.output
    assert open_stores(tmp_path, mask_pii=True).tracker.size("jane@example.com") == 0


def test_another_worker_still_knows_the_customers_email(example, tmp_path: Path) -> None:
    """The email a customer gave unlocks their order in the next turn even when a fresh
    agent (another worker, or a restart) serves it from the masking store."""
    from dialogue.agent import Agent
    from tests.support import KeywordParser

    project, policies = example
    sealer = Sealer(b"k")

    def worker() -> Agent:
        return Agent(project, KeywordParser(), policies, PrivateQueue(HandoffQueue(tmp_path / "h.sqlite"), sealer),
                     seed=0, store=PrivateStore(SQLiteStore(tmp_path / "c.sqlite"), sealer))

    first = worker()
    first.handle("ann", "where is my order 12345")
    assert "shipped" in first.handle("ann", "alex@example.com").replies[0].text
    assert b"alex@" not in raw(tmp_path / "c.sqlite")
    tracked = worker().handle("ann", "can you track order 12345?")
    assert "tracking number JD014600006281" in tracked.replies[0].text
