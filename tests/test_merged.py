"""The merged-adapter cache: the second load of a LoRA model reads merged layers instead of merging."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from tests_helpers import tiny_stance_model

from inference.classifier import load_classifier
from inference.merged import adapter_key, cache_file

SENTENCES = ["Russia imposed sanctions on Ukraine and France condemned it.", "Deutschland und Frankreich."]


def _saved_lora_model(tiny_encoder: Path, tmp_path: Path) -> Path:
    model, tok = tiny_stance_model(tiny_encoder)
    with torch.no_grad():  # a non-zero adapter, so merged weights differ from the base
        for name, p in model.encoder.named_parameters():
            if "lora_B" in name:
                p.normal_(std=0.5)
    return model.save_pretrained(tmp_path / "model", tokenizer=tok)


def _scores(clf) -> list[list[float]]:
    return [list(r.scores["detail"].values()) for r in clf.classify_sentences(SENTENCES)]


def test_second_load_reads_the_cache_and_gives_identical_outputs(
    tiny_encoder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DIPLOSTANCE_MERGED_CACHE", raising=False)
    out = _saved_lora_model(tiny_encoder, tmp_path)
    key = adapter_key(out / "adapter", tiny_encoder)
    assert key is not None
    file = cache_file(tiny_encoder, key)
    assert not file.exists()
    first = load_classifier(out, precision="fp32")
    assert file.is_file() and file.parent == tiny_encoder.with_name("encoder.merged")

    import peft

    def no_peft(*args, **kwargs):
        raise AssertionError("peft was used although the merged copy is cached")

    monkeypatch.setattr(peft.PeftModel, "from_pretrained", no_peft)
    second = load_classifier(out, precision="fp32")
    base = first.model.encoder.state_dict()
    for name, tensor in second.model.encoder.state_dict().items():
        assert torch.equal(tensor, base[name]), name
    assert _scores(second) == _scores(first)


def test_a_changed_adapter_gets_a_new_key_and_a_bad_cache_file_is_ignored(
    tiny_encoder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DIPLOSTANCE_MERGED_CACHE", raising=False)
    out = _saved_lora_model(tiny_encoder, tmp_path)
    key = adapter_key(out / "adapter", tiny_encoder)
    reference = _scores(load_classifier(out, precision="fp32"))
    file = cache_file(tiny_encoder, key)
    file.write_bytes(b"not a safetensors file")
    assert _scores(load_classifier(out, precision="fp32")) == reference  # merged again, not crashed
    config = out / "adapter" / "adapter_config.json"
    config.write_text(config.read_text().replace('"lora_alpha"', '"lora_alpha" ', 1))
    assert adapter_key(out / "adapter", tiny_encoder) != key


def test_cache_off_writes_nothing(
    tiny_encoder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIPLOSTANCE_MERGED_CACHE", "0")
    out = _saved_lora_model(tiny_encoder, tmp_path)
    load_classifier(out, precision="fp32")
    assert not tiny_encoder.with_name("encoder.merged").exists()


def test_tokenizer_from_its_file_splits_like_autotokenizer(tiny_encoder: Path) -> None:
    from conftest import TINY_CORPUS
    from transformers import AutoTokenizer

    from inference.modeling import load_tokenizer

    fast, auto = load_tokenizer(str(tiny_encoder)), AutoTokenizer.from_pretrained(tiny_encoder)
    assert type(fast) is not type(auto)  # the quick path was taken
    texts = ["query: " + t for t in TINY_CORPUS] + ["", "query: [ Russia ]  and\u00a0France"]
    kwargs = {"truncation": True, "max_length": 16, "return_offsets_mapping": True}
    assert fast(texts, **kwargs) == auto(texts, **kwargs)
    padded = {"padding": True, "pad_to_multiple_of": 8, "return_tensors": "pt"}
    assert torch.equal(fast(texts, **padded)["input_ids"], auto(texts, **padded)["input_ids"])
    assert fast.pad_token_id == auto.pad_token_id and fast.padding_side == auto.padding_side
