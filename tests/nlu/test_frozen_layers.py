"""Training only the top encoder layers (`trainable_layers`, nlu/frozen.py)."""
from __future__ import annotations

import dataclasses

import pytest
import torch

from nlu.config import NLUConfig
from nlu.encoding import encode_texts
from nlu.features import collate
from nlu.frozen import bottom_states, freeze_bottom, frozen_count, pad_states
from nlu.model import JointModel


@pytest.fixture
def tiny_encoder(tiny_encoder_dir):
    from nlu.encoder import load_encoder, load_tokenizer

    return load_tokenizer(str(tiny_encoder_dir)), load_encoder(str(tiny_encoder_dir), 0.0)


def _model(encoder) -> JointModel:
    return JointModel(encoder, num_intents=3, num_tags=3, dropout=0.0, use_crf=True,
                      intent_pooling="cls").eval()


def test_cached_bottom_layers_give_the_same_logits_as_the_whole_encoder(tiny_encoder) -> None:
    tokenizer, encoder = tiny_encoder
    model = _model(encoder)
    items = encode_texts(tokenizer, ["where is my order 12345", "hi", "cancel it please now"], 64)
    total = len(encoder.encoder.layer)
    model.frozen_layers = total - 1
    states = bottom_states(encoder, items, model.frozen_layers, tokenizer.pad_token_id,
                           torch.device("cpu"), batch_size=2)
    assert [s.size(0) for s in states] == [len(it.input_ids) for it in items]
    batch = collate(items, tokenizer.pad_token_id, with_labels=False)
    with torch.no_grad():
        whole = model(batch)
        batch.hidden = pad_states(states, batch.input_ids.size(1))
        cached = model(batch)
    for a, b in zip(whole, cached):
        assert torch.allclose(a, b, atol=1e-5), (a - b).abs().max()


def test_frozen_count_by_depth(tiny_encoder) -> None:
    _, encoder = tiny_encoder
    total = len(encoder.encoder.layer)
    assert frozen_count(encoder, None) == 0  # shallow: every layer trains
    assert frozen_count(encoder, 1) == total - 1
    assert frozen_count(encoder, total + 5) == 0


def test_freeze_bottom_leaves_only_the_top_layers_trainable(tiny_encoder) -> None:
    _, encoder = tiny_encoder
    total = len(encoder.encoder.layer)
    freeze_bottom(encoder, total - 1)
    assert not any(p.requires_grad for p in encoder.embeddings.parameters())
    assert not any(p.requires_grad for layer in encoder.encoder.layer[:-1] for p in layer.parameters())
    assert all(p.requires_grad for p in encoder.encoder.layer[-1].parameters())


def test_training_only_the_top_layer_learns_and_keeps_the_rest(tiny_data, tiny_config,
                                                                tiny_encoder_dir, tmp_path) -> None:
    from safetensors.torch import load_file

    from nlu.parser import NLUParser
    from nlu.trainer import train_nlu

    config = dataclasses.replace(tiny_config, trainable_layers=1)
    train_nlu(tiny_data, config, tmp_path / "m", progress=False)
    parser = NLUParser.load(tmp_path / "m")
    right = sum(parser.parse(e.text).intent.name == e.intent for e in tiny_data.examples)
    assert right >= len(tiny_data.examples) - 1
    weights = load_file(str(tmp_path / "m" / "model.safetensors"))
    pretrained = load_file(str(tiny_encoder_dir / "model.safetensors"))
    name = "encoder.layer.0.attention.self.query.weight"
    assert torch.equal(weights[f"encoder.{name}"], pretrained[name])  # frozen: as pretrained
    top = "encoder.layer.1.attention.self.query.weight"
    assert not torch.equal(weights[f"encoder.{top}"], pretrained[top])  # trained


def test_trainable_layers_option_is_checked() -> None:
    from nlu.errors import NLUConfigError

    assert NLUConfig.from_dict({"trainable_layers": 2}).trainable_layers == 2
    with pytest.raises(NLUConfigError, match="trainable_layers"):
        NLUConfig.from_dict({"trainable_layers": 0})
