"""core.pii.mask_pii on the labelled English + Chinese set (tests/fixtures/pii/labelled.yml):
every personal value masked whole, every order number, price and date kept."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bench.pii import leaked
from core.pii import mask_pii

CASES = yaml.safe_load((Path(__file__).parents[1] / "fixtures" / "pii" / "labelled.yml").read_text("utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:30] for c in CASES])
def test_labelled_message(case) -> None:
    masked = mask_pii(case["text"])
    assert not [item for item in case.get("pii", []) if leaked(item, masked)], masked
    assert all(item in masked for item in case.get("keep", [])), masked


def test_no_fragment_is_left_and_checksums_decide() -> None:
    assert mask_pii("(555) 123-4567") == "[phone]"  # not "(555) [phone]" nor "123-4567"
    # a number failing its checksum is no card / IBAN (a long digit run is still hidden)
    assert "[card]" not in mask_pii("card 4111 1111 1111 1112")
    assert "[iban]" not in mask_pii("DE89 3704 0044 0532 0130 01")
