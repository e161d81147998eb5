"""NLUConfig.from_dict: unknown keys, bad types and ranges, all reported at once."""
from __future__ import annotations

import pytest

from nlu.config import NLUConfig
from nlu.errors import NLUConfigError


def test_defaults_and_overrides() -> None:
    cfg = NLUConfig.from_dict({"epochs": 3, "learning_rate": 1, "use_crf": False})
    assert (cfg.epochs, cfg.learning_rate, cfg.use_crf) == (3, 1, False)
    assert NLUConfig.from_dict(None) == NLUConfig()


def test_unknown_key_lists_valid_keys() -> None:
    with pytest.raises(NLUConfigError) as info:
        NLUConfig.from_dict({"epochz": 3})
    assert isinstance(info.value, ValueError)
    assert info.value.problems[0][0] == "epochz"
    assert "epochs" in str(info.value) and "learning_rate" in str(info.value)


def test_all_problems_reported_together() -> None:
    with pytest.raises(NLUConfigError) as info:
        NLUConfig.from_dict({"epochs": "ten", "use_crf": "yes", "bogus": 1})
    assert {k for k, _ in info.value.problems} == {"epochs", "use_crf", "bogus"}


@pytest.mark.parametrize("bad", [{"epochs": 0}, {"dev_fraction": 1.0}, {"device": "tpu"},
                                 {"intent_pooling": "max"}, {"intent_pooling": 1},
                                 {"batch_size": True}, {"time_budget_s": -1}])
def test_bad_values_rejected(bad: dict) -> None:
    with pytest.raises(NLUConfigError, match=next(iter(bad))):
        NLUConfig.from_dict(bad)
