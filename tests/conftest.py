"""Shared fixtures: everything offline, tiny models built from a config and loaded with from_pretrained."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("DIPLOSTANCE_INT8_CACHE", "0")  # tests that cache int8 layers point it at tmp_path

import shutil  # noqa: E402

import torch  # noqa: E402

torch.set_num_threads(1)  # tiny models: one thread is faster and avoids oversubscription
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

# Text the tiny tokenizer must cover without unknown pieces.
TINY_CORPUS = [
    "The Kremlin said the talks with Washington were constructive.",
    "Russia imposed sanctions on Ukraine and France condemned it.",
    "Germany criticised Israel's decision to arrest Spanish activists who had praised Palestine.",
    "Россия ввела санкции против Украины.",
    "中国与美国签署了贸易协议。",
    "وقالت روسيا إن المحادثات كانت إيجابية.",
    "Deutschland und Frankreich unterzeichneten ein Abkommen.",
    "Officials in Beijing met their Japanese counterparts; no country was named here.",
    "query: passage:",
]
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def build_tiny_encoder(dst: Path, *, hidden: int = 32, layers: int = 2, seed: int = 0) -> Path:
    """A 2-layer BertModel + XLMRobertaTokenizer over a small vocabulary, saved like a hub model."""
    import torch
    from transformers import BertConfig, BertModel, XLMRobertaTokenizer

    words = sorted({w for text in TINY_CORPUS for w in text.split()})
    chars = sorted({c for text in TINY_CORPUS for c in text if not c.isspace()})
    vocab = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("▁", -2.0)]
    vocab += [(c, -5.0) for c in chars]
    vocab += [("▁" + w, -3.0) for w in words if len(w) > 1]
    seen: set[str] = set()
    vocab = [(p, s) for p, s in vocab if not (p in seen or seen.add(p))]
    vocab.append(("<mask>", 0.0))
    tokenizer = XLMRobertaTokenizer(vocab=vocab, model_max_length=128)
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=128,
        pad_token_id=1,
    )
    BertModel(config, add_pooling_layer=False).save_pretrained(dst)
    tokenizer.save_pretrained(dst)
    return dst


@pytest.fixture(scope="session")
def _tiny_encoder_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_encoder(tmp_path_factory.mktemp("tiny") / "encoder")


@pytest.fixture()
def tiny_encoder(_tiny_encoder_master: Path, tmp_path: Path) -> Path:
    """A per-test copy of the tiny encoder directory (tests may write into it)."""
    dst = tmp_path / "encoder"
    shutil.copytree(_tiny_encoder_master, dst)
    return dst


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data beside the checkout, or wherever ``DIPLOSTANCE_SHARED_DATA`` points (as the configs read it)."""
    path = Path(os.environ.get("DIPLOSTANCE_SHARED_DATA") or SHARED / "data")
    if not path.is_dir():
        pytest.skip(
            f"shared data not found at {path}: put ../shared beside the checkout or set DIPLOSTANCE_SHARED_DATA"
        )
    return path
