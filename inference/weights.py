"""Read one tensor of a safetensors file with plain file reads (no memory map), converting as it goes.

A tensor that ``from_pretrained`` loaded is a view of the file mapped into memory: every page touched
stays resident in the process. Converting the 250k-row embedding matrix in place would touch all of it;
reading it from the file in slices builds the converted copy while the mapping stays untouched.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import torch

_DTYPES = {"F32": np.float32, "F16": np.float16}
_CHUNK_BYTES = 16 << 20


def find_tensor(folder: str | Path, suffix: str) -> tuple[Path, str] | None:
    """The safetensors file in ``folder`` and the key of the one tensor whose name ends with ``suffix``."""
    for file in sorted(Path(folder).glob("*.safetensors")):
        for key in _header(file):
            if key == suffix or key.endswith("." + suffix):
                return file, key
    return None


def read_tensor(file: Path, key: str, dtype: torch.dtype) -> torch.Tensor:
    """Tensor ``key`` of ``file`` as ``dtype``, read in slices of about 16 MB."""
    header = _header(file)
    if key not in header:
        raise KeyError(f"{file} has no tensor {key!r}")
    entry = header[key]
    np_dtype = _DTYPES.get(entry["dtype"])
    if np_dtype is None:
        raise ValueError(f"{file}: tensor {key!r} is {entry['dtype']}; expected one of {sorted(_DTYPES)}")
    shape = tuple(entry["shape"])
    begin, end = entry["data_offsets"]
    itemsize = np.dtype(np_dtype).itemsize
    count = int(np.prod(shape)) if shape else 1
    if end - begin != count * itemsize:
        raise ValueError(f"{file}: tensor {key!r} spans {end - begin} bytes, not {count * itemsize}")
    out = torch.empty(count, dtype=dtype)
    step = max(1, _CHUNK_BYTES // itemsize)
    with open(file, "rb") as fh:
        fh.seek(8 + _header_length(fh) + begin)
        for start in range(0, count, step):
            n = min(step, count - start)
            block = np.frombuffer(fh.read(n * itemsize), dtype=np_dtype)
            if block.size != n:
                raise ValueError(f"{file} ends inside tensor {key!r}")
            out[start : start + n] = torch.from_numpy(block.copy())
    return out.view(shape)


def _header_length(fh) -> int:
    fh.seek(0)
    raw = fh.read(8)
    if len(raw) != 8:
        raise ValueError(f"{fh.name} is not a safetensors file (shorter than 8 bytes)")
    return struct.unpack("<Q", raw)[0]


def _header(file: Path) -> dict:
    with open(file, "rb") as fh:
        n = _header_length(fh)
        header = json.loads(fh.read(n))
    header.pop("__metadata__", None)
    return header
