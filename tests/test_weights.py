"""Reading one safetensors tensor by plain file reads."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from inference import weights
from inference.weights import find_tensor, read_tensor


def test_read_tensor_equals_the_loaded_tensor_converted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(weights, "_CHUNK_BYTES", 100)  # many slices, one ending mid-row
    tensors = {"bert.embeddings.word_embeddings.weight": torch.randn(37, 11), "other": torch.randn(3)}
    save_file(tensors, str(tmp_path / "model.safetensors"), metadata={"format": "pt"})
    file, key = find_tensor(tmp_path, "word_embeddings.weight")
    assert key == "bert.embeddings.word_embeddings.weight"
    got = read_tensor(file, key, torch.bfloat16)
    assert got.dtype == torch.bfloat16 and got.shape == (37, 11)
    assert torch.equal(got, load_file(str(file))[key].to(torch.bfloat16))
    assert torch.equal(read_tensor(file, "other", torch.float32), tensors["other"])
    assert find_tensor(tmp_path, "no_such.weight") is None


def test_read_tensor_names_bad_files(tmp_path: Path) -> None:
    save_file({"w": torch.zeros(4, dtype=torch.int64)}, str(tmp_path / "m.safetensors"))
    with pytest.raises(ValueError, match="is I64"):
        read_tensor(tmp_path / "m.safetensors", "w", torch.bfloat16)
    with pytest.raises(KeyError, match="no tensor 'x'"):
        read_tensor(tmp_path / "m.safetensors", "x", torch.bfloat16)
    save_file({"w": torch.ones(1000)}, str(tmp_path / "t.safetensors"))
    data = (tmp_path / "t.safetensors").read_bytes()
    (tmp_path / "t.safetensors").write_bytes(data[:-100])
    with pytest.raises(ValueError, match="ends inside tensor 'w'"):
        read_tensor(tmp_path / "t.safetensors", "w", torch.bfloat16)
    (tmp_path / "short.safetensors").write_bytes(b"abc")
    with pytest.raises(ValueError, match="shorter than 8 bytes"):
        read_tensor(tmp_path / "short.safetensors", "w", torch.bfloat16)
