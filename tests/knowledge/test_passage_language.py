"""Knowledge passages per language: a `lang:` front matter or a folder named by a language
code marks a document's language; the grounded answerer searches the customer's language
first, then the default language's, and never mixes the two in one answer."""
from __future__ import annotations

import logging
import zlib
from pathlib import Path

import numpy as np
import pytest

from core.domain import GenerationConfig
from core.errors import ProjectInvalid
from knowledge.chunks import load_passages
from knowledge.index import KnowledgeIndex
from responses.grounded import GroundedAnswer, GroundedAnswerer

EN_RETURNS = "# Returns\n\n## Return window\nYou can return items within 30 days of delivery.\n"
EN_SHIPPING = "# Shipping\n\n## Shipping to Japan\nWe ship to Japan in 5 to 8 business days.\n"
ZH_RETURNS = "# 退货\n\n## 退货期限\n收到商品后30天内可以退货。\n"
ZH_MARKED = "---\nlang: zh\ntitle: 保修\n---\n# 保修\n\n## 保修期限\n所有商品保修一年。\n"


class CharEmbedder:
    """Character-bigram hashing, normalised: a fast stand-in for the sentence encoder."""

    name = "char-bigrams"

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 512), dtype=np.float32)
        for row, text in enumerate(texts):
            text = text.lower()
            for a, b in zip(text, text[1:]):
                out[row, zlib.crc32((a + b).encode()) % 512] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return write(tmp_path / "knowledge", {"returns.md": EN_RETURNS, "shipping.md": EN_SHIPPING,
                                          "zh/returns.md": ZH_RETURNS, "warranty_zh.md": ZH_MARKED})


def test_front_matter_or_a_language_folder_marks_the_passages(kb: Path) -> None:
    passages = {p.id: p for p in load_passages(kb, kb.parent)}
    assert passages["returns#return-window"].language is None  # the project's default
    zh = passages["returns#退货期限"]
    assert (zh.language, zh.source, zh.text) == ("zh", "knowledge/zh/returns.md:3", "收到商品后30天内可以退货。")
    marked = passages["warranty_zh#保修期限"]
    assert marked.language == "zh" and marked.source == "knowledge/warranty_zh.md:7"
    assert "lang" not in marked.text and marked.title == "保修"


def test_front_matter_wins_over_the_folder_and_ids_stay_unique(tmp_path: Path) -> None:
    kb = write(tmp_path, {"a/returns.md": EN_RETURNS, "b/returns.md": EN_RETURNS,
                          "zh/en.md": "---\nlang: en\n---\n## Hello\nHi.\n"})
    passages = load_passages(kb)
    assert [p.id for p in passages][:2] == ["returns#return-window", "returns#return-window-2"]
    assert passages[-1].language == "en"


def test_unreadable_front_matter_fails_with_every_file_named(tmp_path: Path) -> None:
    kb = write(tmp_path, {"open.md": "---\nlang: zh\n# never closed\n",
                          "bad.md": "---\ntitle: x\nlang: Chinese\n---\n## A\nb\n"})
    with pytest.raises(ProjectInvalid) as caught:
        load_passages(kb)
    message = str(caught.value)
    assert "open.md:1: front matter: the `---` block is not closed" in message
    assert "bad.md:3: lang: must be a language code" in message


@pytest.fixture
def answerer(kb: Path) -> GroundedAnswerer:
    index = KnowledgeIndex.build(load_passages(kb, kb.parent), CharEmbedder())
    return GroundedAnswerer(index, GenerationConfig(min_score=0.2), language="en",
                            languages=("en", "zh"))


def test_the_customers_language_is_searched_first(answerer) -> None:
    hits = answerer.relevant("退货期限是多久")
    assert hits and {h.passage.language for h in hits} == {"zh"}
    english = answerer.relevant("how many days is the return window?")
    assert english and {h.passage.language for h in english} == {None}


def test_the_default_language_when_none_in_the_customers_is_relevant(answerer, caplog) -> None:
    with caplog.at_level(logging.DEBUG, logger="switchboard.generation"):
        hits = answerer.relevant("Japan 5 to 8 business days 吗", language="zh")
    assert hits and {h.passage.language for h in hits} == {None}  # never a mix
    assert "no relevant zh passage: trying the default language's" in caplog.text
    spanish = answerer.relevant("return window 30 days", language="es")  # none in Spanish
    assert {h.passage.language for h in spanish} == {None}


def test_the_prompt_asks_for_the_customers_language_when_served(answerer) -> None:
    hits = answerer.relevant("退货期限是多久")
    assert "Write the answer in Chinese" in answerer.system_prompt(hits, "", {}, "zh")
    assert answerer.reply_language("zh") == "zh" and answerer.reply_language("es") == "en"
    answer = answerer.answer("退货期限是多久")
    assert isinstance(answer, GroundedAnswer) and answer.citations[0] == "returns#退货期限"
    assert {h.passage.language for h in answer.hits} == {"zh"}
    assert "30天" in answer.text
