"""Pure postprocessing: words from text, word <-> word-piece alignment, tag decoding,
BIO merging and entity construction. No torch; unit-tested with hand-made arrays.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from core.message import Entity, IntentScore

# Ideographs and kana: one word per character (these scripts use no spaces).
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD_RE = re.compile(
    rf"[{_CJK}]"  # one CJK character
    rf"|(?:[^\W{_CJK}]|[\u0300-\u036f])+"  # a run of letters/digits (+ combining marks)
    r"|[^\w\s]"  # one punctuation mark, symbol or emoji code point
)

Span = tuple[int, int]


def split_words(text: str) -> list[Span]:
    """Character spans of the words of `text`: whitespace/punctuation split, CJK per char."""
    return [m.span() for m in _WORD_RE.finditer(text)]


def piece_offsets(text: str, tokens: Sequence[str], offsets: Sequence[Span]) -> list[Span]:
    """Token offsets on the text's characters only: SentencePiece tokenizers (XLM-R's, e5's)
    count the space a "▁world" replaced, and give a bare "▁" the first character of the
    text; here "▁world" starts at "w" and a bare "▁" is empty, like a special token.
    WordPiece offsets never include spaces, so BERT's are returned unchanged."""
    out = []
    for token, (start, end) in zip(tokens, offsets):
        if token == "\u2581":
            out.append((start, start))
            continue
        while start < end and text[start].isspace():
            start += 1
        out.append((start, end))
    return out


def join_spanned(words: Sequence[Span], token_offsets: Sequence[Span]) -> list[Span]:
    """Words that one token spans become one word: a piece such as "订单" covers two
    characters that `split_words` keeps apart. BERT's pieces never span two words
    (except [UNK] over a run of symbols), so its words stay as they are.

    Entities are tagged and decoded per joined word, so their offsets are exact whenever
    their boundaries fall between pieces; an annotation that ends inside a piece ("北" of
    a piece "北京") gets the whole piece, the closest a tagger of pieces can come.
    """
    joined = [False] * len(words)  # joined[i]: word i continues word i - 1
    w = 0
    for start, end in token_offsets:
        if start == end:
            continue
        while w < len(words) and words[w][1] <= start:
            w += 1
        last = w
        while last + 1 < len(words) and words[last + 1][0] < end:
            last += 1
            joined[last] = True
    out: list[Span] = []
    for i, span in enumerate(words):
        if joined[i] and out:
            out[-1] = (out[-1][0], span[1])
        else:
            out.append(span)
    return out


def align_words(words: Sequence[Span], token_offsets: Sequence[Span]) -> list[int]:
    """For each word, the index of the first token that starts inside it, or -1.

    Special tokens have empty offsets (start == end) and are skipped. A word gets -1
    when truncation cut it off or a token spanning two words started in the previous one.
    """
    aligned = [-1] * len(words)
    w = 0
    for t, (start, end) in enumerate(token_offsets):
        if start == end:
            continue
        while w < len(words) and words[w][1] <= start:
            w += 1
        if w == len(words):
            break
        if words[w][0] <= start and aligned[w] == -1:
            aligned[w] = t
    return aligned


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    z = np.exp(x - x.max(axis=axis, keepdims=True))
    return z / z.sum(axis=axis, keepdims=True)


def _logsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    m = x.max(axis=axis, keepdims=True)
    return (m + np.log(np.exp(x - m).sum(axis=axis, keepdims=True))).squeeze(axis)


def viterbi(emissions: np.ndarray, start: np.ndarray, end: np.ndarray,
            transitions: np.ndarray) -> list[int]:
    """Best tag sequence under a linear-chain CRF. emissions [W, K] -> W tag ids."""
    if len(emissions) == 0:
        return []
    score = start + emissions[0]  # [K]
    back = []
    for t in range(1, len(emissions)):
        cand = score[:, None] + transitions  # [K_from, K_to]
        back.append(cand.argmax(0))
        score = cand.max(0) + emissions[t]
    best = [int((score + end).argmax())]
    for ptr in reversed(back):
        best.append(int(ptr[best[-1]]))
    return best[::-1]


def crf_marginals(emissions: np.ndarray, start: np.ndarray, end: np.ndarray,
                  transitions: np.ndarray) -> np.ndarray:
    """p(tag_t = k | sentence) by forward-backward in log space: [W, K] -> [W, K]."""
    n = len(emissions)
    if n == 0:
        return np.zeros_like(emissions)
    alpha = np.zeros_like(emissions)
    beta = np.zeros_like(emissions)
    alpha[0] = start + emissions[0]
    for t in range(1, n):
        alpha[t] = _logsumexp(alpha[t - 1][:, None] + transitions, 0) + emissions[t]
    beta[-1] = end
    for t in range(n - 2, -1, -1):
        beta[t] = _logsumexp(transitions + (emissions[t + 1] + beta[t + 1])[None, :], 1)
    log_z = _logsumexp(alpha[-1] + end, 0)
    return np.exp(alpha + beta - log_z)


def bio_constraints(tags: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Penalties that forbid invalid BIO moves: start -> I-x and y -> I-x unless y is B-x/I-x.

    Returns (start [K], transitions [K_from, K_to]) with 0 for allowed, -1e4 for forbidden.
    """
    k = len(tags)
    start, trans = np.zeros(k), np.zeros((k, k))
    for j, tag in enumerate(tags):
        if not tag.startswith("I-"):
            continue
        start[j] = -1e4
        for i, prev in enumerate(tags):
            if prev[2:] != tag[2:] or prev[:2] not in ("B-", "I-"):
                trans[i, j] = -1e4
    return start, trans


def decode_tags(tag_logits: np.ndarray, crf: dict[str, np.ndarray] | None,
                constraints: tuple[np.ndarray, np.ndarray] | None = None
                ) -> tuple[list[int], list[float]]:
    """Best valid tag ids and per-word confidences (CRF marginals or softmax probabilities).

    With a CRF: Viterbi over its transitions (+ BIO constraints). Without: Viterbi over
    log-softmax scores with only the constraints, i.e. the best valid BIO sequence.
    """
    if len(tag_logits) == 0:
        return [], []
    k = tag_logits.shape[1]
    c_start, c_trans = constraints if constraints is not None else (np.zeros(k), np.zeros((k, k)))
    if crf is None:
        probs = softmax(tag_logits)
        ids = viterbi(np.log(probs + 1e-12), c_start, np.zeros(k), c_trans)
    else:
        start, trans = crf["start"] + c_start, crf["transitions"] + c_trans
        ids = viterbi(tag_logits, start, crf["end"], trans)
        probs = crf_marginals(tag_logits, crf["start"], crf["end"], crf["transitions"])
    return ids, [float(probs[w, i]) for w, i in enumerate(ids)]


@dataclass(frozen=True)
class RawPrediction:
    """Model output for one text: intent distribution, tag id + confidence per kept word."""

    intent_probs: np.ndarray  # [I]
    tag_ids: list[int]
    tag_confidences: list[float]


def decode_rows(intent_logits: np.ndarray, tag_logits: np.ndarray, word_counts: Sequence[int],
                crf: dict[str, np.ndarray] | None, constraints) -> list[RawPrediction]:
    """One forward pass's outputs ([B, I], [B, W, K]) to a prediction per row, reading the
    first `word_counts[row]` words of each (the rest is padding). Both runners (torch and
    ONNX Runtime) decode through here."""
    intent_probs = softmax(intent_logits.astype(np.float32))
    out = []
    for row, n_words in enumerate(word_counts):
        ids, confs = decode_tags(tag_logits[row, :n_words], crf, constraints)
        out.append(RawPrediction(intent_probs[row], ids, confs))
    return out


def in_length_order(items: Sequence, batch_size: int,
                    run: Callable[[list], list[RawPrediction]]) -> list[RawPrediction]:
    """`run` over mini-batches of `items` sorted by length (little padding); the results
    come back in the order of `items`. Both runners batch through here."""
    order = sorted(range(len(items)), key=lambda i: len(items[i].input_ids))
    results: list[RawPrediction] = [None] * len(items)  # type: ignore[list-item]  # all filled below
    for lo in range(0, len(order), batch_size):
        idx = order[lo : lo + batch_size]
        for i, raw in zip(idx, run([items[i] for i in idx])):
            results[i] = raw
    return results


def bio_to_spans(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """Merge BIO tags into (label, first word, end word exclusive) spans.

    Lenient like conlleval: an I- without a matching open entity starts a new one,
    an I- of another label closes the open one, an entity at the very end is closed.
    """
    spans: list[tuple[str, int, int]] = []
    label, begin = None, 0
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, name = tag.partition("-")
        continues = prefix == "I" and name == label
        if label is not None and not continues:
            spans.append((label, begin, i))
            label = None
        if prefix in ("B", "I") and not continues:
            label, begin = name, i
    return spans


def spans_to_entities(text: str, words: Sequence[Span], spans: Sequence[tuple[str, int, int]],
                      confidences: Sequence[float]) -> list[Entity]:
    """Entities with exact character offsets taken from the word spans (never re-joined)."""
    entities = []
    for label, first, last in spans:
        start, end = words[first][0], words[last - 1][1]
        conf = float(np.mean(confidences[first:last])) if last > first else 0.0
        surface = text[start:end]
        entities.append(Entity(entity=label, start=start, end=end, text=surface, value=surface,
                               confidence=conf))
    return entities


def rank_intents(probs: np.ndarray, names: Sequence[str], size: int) -> tuple[IntentScore, ...]:
    """The `size` most likely intents, best first."""
    order = np.argsort(-probs, kind="stable")[:size]
    return tuple(IntentScore(names[i], float(probs[i])) for i in order)
