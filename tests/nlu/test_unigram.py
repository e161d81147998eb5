"""nlu.unigram.CompactUnigram: the same pieces, ids and offsets as `tokenizers`' own Unigram
model, for the texts a parser meets (English, Chinese, unknown characters, control characters,
added tokens, truncation)."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

import nlu.unigram
from nlu.encoding import PieceTokenizer
from nlu.unigram import CompactUnigram

CORPUS = ["where is my order", "I want to return a damaged item", "can I talk to a human please",
          "book a flight from paris to berlin tomorrow", "what is the weather like in new york",
          "my parcel never arrived and I am annoyed", "hello there", "thanks, bye",
          "我要退货", "我的订单在哪里", "可以转人工吗", "明天从北京飞上海", "谢谢 再见",
          "order XY9876 is late", "refund 12.50 EUR to my card", "email me at a.b@example.com"]


def unigram_file(folder: Path) -> Path:
    """A small Unigram tokenizer.json shaped like multilingual-e5's: a normalizer that drops
    control characters and applies NFKC, Metaspace pieces, `<s> $A </s>`, an added `<mask>`."""
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, processors, trainers

    tokenizer = Tokenizer(models.Unigram())
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.Replace(Regex("[\x01-\x08\x0b\x0e-\x1f\x7f]"), ""),
        normalizers.Replace(Regex("[\t\n\r\u200b\ufeff]"), " "),
        normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    rng = random.Random(0)
    texts = [" ".join(rng.sample(CORPUS, 3)) for _ in range(400)]
    tokenizer.train_from_iterator(texts, trainers.UnigramTrainer(
        vocab_size=300, special_tokens=["<s>", "<pad>", "</s>", "<unk>"], unk_token="<unk>"))
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    tokenizer.add_special_tokens(["<mask>"])
    path = folder / "tokenizer.json"
    tokenizer.save(str(path))
    return path


def texts_to_check() -> list[str]:
    rng = random.Random(1)
    alphabet = [chr(c) for c in [*range(0x20, 0x250), *range(0x2000, 0x2070), *range(0x3000, 0x3040),
                                 *range(0x4e00, 0x4e40), *range(0xff01, 0xff60), *range(0x1f600, 0x1f610),
                                 0x1, 0x7, 0x9, 0xa, 0x200b, 0x2581, 0xfeff, 0xfffd]]
    random_texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24))) for _ in range(1500)]
    mixed = [" ".join(rng.sample(CORPUS, 2)) for _ in range(200)]
    return [*CORPUS, *mixed, *random_texts, "", "   ", "ＦＵＬＬ　ｗｉｄｔｈ", "ﬁ ½ ㋿", "😀🤖 zzz qqq",
            "a\x01b\tc", "<mask> please", "where <s> is </s> it", "return " * 60,
            # NFKC makes the vocabulary's own <unk>, which fuses with unknowns beside it
            "＜ｕｎｋ＞\U000f0000", "＜ｕｎｋ＞＜ｕｎｋ＞", "a ＜ｕｎｋ＞😀 b", "＜ｍａｓｋ＞"]


@pytest.fixture()
def small_vocabulary_counts(monkeypatch) -> None:
    monkeypatch.setattr(nlu.unigram, "MIN_PIECES", 0)  # the fixture's vocabulary is small
    monkeypatch.setattr(PieceTokenizer, "_shared", {})


@pytest.mark.parametrize("max_length", [128, 9])
def test_pieces_ids_and_offsets_are_the_librarys(tmp_path: Path, small_vocabulary_counts,
                                                 max_length: int) -> None:
    from tokenizers import Tokenizer

    path = unigram_file(tmp_path)
    ours = PieceTokenizer(path, max_length)
    assert isinstance(ours.tokenizer, CompactUnigram)
    library = Tokenizer.from_file(str(path))
    library.enable_truncation(max_length)
    texts = texts_to_check()
    expected = [(e.ids, e.tokens, [tuple(o) for o in e.offsets])
                for e in library.encode_batch(texts, add_special_tokens=True)]
    got = [(list(e.ids), list(e.tokens), [tuple(o) for o in e.offsets]) for e in ours.encode_batch(texts)]
    wrong = [(t, e, g) for t, e, g in zip(texts, expected, got) if e != g]
    assert wrong == []
    assert any(3 in ids for ids, _, _ in got)  # unknown characters were among them


def test_small_or_other_vocabularies_stay_with_the_library(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(PieceTokenizer, "_shared", {})
    path = unigram_file(tmp_path)
    assert type(PieceTokenizer(path, 32).tokenizer).__name__ == "Tokenizer"  # under MIN_PIECES
    import json

    spec = json.loads(path.read_text())
    spec["post_processor"] = None  # not `<s> $A </s>`: not reproduced here
    assert CompactUnigram.load({**spec, "model": {**spec["model"], "vocab": spec["model"]["vocab"] * 300}},
                               path, "") is None


def test_two_models_files_of_one_tokenizer_are_read_once(tmp_path: Path, small_vocabulary_counts) -> None:
    """nlu.encoding.canonical_file: the NLU model's tokenizer.json (saved by transformers, with
    truncation) and the sentence encoder's (with padding) become the same bytes, so the
    vocabulary is in memory once."""
    from tokenizers import Tokenizer

    from nlu.encoding import canonical_file

    path = unigram_file(tmp_path)
    other = tmp_path / "encoder" / "tokenizer.json"
    other.parent.mkdir()
    library = Tokenizer.from_file(str(path))
    library.enable_truncation(128)
    library.save(str(path))
    library.no_truncation()
    library.enable_padding(pad_id=1, pad_token="<pad>")
    library.save(str(other))
    assert path.read_bytes() != other.read_bytes()
    assert canonical_file(path) and canonical_file(other) and not canonical_file(path)
    assert path.read_bytes() == other.read_bytes()
    assert PieceTokenizer(path, 64).tokenizer is PieceTokenizer(other, 16).tokenizer
    library.no_padding()
    texts = texts_to_check()
    assert [e.ids for e in Tokenizer.from_file(str(path)).encode_batch(texts)] == \
        [e.ids for e in library.encode_batch(texts)]  # the same tokenizer, rewritten


def test_the_full_library_is_built_from_the_bytes_read(tmp_path: Path, small_vocabulary_counts) -> None:
    """A text with an added token goes to the full library: read from any path the file was
    loaded from that still holds the same bytes (train's staging folders are renamed)."""
    import shutil

    staged = tmp_path / "encoder.tmp"
    staged.mkdir()
    path = unigram_file(staged)
    first = PieceTokenizer(path, 32)
    expected = first.encode_batch(["what does <mask> mean"])[0].ids
    shutil.move(staged, tmp_path / "encoder")
    again = PieceTokenizer(tmp_path / "encoder" / "tokenizer.json", 32)
    assert again.tokenizer is first.tokenizer
    assert again.encode_batch(["what does <mask> mean"])[0].ids == expected


def test_a_tokenizer_without_normalizer_stays_with_the_library(tmp_path: Path, small_vocabulary_counts) -> None:
    import json

    spec = json.loads(unigram_file(tmp_path).read_text())
    for step in ("normalizer", "pre_tokenizer"):
        assert CompactUnigram.load({**spec, step: None}, tmp_path, "") is None
