"""datasets tables: declared features, lossless rows, one DatasetDict per source, `data` saves them;
map tokenisation + collator give exactly the tensors inference.encoding.encode gives; the mixture sampler."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import yaml
from test_training import _config

from training.config import Config, build, load_config
from training.examples import Example, Pair, Target

TEXT = "Germany criticised Israel's decision to arrest Spanish activists who had praised Palestine."
EXAMPLES = [
    Example(
        "a",
        "news",
        "en",
        TEXT,
        [
            Target([(0, 7)], "DEU", "verbal_conflict"),
            Target([(19, 25), (81, 90)]),
            Target([(81, 90)], None, None, "positive"),
        ],
        pairs=[Pair(0, 1, "none", -2.5), Pair(2, 0, "verbal_conflict")],
    ),
    Example(
        "b",
        "cameo",
        "en",
        "The Kremlin said the talks with Washington were constructive.",
        [Target([(4, 11)], sentiment="neutral")],
        "verbal_cooperation",
        group="g1",
    ),
    Example("c", "cameo", "en", "Officials in Beijing met their Japanese counterparts.", [], "neutral"),
]


def test_features_are_declared_and_rows_round_trip() -> None:
    from datasets import ClassLabel

    from inference.labels import DETAIL_LABELS, SENTIMENT_LABELS
    from training.hf_data import examples_dataset, row_example

    table = examples_dataset(EXAMPLES)
    f = table.features
    assert isinstance(f["sentence_detail"], ClassLabel) and f["sentence_detail"].names == list(DETAIL_LABELS)
    assert f["targets"].feature["sentiment"].names == list(SENTIMENT_LABELS)
    assert isinstance(f["pairs"].feature["label"], ClassLabel)
    assert table[1]["sentence_detail"] == DETAIL_LABELS.index("verbal_cooperation")
    assert table[0]["sentence_detail"] is None  # no label is no label, not class 0
    assert [row_example(r) for r in table] == EXAMPLES


@pytest.mark.parametrize(
    ("markers", "max_length"), [(None, 48), (("[", "]"), 48), (None, 9), (("[", "]"), 9)]
)
def test_map_tokenisation_equals_encode(tiny_encoder: Path, markers, max_length: int) -> None:
    from transformers import AutoTokenizer

    from training.batching import collate
    from training.hf_data import examples_dataset
    from training.tokenised import TokenisedCollator, tokenise

    tok = AutoTokenizer.from_pretrained(tiny_encoder)
    weights = {"cameo": {"sentence_detail": {"neutral": 3.0}}}
    table = tokenise(
        examples_dataset(EXAMPLES), tok, max_length=max_length, prefix="query: ", markers=markers
    )
    ours = TokenisedCollator(tok, max_length=max_length, marked=markers is not None, weights=weights)(
        list(table)
    )
    reference = collate(
        tok, EXAMPLES, max_length=max_length, prefix="query: ", markers=markers, weights=weights
    )
    assert set(ours) == set(reference)
    for key, value in reference.items():
        assert torch.equal(ours[key], value), key
    if max_length == 9:  # Palestine (chars 81-90) is cut off: its target falls back to the whole row
        assert ours["target_truncated"].any()


def test_tokenise_fingerprints_without_pickling_the_tokenizer(tiny_encoder: Path, monkeypatch) -> None:
    """map would pickle the whole tokenizer to fingerprint the call (seconds per source); tokenise names it
    instead, and the fingerprint still moves with what shapes the tokens."""
    from datasets import fingerprint
    from transformers import AutoTokenizer

    from training.hf_data import examples_dataset
    from training.tokenised import tokenise, tokenise_fingerprint

    tok = AutoTokenizer.from_pretrained(tiny_encoder)
    table = examples_dataset(EXAMPLES)
    original = fingerprint.Hasher.hash

    pickled = []

    def record(cls, value):  # datasets swallows errors raised while hashing, so record rather than raise
        if value is tok or (isinstance(value, dict) and any(v is tok for v in value.values())):
            pickled.append(type(value).__name__)
        return original(value)

    monkeypatch.setattr(fingerprint.Hasher, "hash", classmethod(record))
    out = tokenise(table, tok, max_length=48, prefix="query: ", markers=None)
    assert pickled == [], "the tokenizer was pickled to fingerprint the map call"
    assert len(out) == len(EXAMPLES) and "token_rows" in out.column_names
    base = tokenise_fingerprint(table, tok, max_length=48, prefix="query: ", markers=None)
    assert out._fingerprint == base
    assert base == tokenise_fingerprint(table, tok, max_length=48, prefix="query: ", markers=None)
    assert base != tokenise_fingerprint(table, tok, max_length=32, prefix="query: ", markers=None)
    assert base != tokenise_fingerprint(table, tok, max_length=48, prefix="", markers=None)
    assert base != tokenise_fingerprint(table, tok, max_length=48, prefix="query: ", markers=("[", "]"))
    monkeypatch.undo()
    other = examples_dataset(EXAMPLES[:2])
    assert base != tokenise_fingerprint(other, tok, max_length=48, prefix="query: ", markers=None)


def test_data_command_saves_what_a_config_trains_on(tiny_encoder: Path, tmp_path: Path) -> None:
    from datasets import load_from_disk

    from training.cli import main
    from training.data import load_sources

    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(_config(tmp_path, tiny_encoder)))
    assert (
        main(["data", str(path), "--out", str(tmp_path / "tables"), "--data.sources.1.max_examples", "2"])
        == 0
    )
    data = load_sources(load_config(path, {"data.sources.1.max_examples": "2"}))
    for name, sd in data.items():
        saved = load_from_disk(str(tmp_path / "tables" / name))
        assert set(saved) == {"train", "dev"}
        assert saved["train"]["id"] == [e.id for e in sd.train] and saved["dev"]["id"] == [
            e.id for e in sd.dev
        ]
    assert len(load_from_disk(str(tmp_path / "tables" / "news"))["train"]) == 2


def test_mixture_sampler_weights_and_epochs() -> None:
    from training.sampler import MixtureBatchSampler

    lengths = [5] * 10 + [50] * 4
    sampler = MixtureBatchSampler([(range(10), 0.5), (range(10, 14), 2.0)], lengths, batch_size=3, seed=1)
    epoch0 = sampler.batches(0)
    drawn = [i for b in epoch0 for i in b]
    assert len(sampler) == len(epoch0) == 5  # 5 + 8 rows in batches of 3
    assert sum(i < 10 for i in drawn) == 5 and len(set(i for i in drawn if i < 10)) == 5  # half, no repeats
    assert sorted(i for i in drawn if i >= 10) == sorted([10, 11, 12, 13] * 2)  # twice each
    assert sampler.batches(0) == epoch0 and sampler.batches(1) != epoch0  # a function of (seed, epoch)
    sampler.set_epoch(1)
    assert list(sampler) == sampler.batches(1)


def test_device_resolution_names_the_fix(tmp_path: Path, tiny_encoder: Path) -> None:
    from training.config import ConfigError
    from training.devices import resolve_device, resolve_precision

    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match="train.device='cuda', but torch sees no CUDA device.*'auto'"):
            resolve_device("cuda")
        assert resolve_device("auto") in {"cpu", "mps"}
    assert resolve_device("cpu") == "cpu"
    assert resolve_precision("cpu", bf16=False, fp16=True).name == "fp32"  # fp16 is a CUDA mode
    assert resolve_precision("cpu", bf16=True, fp16=False).name == "bf16"
    raw = _config(tmp_path, tiny_encoder)
    raw["train"]["device"] = "tpu"
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(
        ConfigError, match=r"train.device='tpu'; expected one of \['auto', 'cpu', 'cuda', 'mps'\]"
    ):
        load_config(path)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
def test_tiny_run_on_cuda(tiny_encoder: Path, tmp_path: Path) -> None:
    import json

    from inference.classifier import load_classifier
    from training.trainer import train

    out = train(
        build(Config, _config(tmp_path, tiny_encoder, epochs=2, device="cuda", bf16=True)), progress=False
    )
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["device"].startswith("cuda") and metrics["precision"] == "bf16"
    assert len(load_classifier(out, precision="fp32").classify_sentences(["Russia imposed sanctions."])) == 1
