"""Helpers shared by test modules (importable because pytest puts tests/ on sys.path)."""

from __future__ import annotations

from pathlib import Path

import torch


def tiny_stance_model(
    encoder_dir: Path,
    *,
    seed: int = 0,
    target_pooling: str = "mean",
    target_encoding: str = "shared",
    heads: tuple[str, ...] = ("detail", "sentiment", "sentence_detail"),
):
    """A LoRA-wrapped tiny StanceModel with non-trivial adapter weights, and its tokenizer."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoTokenizer

    from inference.modeling import ModelSettings, StanceModel, load_encoder

    torch.manual_seed(seed)
    encoder = get_peft_model(
        load_encoder(str(encoder_dir)), LoraConfig(r=4, lora_alpha=8, target_modules=["query", "value"])
    )
    for name, p in encoder.named_parameters():
        if "lora_B" in name:  # LoRA B starts at zero; perturb it so a broken save/load shows
            torch.nn.init.normal_(p, std=0.5)
    settings = ModelSettings(
        base_encoder=str(encoder_dir),
        max_length=64,
        text_prefix="query: ",
        target_pooling=target_pooling,
        target_encoding=target_encoding,
        heads=list(heads),
    )
    return StanceModel(encoder, settings).eval(), AutoTokenizer.from_pretrained(encoder_dir)


def plain_stance_model(encoder_dir: Path, *, seed: int = 0, **settings):
    """A tiny StanceModel over the plain (not LoRA-wrapped) encoder at ``encoder_dir``, in eval mode, with
    the four heads unless ``settings`` say otherwise (any other ``ModelSettings`` field too)."""
    from inference.modeling import ModelSettings, StanceModel, load_encoder

    torch.manual_seed(seed)
    settings.setdefault("heads", ["detail", "sentiment", "sentence_detail", "pair"])
    config = ModelSettings(base_encoder=str(encoder_dir), max_length=64, **settings)
    return StanceModel(load_encoder(str(encoder_dir)), config).eval()


def count_encoder_rows(clf) -> list[int]:
    """The encoder rows of every batch the classifier ``clf`` reads from now on (its model's forward wrapped)."""
    rows: list[int] = []
    forward = clf.model.forward

    def counting(**batch):
        rows.append(len(batch["input_ids"]))
        return forward(**batch)

    clf.model.forward = counting
    return rows


def readings(results) -> list[tuple]:
    """What a stance result says: sentence, country, labels and scores."""
    return [(r.sentence_index, r.country, r.stance, r.detail, r.sentiment, r.scores) for r in results]
