"""Build a tiny randomly initialised BERT + fast WordPiece tokenizer on disk (no download).

It is loaded through the same `from_pretrained(path)` code as the real encoder.
"""
from __future__ import annotations

from pathlib import Path


def _vocab(texts: list[str]) -> list[str]:
    words = sorted({w for t in texts for w in t.lower().split()})
    chars = sorted({c for t in texts for c in t.lower() if not c.isspace()})
    return ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words, *chars,
            *[f"##{c}" for c in chars], ".", ",", "?", "!"]


def build_tiny_bert(out: Path, texts: list[str]) -> Path:
    """Save a 2-layer, 32-wide BERT with a vocabulary built from `texts`; return `out`."""
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertModel, BertTokenizerFast

    ids = {tok: i for i, tok in enumerate(dict.fromkeys(_vocab(texts)))}
    tok = Tokenizer(models.WordPiece(vocab=ids, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True, handle_chinese_chars=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", ids["[CLS]"]), ("[SEP]", ids["[SEP]"])],
    )
    BertTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]",
                      cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]",
                      model_max_length=128).save_pretrained(out)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(ids), hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=128)
    BertModel(config).save_pretrained(out)
    return out
