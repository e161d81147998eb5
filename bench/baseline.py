"""Scoring shared by all systems, and the non-neural baseline.

Baseline: TF-IDF (word 1-2 grams + char 2-5 grams) + LogisticRegression for intents,
a linear-chain CRF (sklearn-crfsuite) over hand-made word features for slots.
Chinese (no spaces): each ideograph is a "word" to the word n-grams, so they are character
uni/bigrams there; the CRF's tokens are the dataset's (characters).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bench.seq_data import SeqExample

# Ideographs and kana (as nlu.decode): one word each. Otherwise sklearn's default word
# pattern (runs of 2+ word characters), so texts without them are tokenized as before.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WORD_PATTERN = rf"[{_CJK}]|(?<![^\W{_CJK}])[^\W{_CJK}]{{2,}}(?![^\W{_CJK}])"


@dataclass(frozen=True)
class Scores:
    intent_accuracy: float
    slot_f1: float
    sentence_accuracy: float


def score(gold: Sequence[SeqExample], intents: Sequence[str], tags: Sequence[Sequence[str]]
          ) -> Scores:
    """Intent accuracy, span-level slot F1 (seqeval), sentence accuracy; all in %.

    Labels never seen in training simply cannot be predicted, so they count as errors.
    """
    from seqeval.metrics import f1_score

    n = len(gold)
    intent_ok = [g.intent == p for g, p in zip(gold, intents)]
    tags_ok = [list(g.tags) == list(t) for g, t in zip(gold, tags)]
    f1 = f1_score([list(g.tags) for g in gold], [list(t) for t in tags])
    return Scores(100 * sum(intent_ok) / n, 100 * f1,
                  100 * sum(i and t for i, t in zip(intent_ok, tags_ok)) / n)


def _word_features(tokens: Sequence[str], i: int) -> dict[str, object]:
    w = tokens[i]
    feats: dict[str, object] = {"bias": 1.0, "w": w, "suf3": w[-3:], "pre3": w[:3],
                                "digit": w.isdigit(), "len": min(len(w), 10)}
    for d in (-2, -1, 1, 2):
        j = i + d
        feats[f"w{d}"] = tokens[j] if 0 <= j < len(tokens) else ("<s>" if j < 0 else "</s>")
    feats["bigram-1"] = f"{feats['w-1']}|{w}"
    feats["bigram+1"] = f"{w}|{feats['w1']}"
    return feats


class Baseline:
    """TF-IDF + LogisticRegression intents, CRF slots."""

    def __init__(self) -> None:
        import sklearn_crfsuite
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        self.intent = make_pipeline(
            make_union(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True,
                                       token_pattern=WORD_PATTERN),
                       TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
            LogisticRegression(C=20.0, max_iter=3000),
        )
        self.crf = sklearn_crfsuite.CRF(algorithm="lbfgs", c1=0.05, c2=0.05, max_iterations=150)

    @staticmethod
    def _seq_features(ex: SeqExample) -> list[dict[str, object]]:
        return [_word_features(ex.tokens, i) for i in range(len(ex.tokens))]

    def fit(self, train: Sequence[SeqExample]) -> "Baseline":
        self.intent.fit([e.text for e in train], [e.intent for e in train])
        self.crf.fit([self._seq_features(e) for e in train], [list(e.tags) for e in train])
        return self

    def predict(self, examples: Sequence[SeqExample]) -> tuple[list[str], list[list[str]]]:
        intents = list(self.intent.predict([e.text for e in examples]))
        tags = self.crf.predict([self._seq_features(e) for e in examples])
        return intents, [list(t) for t in tags]
