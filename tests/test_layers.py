"""``model.encoder_layers``: a student keeping some of the base encoder's layers trains, saves and reloads."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
import yaml
from conftest import build_tiny_encoder
from test_training import NEWS_ROWS, _config

from inference.classifier import load_classifier
from inference.layers import keep_layers, layer_list
from inference.merged import adapter_key, cache_file
from inference.modeling import ModelSettings, StanceModel, load_encoder
from training.config import Config, ConfigError, apply_override, build, load_config

ITEMS = [(s, a, b) for s, a, b, _ in NEWS_ROWS]


@pytest.fixture()
def encoder4(tmp_path: Path) -> Path:
    return build_tiny_encoder(tmp_path / "enc4" / "encoder", layers=4)


def _scores(model: StanceModel, tokenizer) -> list[list[float]]:
    from inference.classifier import StanceClassifier

    clf = StanceClassifier(model.eval(), tokenizer, name="t", precision="fp32")
    return [
        [v for head in ("detail", "sentiment") for v in r.scores[head].values()]
        for r in clf.classify_targets(ITEMS)
    ]


def _close(a: list[list[float]], b: list[list[float]]) -> None:
    assert torch.allclose(torch.tensor(a), torch.tensor(b), atol=1e-5), (a, b)


def _n_layers(encoder) -> int:
    inner = encoder.get_base_model() if hasattr(encoder, "get_base_model") else encoder
    assert inner.config.num_hidden_layers == len(layer_list(inner))
    return len(layer_list(inner))


def test_trained_student_saves_and_reloads_in_every_format(
    encoder4: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from training.trainer import train

    monkeypatch.delenv("DIPLOSTANCE_MERGED_CACHE", raising=False)
    raw = _config(tmp_path, encoder4, epochs=3)
    raw["model"]["encoder_layers"] = [0, 3]
    out = train(build(Config, raw), progress=False)
    saved = json.loads((out / "config.json").read_text())["diplostance"]
    assert saved["encoder_layers"] == [0, 3]
    from safetensors import safe_open

    with safe_open(str(out / "adapter" / "adapter_model.safetensors"), framework="pt") as fh:
        names = list(fh.keys())  # noqa: SIM118
    assert {n.split("encoder.layer.")[1].split(".")[0] for n in names} == {
        "0",
        "1",
    }  # kept layers, renumbered
    assert "2 of 4 encoder layers (base layers 0, 3)" in (out / "README.md").read_text()
    assert json.loads((out / "metrics.json").read_text())["base_encoder_layers"] == 4

    merged, tok = StanceModel.from_pretrained(out)  # writes the merged cache
    unmerged, _ = StanceModel.from_pretrained(out, merge=False)
    cached, _ = StanceModel.from_pretrained(out)  # reads it
    assert hasattr(unmerged.encoder, "peft_config") and not hasattr(merged.encoder, "peft_config")
    assert [_n_layers(m.encoder) for m in (merged, unmerged, cached)] == [2, 2, 2]
    reference = _scores(merged, tok)
    _close(_scores(unmerged, tok), reference)
    assert _scores(cached, tok) == reference
    files = list(encoder4.with_name("encoder.merged").glob("*.safetensors"))
    assert len(files) == 1

    full = merged.save_pretrained(tmp_path / "full", tokenizer=tok, encoder_format="full")
    assert json.loads((full / "encoder" / "config.json").read_text())["num_hidden_layers"] == 2
    reloaded, tok2 = StanceModel.from_pretrained(full)
    assert _n_layers(reloaded.encoder) == 2
    _close(_scores(reloaded, tok2), reference)

    int8 = load_classifier(out, precision="int8")  # quantises the 2 kept layers
    from inference.quantize import quantized_layers

    assert quantized_layers(int8.model.encoder) == 2 * 6  # query, key, value, attention output, FFN in, out
    assert len(int8.classify_targets(ITEMS)) == len(ITEMS)

    from transformers import AutoModel

    import inference  # noqa: F401 - registers the Auto classes

    hf = AutoModel.from_pretrained(str(out))
    assert _n_layers(hf.stance.encoder) == 2
    _close(_scores(hf.stance, hf.tokenizer), reference)
    hf.save_pretrained(tmp_path / "hf_copy")
    assert json.loads((tmp_path / "hf_copy" / "config.json").read_text())["diplostance"][
        "encoder_layers"
    ] == [0, 3]
    fresh = type(hf)(hf.config)  # from_config: the base encoder's weights, cut to the kept layers
    assert _n_layers(fresh.stance.encoder) == 2


def _saved_student(encoder_dir: Path, out: Path, layers: list[int] | None) -> Path:
    from peft import LoraConfig, get_peft_model
    from transformers import AutoTokenizer

    torch.manual_seed(0)
    encoder = get_peft_model(
        load_encoder(str(encoder_dir), layers=layers),
        LoraConfig(r=4, lora_alpha=8, target_modules=["query", "value"]),
    )
    with torch.no_grad():
        for name, p in encoder.named_parameters():
            if "lora_B" in name:
                p.normal_(std=0.5)
    settings = ModelSettings(base_encoder=str(encoder_dir), max_length=48, encoder_layers=layers)
    return StanceModel(encoder, settings).save_pretrained(
        out, tokenizer=AutoTokenizer.from_pretrained(encoder_dir)
    )


def test_merged_caches_of_other_kept_layers_never_collide(
    encoder4: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DIPLOSTANCE_MERGED_CACHE", raising=False)
    low = _saved_student(encoder4, tmp_path / "low", [0, 1])
    high = tmp_path / "high"  # the same adapter file over other base layers: same shapes, other weights
    shutil.copytree(low, high)
    config = json.loads((high / "config.json").read_text())
    config["diplostance"]["encoder_layers"] = [2, 3]
    (high / "config.json").write_text(json.dumps(config))
    full = _saved_student(encoder4, tmp_path / "full4", None)

    keys = {
        adapter_key(low / "adapter", encoder4, [0, 1]),
        adapter_key(low / "adapter", encoder4, [2, 3]),
        adapter_key(low / "adapter", encoder4, None),
    }
    assert len(keys) == 3
    assert adapter_key(full / "adapter", encoder4, None) == adapter_key(full / "adapter", encoder4)

    for model_dir in (low, high, full):
        StanceModel.from_pretrained(model_dir)  # each writes its own cache file
    assert len(list(encoder4.with_name("encoder.merged").glob("*.safetensors"))) == 3
    assert cache_file(encoder4, adapter_key(high / "adapter", encoder4, [2, 3])).is_file()
    for model_dir in (low, high, full):
        from_cache, tok = StanceModel.from_pretrained(model_dir)
        monkeypatch.setenv("DIPLOSTANCE_MERGED_CACHE", "0")
        in_memory, _ = StanceModel.from_pretrained(model_dir)
        monkeypatch.delenv("DIPLOSTANCE_MERGED_CACHE")
        state = in_memory.encoder.state_dict()
        for name, tensor in from_cache.encoder.state_dict().items():
            assert torch.equal(tensor, state[name]), (model_dir.name, name)
    assert _n_layers(StanceModel.from_pretrained(full)[0].encoder) == 4


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([3, 0], r"model\.encoder_layers=\[3, 0\] is not increasing or has duplicates"),
        ([0, 0, 2], r"model\.encoder_layers=\[0, 0, 2\] is not increasing or has duplicates"),
        ([-1, 2], r"model\.encoder_layers=\[-1, 2\]: \[-1\] are not layer indices"),
        ([], r"model\.encoder_layers=\[\]; give null \(all layers\)"),
    ],
)
def test_bad_layer_lists_are_refused_at_config_load(tmp_path: Path, value, message: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"model": {"encoder_layers": value}}))
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_wrong_types_and_missing_layers_are_named(encoder4: Path, tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"model": {"encoder_layers": "all"}}))
    with pytest.raises(ConfigError, match=r"model\.encoder_layers must be a list, got str 'all'"):
        load_config(path)
    raw: dict = {}
    apply_override(raw, "model.encoder_layers", "[0, 2]")
    assert build(Config, raw).model.encoder_layers == [0, 2]
    assert build(Config, {}).model.encoder_layers is None
    with pytest.raises(
        ValueError, match=r"encoder_layers=\[0, 4\]: the encoder has 4 layers \(0\.\.3\), so \[4\] do not"
    ):
        load_encoder(str(encoder4), layers=[0, 4])
    with pytest.raises(ValueError, match=r"encoder_layers=\[1, 1\] is not increasing"):
        ModelSettings.from_dict({"encoder_layers": [1, 1]})
    with pytest.raises(
        ValueError, match=r"Linear has no encoder\.layer ModuleList.*set encoder_layers to null"
    ):
        keep_layers(torch.nn.Linear(2, 2), [0])
    student = _saved_student(encoder4, tmp_path / "s", [0, 2])
    model, tok = StanceModel.from_pretrained(student)
    broken = model.save_pretrained(tmp_path / "broken", tokenizer=tok, encoder_format="full")
    config = json.loads((broken / "config.json").read_text())
    config["diplostance"]["encoder_layers"] = [0, 1, 2]
    (broken / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match=r"has 2 layers but the model's encoder_layers=\[0, 1, 2\] keeps 3"):
        StanceModel.from_pretrained(broken)


def test_a_config_without_the_key_loads_with_all_layers(encoder4: Path, tmp_path: Path) -> None:
    out = _saved_student(encoder4, tmp_path / "all", None)
    settings = json.loads((out / "config.json").read_text())["diplostance"]
    assert "encoder_layers" not in settings  # what older model directories look like
    model, tok = StanceModel.from_pretrained(out)
    assert model.settings.encoder_layers is None and _n_layers(model.encoder) == 4
    unmerged, _ = StanceModel.from_pretrained(out, merge=False)
    _close(_scores(unmerged, tok), _scores(model, tok))
    plain = load_encoder(str(encoder4))
    assert keep_layers(plain, None) is plain and _n_layers(plain) == 4
