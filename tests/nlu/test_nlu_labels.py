"""Gold labels from character spans, the dev split, and the CRF loss vs brute force."""
from __future__ import annotations

import itertools

import torch

from core.training_data import EntitySpan, Example
from nlu.crf import CRF
from nlu.decode import split_words
from nlu.labels import Labels, entity_label, split_dev, split_label, word_tags


def test_word_tags_from_character_spans() -> None:
    text = "fly to St. Louis now"
    ent = EntitySpan(7, 16, "city", "St. Louis", "St. Louis")
    assert word_tags(split_words(text), [ent]) == ["O", "O", "B-city", "I-city", "I-city", "O"]


def test_role_and_group_round_trip() -> None:
    span = EntitySpan(0, 1, "city", "x", "x", role="from", group="1")
    assert split_label(entity_label(span)) == ("city", "from", "1")
    assert split_label("city") == ("city", None, None)


def test_labels_o_first_and_intents_in_order() -> None:
    exs = [Example("a", "b_intent", (EntitySpan(0, 1, "x", "a", "a"),)), Example("b", "a_intent")]
    labels = Labels.from_examples(exs)
    assert labels.intents == ("b_intent", "a_intent") and labels.tags == ("O", "B-x", "I-x")


def test_split_dev_is_stratified_seeded_and_keeps_singletons_in_train() -> None:
    exs = [Example(f"t{i}", "big") for i in range(20)] + [Example("only", "rare")]
    train, dev = split_dev(exs, 0.25, seed=1)
    assert len(dev) == 5 and all(e.intent == "big" for e in dev)
    assert Example("only", "rare") in train
    assert split_dev(exs, 0.25, seed=1) == (train, dev)


def test_crf_nll_matches_brute_force() -> None:
    torch.manual_seed(0)
    crf = CRF(3)
    for p in crf.parameters():
        torch.nn.init.normal_(p)
    em = torch.randn(2, 3, 3)
    tags = torch.tensor([[0, 2, 1], [1, 1, 0]])
    mask = torch.tensor([[True, True, True], [True, True, False]])
    nll = crf.neg_log_likelihood(em, tags, mask)
    for b, n in enumerate(mask.sum(1).tolist()):
        def score(path: tuple[int, ...]) -> torch.Tensor:
            s = crf.start[path[0]] + crf.end[path[-1]] + sum(em[b, t, k] for t, k in enumerate(path))
            return s + sum(crf.transitions[path[t - 1], path[t]] for t in range(1, n))
        log_z = torch.logsumexp(torch.stack([score(p) for p in itertools.product(range(3), repeat=n)]), 0)
        expected = log_z - score(tuple(tags[b, :n].tolist()))
        assert torch.allclose(nll[b], expected, atol=1e-5)
