"""Training batches of texts of similar length (less padding), still every text once per
epoch in a shuffled order; and no entity F1 claimed for data without entities."""
from __future__ import annotations

import random

from nlu.loop import BUCKET_BATCHES, length_batches
from nlu.metrics import dev_score


def test_every_text_once_in_batches_of_similar_length() -> None:
    rng = random.Random(0)
    lengths = [rng.randint(3, 60) for _ in range(1000)]
    order = list(range(1000))
    rng.shuffle(order)
    batches = length_batches(order, lengths, 16, random.Random(1))
    assert sorted(i for b in batches for i in b) == list(range(1000))
    assert all(len(b) <= 16 for b in batches)
    padded = sum(16 * max(lengths[i] for i in b) for b in batches)
    unsorted = sum(16 * max(lengths[i] for i in order[lo:lo + 16]) for lo in range(0, 1000, 16))
    assert padded < 0.7 * unsorted  # far less padding than batches cut from the shuffle


def test_batches_are_shuffled_and_seeded() -> None:
    lengths = list(range(16 * BUCKET_BATCHES))
    order = list(range(len(lengths)))
    first = length_batches(order, lengths, 16, random.Random(3))
    assert first == length_batches(order, lengths, 16, random.Random(3))
    assert first != sorted(first)  # not longest-last: the batch order is random


def test_without_entities_early_stopping_reads_the_intent_accuracy_alone() -> None:
    assert dev_score(0.9, None) == 0.9
    assert dev_score(0.9, 0.7) == 0.8


def test_length_buckets_is_an_option_that_leaves_older_models_up_to_date() -> None:
    from core.training_data import TrainingData
    from nlu.artifact import fingerprint
    from nlu.config import NLUConfig, NLUConfigError

    import pytest

    assert NLUConfig().length_buckets is False
    on = NLUConfig.from_dict({"length_buckets": True})
    assert on.length_buckets is True
    with pytest.raises(NLUConfigError):
        NLUConfig.from_dict({"length_buckets": "yes"})
    data = TrainingData()
    off = NLUConfig()
    assert fingerprint(data, off) != fingerprint(data, on)
    import json
    from nlu import artifact

    payload = {k: v for k, v in off.to_dict().items() if k not in artifact._NOT_FINGERPRINTED
               and k != "length_buckets"}
    blob = json.dumps({"format_version": artifact.FORMAT_VERSION, "examples": [], "synonyms": [],
                       "regexes": [], "lookups": [], "config": payload},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    import hashlib

    assert fingerprint(data, off) == hashlib.sha256(blob.encode()).hexdigest()  # as before the option
