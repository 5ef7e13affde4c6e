"""Training end to end on a tiny model: overfit ten rows, save, reload, same predictions; config errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from inference.classifier import load_classifier
from training.cli import parse_overrides
from training.config import Config, ConfigError, build, load_config

CAMEO_ROWS = [
    ("Russia imposed sanctions on Ukraine.", 4),
    ("The Kremlin said the talks with Washington were constructive.", 1),
    ("Germany and France signed an agreement.", 1),
    ("France condemned the decision.", 3),
    ("Officials in Beijing met their Japanese counterparts.", 0),
    ("Russia imposed sanctions on Ukraine and France condemned it.", 4),
    ("Deutschland und Frankreich unterzeichneten ein Abkommen.", 1),
    ("Россия ввела санкции против Украины.", 4),
    ("中国与美国签署了贸易协议。", 2),
    ("وقالت روسيا إن المحادثات كانت إيجابية.", 1),
]
NEWS_ROWS = [
    (
        "Germany criticised Israel's decision to arrest Spanish activists who had praised Palestine.",
        0,
        7,
        2.0,
    ),
    (
        "Germany criticised Israel's decision to arrest Spanish activists who had praised Palestine.",
        81,
        90,
        6.0,
    ),
    ("The Kremlin said the talks with Washington were constructive.", 4, 11, 6.0),
    ("Officials in Beijing met their Japanese counterparts.", 13, 20, 4.0),
]


def _write_sources(tmp_path: Path) -> tuple[Path, Path]:
    cameo = tmp_path / "class_train.tsv"
    cameo.write_bytes("".join(f"{s}\t{label}\r\n" for s, label in CAMEO_ROWS).encode())
    news = tmp_path / "news.jsonl"
    with open(news, "w", encoding="utf-8") as fh:
        for i, (s, a, b, pol) in enumerate(NEWS_ROWS):
            target = {"Input.gid": f"g{i}", "from": a, "to": b, "mention": s[a:b], "polarity": pol}
            fh.write(
                json.dumps({"primary_gid": f"g{i}", "sentence_normalized": s, "targets": [target]}) + "\n"
            )
    return cameo, news


def _config(tmp_path: Path, encoder: Path, **train) -> dict:
    cameo, news = _write_sources(tmp_path)
    return {
        "model": {"encoder": str(encoder), "max_length": 48, "lora_r": 4, "lora_alpha": 8},
        "data": {
            "sources": [
                {
                    "name": "cameo",
                    "kind": "cameo",
                    "path": str(cameo),
                    "dev_path": str(cameo),
                    "options": {"ner_path": None},
                },
                {"name": "news", "kind": "newsmtsc", "path": str(news), "dev_path": str(news)},
            ]
        },
        "train": {
            "epochs": 20,
            "batch_size": 5,
            "lr": 0.01,
            "head_lr": 0.01,
            "warmup_ratio": 0.0,
            "seed": 3,
            **train,
        },
        "output": {"dir": str(tmp_path / "model")},
    }


def test_overfit_save_reload(tiny_encoder: Path, tmp_path: Path) -> None:
    from training.trainer import train

    cfg = build(Config, _config(tmp_path, tiny_encoder))
    out = train(cfg, progress=False)
    metrics = json.loads((out / "metrics.json").read_text())
    first, last = metrics["loss_first_last"]
    assert last < 0.5 * first, (first, last)
    for name in ("config.json", "heads.safetensors", "README.md", "training_config.yaml", "data.json"):
        assert (out / name).is_file(), name
    assert (out / "adapter" / "adapter_model.safetensors").is_file()
    assert "cameo" in (out / "README.md").read_text()
    # the resolved config is a loadable record of the run
    assert build(Config, yaml.safe_load((out / "training_config.yaml").read_text())).train.seed == 3
    # data it saw: paths and hashes
    assert all(
        len(h) == 64
        for src in json.loads((out / "data.json").read_text()).values()
        for h in src["files"].values()
    )

    clf = load_classifier(out, precision="fp32")
    sentences = [s for s, _ in CAMEO_ROWS]
    first_pass = clf.classify_sentences(sentences)
    again = load_classifier(out, precision="fp32").classify_sentences(sentences)
    assert [r.detail for r in first_pass] == [r.detail for r in again]
    one_by_one = [clf.classify_sentences([s])[0] for s in sentences]
    assert [r.detail for r in first_pass] == [r.detail for r in one_by_one]
    # it learned the ten rows
    from inference.labels import DETAIL_LABELS

    correct = sum(
        r.detail == DETAIL_LABELS[label] for r, (_, label) in zip(first_pass, CAMEO_ROWS, strict=True)
    )
    assert correct >= 8, [r.detail for r in first_pass]


def test_unknown_key_is_named(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({"train": {"epoch": 3}}))
    with pytest.raises(ConfigError, match=r"unknown config key 'train\.epoch'.*did you mean 'epochs'"):
        load_config(path)
    path.write_text(yaml.safe_dump({"modle": {}}))
    with pytest.raises(ConfigError, match=r"'modle'.*did you mean 'model'"):
        load_config(path)


def test_wrong_types_and_values_are_named(tmp_path: Path, tiny_encoder: Path) -> None:
    raw = _config(tmp_path, tiny_encoder)
    raw["train"]["batch_size"] = "big"
    with pytest.raises(ConfigError, match=r"train\.batch_size must be a int, got str 'big'"):
        build(Config, raw)
    raw = _config(tmp_path, tiny_encoder)
    raw["data"]["sources"][0]["wieght"] = 2
    with pytest.raises(ConfigError, match=r"data\.sources\[0\]\.wieght.*did you mean 'weight'"):
        build(Config, raw)
    path = tmp_path / "c.yaml"
    raw = _config(tmp_path, tiny_encoder)
    raw["model"]["adapter"] = "qlora"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError, match="model.adapter='qlora'"):
        load_config(path)
    raw = _config(tmp_path, tiny_encoder)
    raw["model"]["target_encoding"] = "markers"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(
        ConfigError, match=r"model.target_encoding='markers'; expected one of \['shared', 'marked'\]"
    ):
        load_config(path)


def test_marked_targets_train_and_reload(tiny_encoder: Path, tmp_path: Path) -> None:
    from training.trainer import train

    raw = _config(tmp_path, tiny_encoder, epochs=3)
    raw["model"]["target_encoding"] = "marked"
    out = train(build(Config, raw), progress=False)
    assert "its mentions marked" in (out / "README.md").read_text()
    items = [(s, a, b) for s, a, b, _ in NEWS_ROWS]
    first = load_classifier(out, precision="fp32").classify_targets(items)
    again = load_classifier(out, precision="fp32").classify_targets(items)
    assert [r.scores for r in first] == [r.scores for r in again]
    assert load_classifier(out, precision="fp32").settings.target_encoding == "marked"


def test_dotted_overrides(tmp_path: Path, tiny_encoder: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(_config(tmp_path, tiny_encoder)))
    overrides = parse_overrides(
        ["--train.epochs", "1.5", "--output.dir=runs/x", "--data.sources.1.weight", "2"]
    )
    cfg = load_config(path, overrides)
    assert cfg.train.epochs == 1.5 and cfg.output.dir == "runs/x" and cfg.data.sources[1].weight == 2.0
    with pytest.raises(ConfigError, match=r"unknown config key 'train\.epocs'"):
        load_config(path, {"train.epocs": "1"})
    with pytest.raises(ConfigError, match="needs a value"):
        parse_overrides(["--train.epochs"])


def test_shipped_configs_are_valid() -> None:
    for path in sorted(Path(__file__).resolve().parents[1].glob("configs/*.yaml")):
        load_config(path)


@pytest.mark.parametrize(
    "value, expected", [("/data/sets", "/data/sets"), ("", "../shared/data"), (None, "../shared/data")]
)
def test_shared_data_env_var_an_empty_value_is_unset(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: str
) -> None:
    """As tests/conftest.py reads it: an empty DIPLOSTANCE_SHARED_DATA is not the current directory."""
    if value is None:
        monkeypatch.delenv("DIPLOSTANCE_SHARED_DATA", raising=False)
    else:
        monkeypatch.setenv("DIPLOSTANCE_SHARED_DATA", value)
    assert Config().data.shared == expected


def test_class_balance_and_stance_loss(tmp_path: Path, tiny_encoder: Path) -> None:
    import torch

    from training.batching import class_weights, collate
    from training.data import load_sources
    from training.trainer import build_model, compute_loss

    raw = _config(tmp_path, tiny_encoder)
    raw["data"]["sources"][0]["class_balance"] = 1.0
    cfg = build(Config, raw)
    data = load_sources(cfg)
    cameo = data["cameo"].train
    weights = class_weights(cameo, 1.0)["sentence_detail"]
    # 4 verbal_cooperation rows, 1 neutral: the rare label weighs 4x
    assert weights["verbal_cooperation"] == 1.0 and weights["neutral"] == 4.0
    model, tok = build_model(cfg.model)
    batch = collate(
        tok,
        cameo + data["news"].train,
        max_length=48,
        prefix="",
        weights={"cameo": {"sentence_detail": weights}},
    )
    assert batch["weights_sentence_detail"].tolist()[:5] == pytest.approx([4 / 3, 1.0, 1.0, 4.0, 4.0])
    assert batch["weights_sentiment"].tolist() == [1.0] * len(NEWS_ROWS)  # news is not balanced
    outputs = model(**batch)
    total, parts = compute_loss(
        outputs, batch, {"detail": 1.0, "sentiment": 1.0, "sentence_detail": 1.0, "stance": 0.5}
    )
    assert set(parts) == {"sentiment", "sentence_detail"} and torch.isfinite(total)
