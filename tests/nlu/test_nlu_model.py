"""The tiny model end to end: overfit, save, reload, parse anything, refuse bad artifacts."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from core.training_data import Example, TrainingData
from nlu.artifact import FORMAT_VERSION, fingerprint, is_up_to_date, load_artifact, read_metadata
from nlu.errors import EncoderLoadError, IncompatibleModelError, ModelNotFoundError, TrainingDataError
from nlu.parser import NLUParser
from tests.nlu.conftest import TINY_EXAMPLES


def test_overfits_training_intents(parser: NLUParser) -> None:
    for ex in TINY_EXAMPLES:
        assert parser.parse(ex.text).intent.name == ex.intent, ex.text


def test_overfits_entities_with_exact_offsets_and_synonyms(parser: NLUParser) -> None:
    msg = parser.parse("i want to go to new york")
    assert [(e.entity, e.text, e.start, e.end) for e in msg.entities] == [("city", "new york", 16, 24)]
    assert 0.0 < msg.entities[0].confidence <= 1.0
    assert [e.value for e in parser.parse("nyc please").entities] == ["New York"]


def test_ranking_is_sorted_capped_and_led_by_the_intent(parser: NLUParser) -> None:
    msg = parser.parse("hello there")
    confs = [r.confidence for r in msg.intent_ranking]
    assert msg.intent == msg.intent_ranking[0] and confs == sorted(confs, reverse=True)
    assert len(msg.intent_ranking) == 3 and 0.9 < sum(confs) <= 1.0 + 1e-4  # 3 of 4 intents


def test_reload_gives_identical_predictions(parser: NLUParser, trained_dir: Path) -> None:
    again = NLUParser.load(trained_dir)
    texts = [e.text for e in TINY_EXAMPLES]
    assert again.parse_batch(texts) == parser.parse_batch(texts)


def test_batch_equals_single(parser: NLUParser) -> None:
    texts = ["fly to paris", "bye", "", "book a flight to berlin please"]
    singles = [parser.parse(t) for t in texts]
    batch = parser.parse_batch(texts)
    assert [m.intent.name for m in batch] == [m.intent.name for m in singles]
    spans = lambda m: [(e.entity, e.start, e.end, e.value) for e in m.entities]  # noqa: E731
    assert [spans(m) for m in batch] == [spans(m) for m in singles]
    # int8 activations are scaled per batch (padding included), so confidences may differ a little
    for b, one in zip(batch, singles):
        assert b.intent.confidence == pytest.approx(one.intent.confidence, abs=0.05)
        assert [e.confidence for e in b.entities] == pytest.approx([e.confidence for e in one.entities], abs=0.05)
    assert parser.parse_batch([]) == []


NAUGHTY = [
    "", " ", "\n\t", "🙂", "👩‍👩‍👧 fly to paris 🙂", "fly to paris " * 160,  # ~2,000 chars
    "飞往北京 fly to berlin 明天", "ÅÄÖ café\u0301 naïve", "¿qué? ¡sí!", "\u200b\u200bhello",
    "x" * 2000, "new york" + "\U0001F600" * 50, "<script>alert(1)</script>", "null", "0",
]


@pytest.mark.parametrize("text", NAUGHTY, ids=range(len(NAUGHTY)))
def test_naughty_strings_parse_with_valid_offsets(parser: NLUParser, text: str) -> None:
    msg = parser.parse(text)
    assert msg.text == text and msg.intent.name in parser.intents
    for e in msg.entities:
        assert 0 <= e.start < e.end <= len(text) and text[e.start : e.end] == e.text


def test_rule_entities_and_synonyms_at_parse_time(parser: NLUParser) -> None:
    msg = parser.parse("order AB1234 in dark blue to the big apple")
    found = {(e.entity, e.text, e.extractor) for e in msg.entities}
    assert ("order_id", "AB1234", "regex") in found  # regexes win over model entities
    for e in msg.entities:  # whoever found "big apple" / "dark blue": values are mapped
        assert e.value == ("New York" if e.text.lower() == "big apple" else e.text)


def test_incompatible_format_version_is_refused(trained_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "old"
    shutil.copytree(trained_dir, copy)
    meta = json.loads((copy / "metadata.json").read_text())
    meta["format_version"] = FORMAT_VERSION + 1
    (copy / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(IncompatibleModelError, match="format_version"):
        NLUParser.load(copy)
    assert not is_up_to_date(copy, meta["fingerprint"])


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="no trained NLU model"):
        NLUParser.load(tmp_path / "nothing")


def test_fingerprint_stable_and_sensitive(tiny_data: TrainingData, tiny_config, trained_dir: Path
                                          ) -> None:
    fp = fingerprint(tiny_data, tiny_config)
    assert fp == fingerprint(TrainingData(examples=list(tiny_data.examples),
                                          synonyms=dict(tiny_data.synonyms),
                                          regexes=list(tiny_data.regexes),
                                          lookups=list(tiny_data.lookups)), tiny_config)
    assert read_metadata(trained_dir)["fingerprint"] == fp and is_up_to_date(trained_dir, fp)
    more = TrainingData(examples=[*tiny_data.examples, Example("hey", "greet")])
    assert fingerprint(more, tiny_config) != fp
    syn = TrainingData(examples=list(tiny_data.examples), synonyms={"ny": "New York"})
    assert fingerprint(syn, tiny_config) != fingerprint(TrainingData(examples=list(tiny_data.examples)), tiny_config)
    from dataclasses import replace

    assert fingerprint(tiny_data, replace(tiny_config, epochs=2)) != fp
    assert fingerprint(tiny_data, replace(tiny_config, device="cuda")) == fp  # where, not what


def test_same_seed_same_model(tiny_data: TrainingData, tiny_config, tmp_path: Path) -> None:
    from dataclasses import replace

    from safetensors.torch import load_file

    from nlu.trainer import train_nlu

    cfg = replace(tiny_config, epochs=2, dropout=0.1)
    train_nlu(tiny_data, cfg, tmp_path / "a", progress=False)
    train_nlu(tiny_data, cfg, tmp_path / "b", progress=False)
    a, b = (load_file(str(tmp_path / d / "model.safetensors")) for d in "ab")
    assert all((a[k] == b[k]).all() for k in a)


def test_training_errors_are_clear(tiny_config, tmp_path: Path) -> None:
    from dataclasses import replace

    from nlu.trainer import train_nlu

    with pytest.raises(TrainingDataError, match="no NLU examples"):
        train_nlu(TrainingData(), tiny_config, tmp_path / "m", progress=False)
    data = TrainingData(examples=[Example("hi", "greet")])
    with pytest.raises(EncoderLoadError, match="does-not-exist"):
        train_nlu(data, replace(tiny_config, encoder=str(tmp_path / "does-not-exist")),
                  tmp_path / "m", progress=False)


def test_regex_named_after_no_entity_extracts_nothing(parser: NLUParser) -> None:
    assert not [e for e in parser.parse("bye 90210").entities if e.entity == "zipcode"]


def test_small_data_trains_enough_steps_on_all_examples(tiny_data: TrainingData, tiny_config,
                                                        tmp_path: Path) -> None:
    from dataclasses import replace

    from nlu.trainer import train_nlu

    config = replace(tiny_config, epochs=1, min_steps=10, dev_fraction=0.5)
    report = train_nlu(tiny_data, config, tmp_path / "m", progress=False)
    assert report.steps >= 10 and report.epochs_run > 1  # epochs raised to reach min_steps
    assert report.dev_examples == 0  # 5 held-out messages are too few to early-stop on
    assert report.train_examples == len(tiny_data.examples)


def test_traced_encoder_gives_the_eager_predictions(trained_dir: Path) -> None:
    from nlu.traced import TracedEncoder

    traced = NLUParser.load(trained_dir, quantize="none", runtime="torch")
    assert isinstance(traced.artifact.model.encoder, TracedEncoder)
    eager = NLUParser.load(trained_dir, device="cpu", runtime="torch")
    eager.artifact.model.encoder = load_artifact(trained_dir).model.encoder
    texts = ["fly to paris", "hello there", "order XY9876 in red", ""]
    for a, b in zip(traced.parse_batch(texts), eager.parse_batch(texts)):
        assert a.intent.name == b.intent.name
        assert a.intent.confidence == pytest.approx(b.intent.confidence, abs=1e-4)
        assert [(e.entity, e.start, e.end) for e in a.entities] == \
            [(e.entity, e.start, e.end) for e in b.entities]


def test_quantize_modes_pick_the_int8_layers(trained_dir: Path, tiny_data) -> None:
    from nlu.inference import quantize_encoder

    def int8_layers(mode: str) -> set[str]:
        encoder = quantize_encoder(load_artifact(trained_dir).model.encoder, mode)
        return {name for name, layer in encoder.named_modules()
                if "quantized" in type(layer).__module__ and type(layer).__name__ == "Linear"}

    quantized = int8_layers("ffn")
    assert quantized and all(name.endswith("intermediate.dense") for name in quantized)
    everything = int8_layers("all")
    assert quantized < everything
    texts = [e.text for e in tiny_data.examples]
    fp32 = NLUParser.load(trained_dir, quantize="none", runtime="torch").parse_batch(texts)
    ffn = NLUParser.load(trained_dir, quantize="ffn", runtime="torch").parse_batch(texts)
    assert [m.intent.name for m in ffn] == [m.intent.name for m in fp32]


@pytest.mark.parametrize("pooling", ["cls", "mean"])
def test_intent_pooling_ignores_padding(tiny_encoder_dir: Path, pooling: str) -> None:
    import torch

    from nlu.encoder import load_encoder, load_tokenizer
    from nlu.encoding import encode_texts
    from nlu.features import collate
    from nlu.model import JointModel

    torch.manual_seed(0)
    model = JointModel(load_encoder(str(tiny_encoder_dir), 0.0), 3, 5, 0.0, True, pooling).eval()
    items = encode_texts(load_tokenizer(str(tiny_encoder_dir)),
                         ["bye", "book a flight to berlin in red"], 32)
    with torch.no_grad():
        together = model(collate(items, 0, with_labels=False))[0]  # "bye" padded to 9 pieces
        alone = [model(collate([it], 0, with_labels=False))[0][0] for it in items]
    assert torch.allclose(together, torch.stack(alone), atol=1e-5)


def test_mean_pooled_model_trains_and_reloads_as_mean(tiny_data: TrainingData, tiny_config,
                                                       tmp_path: Path) -> None:
    from dataclasses import replace

    from nlu.trainer import train_nlu

    train_nlu(tiny_data, replace(tiny_config, intent_pooling="mean"), tmp_path / "m", progress=False)
    parser = NLUParser.load(tmp_path / "m", runtime="torch")
    assert parser.artifact.model.intent_pooling == "mean"
    for ex in TINY_EXAMPLES:
        assert parser.parse(ex.text).intent.name == ex.intent, ex.text
