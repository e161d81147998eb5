"""A project's regexes cannot stall a turn (issue 17 point 3): `validate` warns about nested
repetition at its line, and at parse time each regex runs with a time limit per message."""
from __future__ import annotations

import logging

from core.patterns import backtracks
from nlu.extractors import compile_patterns, regex_entities


def test_nested_repetition_is_recognised() -> None:
    assert backtracks(r"(a+)+$") and backtracks(r"(a|aa)+$") and backtracks(r"^(\w+\s?)*$")
    assert not any(backtracks(p) for p in (r"\d{5}", r"ORD-\d{6}", r"(ab)+", r"(foo|bar)", r"[A-Z]{2}\d+"))


def test_a_catastrophic_regex_gives_up_on_one_message_and_the_others_still_match(caplog) -> None:
    patterns = compile_patterns([("bad", r"(a|aa)+$"), ("order_id", r"\d{5}")], [])
    with caplog.at_level(logging.WARNING):
        found = regex_entities("a" * 60 + "! order 12345", patterns)
    assert [(e.entity, e.text) for e in found] == [("order_id", "12345")]
    assert "regex '(a|aa)+$' (entity bad) took over 0.05 s" in caplog.text
    assert [e.text for e in regex_entities("aaa", patterns)] == ["aaa"]  # still used elsewhere


def test_validate_warns_at_the_regex_line(tmp_path) -> None:
    import shutil

    from project.loader import load_project
    from tests.test_cli_train_shell import MINI

    root = tmp_path / "bot"
    shutil.copytree(MINI, root)
    nlu = root / "data" / "nlu.yml"
    nlu.write_text(nlu.read_text() + "- regex: order_id\n  examples: |\n    - (a+)+$\n")
    lines = [str(p) for p in load_project(root, strict=False).problems]
    count = len(nlu.read_text().splitlines())
    assert any(f"nlu.yml:{count}: warning: examples: regular expression '(a+)+$'" in line
               and "50 ms limit" in line for line in lines), lines


def test_a_repeated_group_that_starts_with_its_own_separator_is_not_flagged() -> None:
    from core.patterns import backtracks

    safe = [r"(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", r"(-\d+)+", r"(,\s*\w+)*",
            r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"]
    risky = [r"(a+)+$", r"(a|aa)*", r"(\.[a-z.]+)*", r"(x\w+)*", r"((ab)+)*", r"(a(b|a)+)*", r"(\d+)*"]
    assert [p for p in safe if backtracks(p)] == []
    assert [p for p in risky if not backtracks(p)] == []


def test_a_timeout_the_thread_did_not_spend_on_the_cpu_is_tried_again(monkeypatch) -> None:
    """regex's limit is wall-clock: a thread descheduled on a busy server (no CPU spent)
    must not lose the order number; one that spent the time matching gives up."""
    import nlu.extractors as extractors

    class Stalled:  # the first try is cut off by the clock, as when another thread ran
        pattern, tries = r"\d{5}", 0

        def finditer(self, text, timeout):
            self.tries += 1
            if self.tries == 1:
                raise TimeoutError("regex timed out")
            import re
            return re.finditer(self.pattern, text)

    stalled = Stalled()
    assert [m.group() for m in extractors.bounded_matches(stalled, "order 12345")] == ["12345"]
    assert stalled.tries == 2
    import pytest
    import regex
    with pytest.raises(TimeoutError):
        extractors.bounded_matches(regex.compile(r"(a|aa)+$"), "a" * 60 + "!")
