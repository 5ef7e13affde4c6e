"""The model directory as Hugging Face classes: AutoConfig/AutoModel round trip and the country-stance pipeline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import inference
from inference.encoding import EncodedItem, encode
from inference.modeling import StanceModel

ARTICLE = (
    "Washington imposed new sanctions on Russia on Monday. The Kremlin called them illegal.\n\n"
    "Officials met in Geneva. Россия и Украина обменялись пленными."
)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def model_dir(tiny_encoder: Path, tmp_path: Path) -> Path:
    from tests_helpers import tiny_stance_model

    model, tok = tiny_stance_model(tiny_encoder, target_pooling="attention")
    out = model.save_pretrained(tmp_path / "model", tokenizer=tok)
    (out / "README.md").write_text("---\nlibrary_name: diplostance\n---\n# card\n", encoding="utf-8")
    return out


def _logits(model: torch.nn.Module, tokenizer) -> dict[str, torch.Tensor]:
    batch = encode(
        tokenizer,
        [EncodedItem("Russia imposed sanctions on Ukraine.", [[(0, 6)], [(28, 35)]])],
        max_length=64,
        prefix="query: ",
    )
    with torch.inference_mode():
        return model(**batch)


def test_auto_classes_load_the_directory_and_round_trip_its_small_layout(
    model_dir: Path, tmp_path: Path
) -> None:
    from transformers import AutoConfig, AutoModel

    from inference.hf import DiplostanceConfig, DiplostanceStanceModel

    config = AutoConfig.from_pretrained(model_dir)
    assert isinstance(config, DiplostanceConfig)
    assert config.settings.target_pooling == "attention" and config.settings.heads == list(config.heads)
    model = AutoModel.from_pretrained(model_dir)
    assert isinstance(model, DiplostanceStanceModel) and not model.training
    reference, tokenizer = StanceModel.from_pretrained(model_dir)  # what load_classifier runs
    ours = _logits(model, model.tokenizer)
    expected = _logits(reference, tokenizer)
    assert set(ours) == set(expected) == {"detail", "sentiment", "sentence_detail"}
    for name in ours:
        assert torch.equal(ours[name], expected[name]), name

    copy = tmp_path / "copy"
    model.save_pretrained(copy)
    assert sorted(p.name for p in copy.iterdir()) == [
        "README.md",
        "adapter",
        "config.json",
        "heads.safetensors",
    ]
    assert not (copy / "encoder").exists()  # the base encoder is rebuilt from its name, not saved
    again = AutoModel.from_pretrained(copy)
    for name, value in _logits(again, again.tokenizer).items():
        assert torch.equal(value, ours[name]), name

    trainable = AutoModel.from_pretrained(model_dir, merge=False)
    assert any(p.requires_grad for n, p in trainable.named_parameters() if "lora_" in n)
    with pytest.raises(TypeError, match=r"unexpected argument\(s\) \['nonsense'\]"):
        AutoModel.from_pretrained(model_dir, nonsense=1)


def test_format_1_directory_loads_with_the_legacy_heads(model_dir: Path) -> None:
    from transformers import AutoModel

    config = json.loads((model_dir / "config.json").read_text())
    config["format_version"] = 1
    del config["diplostance"]["heads"]  # format 1 had no head list: the three legacy heads
    for key in ("target_encoding", "temperatures", "logit_shift"):
        config["diplostance"].pop(key)
    (model_dir / "config.json").write_text(json.dumps(config))
    model = AutoModel.from_pretrained(model_dir)
    assert model.config.format_version == 1
    assert model.stance.settings.heads == ["detail", "sentiment", "sentence_detail"]
    assert set(_logits(model, model.tokenizer)) == {"detail", "sentiment", "sentence_detail"}


def test_full_encoder_directory_round_trips(tiny_encoder: Path, tmp_path: Path) -> None:
    from tests_helpers import tiny_stance_model
    from transformers import AutoModel

    model, tok = tiny_stance_model(tiny_encoder)
    out = model.save_pretrained(tmp_path / "full", tokenizer=tok, encoder_format="full")
    loaded = AutoModel.from_pretrained(out)
    loaded.save_pretrained(tmp_path / "copy")
    assert (tmp_path / "copy" / "encoder" / "tokenizer_config.json").is_file()
    again = AutoModel.from_pretrained(tmp_path / "copy")
    for name, value in _logits(again, again.tokenizer).items():
        assert torch.equal(value, _logits(loaded, loaded.tokenizer)[name]), name


def test_pipeline_returns_what_classify_returns(model_dir: Path) -> None:
    from transformers import pipeline

    for precision in ("fp32", "auto"):
        stance = pipeline("country-stance", model=str(model_dir), device="cpu", precision=precision)
        clf = inference.load_classifier(model_dir, device="cpu", precision=precision)
        expected = [r.to_dict() for r in clf.classify(ARTICLE)]
        assert expected and stance(ARTICLE) == expected
        texts = [ARTICLE, "", "Китай осудил действия США."]
        assert stance(texts, lang=[None, None, "ru"]) == [
            [r.to_dict() for r in rs] for rs in clf.classify_many(texts, lang=[None, None, "ru"])
        ]
    with pytest.raises(TypeError, match=r"unexpected argument\(s\) \['top_k'\]"):
        stance(ARTICLE, top_k=3)


def test_push_to_hub_uploads_the_small_layout_with_the_card(
    model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No network: HfApi's two calls are replaced by recorders of what would be uploaded."""
    from huggingface_hub import HfApi
    from transformers import AutoModel

    uploaded: dict[str, object] = {}

    def create_repo(self, repo_id, **kwargs):
        return type("Repo", (), {"repo_id": repo_id})()

    def upload_folder(self, *, repo_id, folder_path, **kwargs):
        uploaded["repo"] = repo_id
        uploaded["files"] = sorted(str(p.relative_to(folder_path)) for p in Path(folder_path).rglob("*"))
        uploaded["card"] = (Path(folder_path) / "README.md").read_text()

    monkeypatch.setattr(HfApi, "create_repo", create_repo)
    monkeypatch.setattr(HfApi, "upload_folder", upload_folder)
    AutoModel.from_pretrained(model_dir).push_to_hub("someone/diplostance-test")
    assert uploaded["repo"] == "someone/diplostance-test"
    files = uploaded["files"]
    assert {"README.md", "config.json", "heads.safetensors", "adapter/adapter_config.json"} <= set(files)
    assert not any(f.startswith("encoder") for f in files)
    assert "library_name: diplostance" in uploaded["card"]


def test_import_inference_registers_without_loading_torch() -> None:
    code = (
        "import sys, inference; before = 'torch' in sys.modules\n"
        "from transformers import PreTrainedModel\n"  # imports configuration_auto halfway through its import
        "from transformers import AutoConfig, AutoModel\n"
        "from transformers.pipelines import PIPELINE_REGISTRY\n"
        "from transformers.models.auto.configuration_auto import CONFIG_MAPPING\n"
        "print(before, 'diplostance-stance' in CONFIG_MAPPING, 'country-stance' in PIPELINE_REGISTRY.get_supported_tasks())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, cwd=ROOT
    )
    assert out.stdout.split() == ["False", "True", "True"]


@pytest.mark.slow
def test_shipped_model_loads_through_automodel() -> None:
    from transformers import AutoModel

    from inference.classifier import DEFAULT_MODEL_DIR

    model = AutoModel.from_pretrained(DEFAULT_MODEL_DIR)
    from inference.modeling import FORMAT_VERSION

    assert model.config.format_version == FORMAT_VERSION
    assert model.config.settings.target_pooling == "attention"
    assert "pair" in model.config.settings.heads  # the shipped model reads directed dyads
    reference, tokenizer = StanceModel.from_pretrained(DEFAULT_MODEL_DIR)
    for name, value in _logits(model, model.tokenizer).items():
        assert torch.equal(value, _logits(reference, tokenizer)[name]), name
