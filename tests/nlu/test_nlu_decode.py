"""Pure postprocessing with hand-made inputs: words, alignment, BIO merging, CRF decoding."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from nlu.decode import (
    align_words,
    bio_constraints,
    bio_to_spans,
    crf_marginals,
    decode_tags,
    rank_intents,
    spans_to_entities,
    split_words,
    viterbi,
)


def words_of(text: str) -> list[str]:
    return [text[s:e] for s, e in split_words(text)]


def test_split_words_punctuation_and_whitespace() -> None:
    assert words_of("Fly to  St. Louis, ok?") == ["Fly", "to", "St", ".", "Louis", ",", "ok", "?"]


def test_split_words_cjk_each_char_and_latin_runs() -> None:
    assert words_of("去北京 by train") == ["去", "北", "京", "by", "train"]


def test_split_words_emoji_and_combining_marks() -> None:
    text = "cafe\u0301 🙂 ok"
    assert words_of(text) == ["cafe\u0301", "🙂", "ok"]


def test_split_words_empty() -> None:
    assert split_words("") == [] and split_words("   ") == []


def test_align_words_skips_specials_and_uses_first_piece() -> None:
    words = [(0, 5), (6, 11)]  # "hello world"
    offsets = [(0, 0), (0, 3), (3, 5), (6, 11), (0, 0)]  # [CLS] hel ##lo world [SEP]
    assert align_words(words, offsets) == [1, 3]


def test_align_words_truncated_word_gets_minus_one() -> None:
    words = [(0, 1), (2, 3), (4, 5)]
    offsets = [(0, 0), (0, 1), (2, 3), (0, 0)]  # third word cut off by truncation
    assert align_words(words, offsets) == [1, 2, -1]


def test_align_words_token_spanning_two_words() -> None:
    words = [(0, 1), (1, 2)]  # our split is finer than the tokenizer's
    offsets = [(0, 0), (0, 2), (0, 0)]
    assert align_words(words, offsets) == [1, -1]


@pytest.mark.parametrize(
    ("tags", "spans"),
    [
        (["B-city", "I-city", "O"], [("city", 0, 2)]),
        (["B-city"], [("city", 0, 1)]),  # entity at the very end, B without I
        (["O", "B-city", "I-city"], [("city", 1, 3)]),  # multi-word at the end
        (["O", "I-city", "I-city", "O"], [("city", 1, 3)]),  # I without B
        (["B-city", "I-date"], [("city", 0, 1), ("date", 1, 2)]),  # I of another label
        (["B-city", "B-city"], [("city", 0, 1), ("city", 1, 2)]),  # two adjacent entities
        (["O", "O"], []),
        ([], []),
        (["B-a|from|", "I-a|from|"], [("a|from|", 0, 2)]),  # role-carrying labels
    ],
)
def test_bio_to_spans(tags: list[str], spans: list[tuple[str, int, int]]) -> None:
    assert bio_to_spans(tags) == spans


def test_spans_to_entities_offsets_with_emoji_and_cjk() -> None:
    text = "🙂 去 北京 St. Louis!"
    words = split_words(text)
    w = [text[s:e] for s, e in words]
    spans = [("city", w.index("北"), w.index("京") + 1),
             ("city", w.index("St"), w.index("Louis") + 1)]
    ents = spans_to_entities(text, words, spans, [0.5] * len(words))
    assert [e.text for e in ents] == ["北京", "St. Louis"]
    for e in ents:
        assert text[e.start : e.end] == e.text and e.value == e.text and e.confidence == 0.5


def _brute_force(emissions: np.ndarray, start: np.ndarray, end: np.ndarray, trans: np.ndarray
                 ) -> dict[tuple[int, ...], float]:
    n, k = emissions.shape
    scores = {}
    for path in itertools.product(range(k), repeat=n):
        s = start[path[0]] + end[path[-1]] + sum(emissions[t, path[t]] for t in range(n))
        s += sum(trans[path[t - 1], path[t]] for t in range(1, n))
        scores[path] = s
    return scores


def test_viterbi_and_marginals_match_brute_force() -> None:
    rng = np.random.default_rng(0)
    em, st, en, tr = rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=3), rng.normal(size=(3, 3))
    scores = _brute_force(em, st, en, tr)
    assert tuple(viterbi(em, st, en, tr)) == max(scores, key=scores.get)
    z = np.logaddexp.reduce(list(scores.values()))
    marg = crf_marginals(em, st, en, tr)
    expected = np.zeros_like(em)
    for path, s in scores.items():
        for t, k in enumerate(path):
            expected[t, k] += np.exp(s - z)
    np.testing.assert_allclose(marg, expected, atol=1e-9)


def test_viterbi_respects_forbidden_transition() -> None:
    em = np.array([[0.0, 1.0], [0.0, 1.0]])
    tr = np.array([[0.0, 0.0], [0.0, -100.0]])  # tag 1 -> tag 1 forbidden
    assert viterbi(em, np.zeros(2), np.zeros(2), tr) in ([0, 1], [1, 0])


def test_decode_tags_empty_and_argmax() -> None:
    assert decode_tags(np.zeros((0, 3)), None) == ([], [])
    crf = {"start": np.zeros(3), "end": np.zeros(3), "transitions": np.zeros((3, 3))}
    assert decode_tags(np.zeros((0, 3)), crf) == ([], [])
    ids, conf = decode_tags(np.array([[0.0, 5.0, 0.0]]), None)
    assert ids == [1] and conf[0] > 0.95


def test_rank_intents_sorted_and_capped() -> None:
    ranking = rank_intents(np.array([0.1, 0.6, 0.3]), ["a", "b", "c"], 2)
    assert [r.name for r in ranking] == ["b", "c"]
    assert ranking[0].confidence == pytest.approx(0.6)


def test_bio_constraints_forbid_orphan_inside_tags() -> None:
    tags = ["O", "B-city", "I-city", "B-date", "I-date"]
    start, trans = bio_constraints(tags)
    assert start.tolist() == [0, 0, -1e4, 0, -1e4]
    assert trans[1, 2] == 0 and trans[2, 2] == 0  # B-city/I-city -> I-city
    assert trans[0, 2] < 0 and trans[3, 2] < 0  # O -> I-city, B-date -> I-city
    # The unconstrained argmax would give O, I-city; constrained it must be valid.
    logits = np.log(np.array([[0.9, 0.05, 0.01, 0.02, 0.02], [0.1, 0.1, 0.6, 0.1, 0.1]]))
    ids, _ = decode_tags(logits, None, (start, trans))
    assert [tags[i] for i in ids] in (["B-city", "I-city"], ["O", "O"], ["O", "B-city"],
                                      ["O", "B-date"])
    assert ids != [0, 2]
