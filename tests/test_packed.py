"""inference.packed: the encoder's per-token layers on real tokens only, the same numbers as the padded
Hugging Face forward (tiny BERT and XLM-R encoders, fp32, int8 and bf16)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from tests_helpers import plain_stance_model
from transformers import BertConfig, BertModel, XLMRobertaConfig, XLMRobertaModel

import inference.modeling as modeling
from inference.modeling import StanceModel
from inference.packed import packed_hidden, supports_packing
from inference.quantize import quantize_encoder, quantized_layers


def _batch(vocab: int, lengths: list[int], pad: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded ``input_ids`` and ``attention_mask`` for rows of ``lengths`` real tokens."""
    width = max(lengths)
    ids = torch.full((len(lengths), width), pad)
    mask = torch.zeros(len(lengths), width, dtype=torch.long)
    generator = torch.Generator().manual_seed(0)
    for row, n in enumerate(lengths):
        ids[row, :n] = torch.randint(3, vocab, (n,), generator=generator)
        mask[row, :n] = 1
    return ids, mask


def _small(kind: str) -> torch.nn.Module:
    torch.manual_seed(0)
    common = dict(
        vocab_size=50,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=64,
        pad_token_id=1,
    )
    if kind == "bert":
        return BertModel(BertConfig(**common), add_pooling_layer=False).eval()
    return XLMRobertaModel(XLMRobertaConfig(**common), add_pooling_layer=False).eval()


@pytest.mark.parametrize("kind", ["bert", "xlmr"])
@pytest.mark.parametrize("lengths", [[9, 3, 6, 1], [5, 5]])  # padded rows, and a batch with no padding
def test_packed_hidden_equals_the_padded_forward_on_real_tokens(kind: str, lengths: list[int]) -> None:
    encoder = _small(kind)
    assert supports_packing(encoder)
    ids, mask = _batch(50, lengths)
    with torch.no_grad():
        want = encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        got = packed_hidden(encoder, ids, mask)
    assert got.shape == want.shape
    real = mask.bool()
    torch.testing.assert_close(got[real], want[real], rtol=1e-5, atol=1e-5)
    assert not got[~real].any()  # padded positions hold zeros, not leftovers


def test_a_sentence_reads_alike_alone_or_in_a_batch_of_mixed_lengths() -> None:
    encoder = _small("xlmr")
    ids, mask = _batch(50, [9, 3, 6, 1, 9, 6, 14])
    with torch.no_grad():
        together = packed_hidden(encoder, ids, mask)
        for row in range(len(ids)):
            n = int(mask[row].sum())
            alone = packed_hidden(encoder, ids[row : row + 1, :n], mask[row : row + 1, :n])
            # close, not bit for bit: the linear layers' GEMM kernels already vary with the row count
            torch.testing.assert_close(alone[0], together[row, :n], rtol=1e-5, atol=1e-5)


def test_a_peft_wrapped_encoder_is_packed_through_its_lora_layers() -> None:
    from peft import LoraConfig, get_peft_model

    encoder = get_peft_model(_small("bert"), LoraConfig(r=2, target_modules=["query", "value"])).eval()
    for name, weight in encoder.named_parameters():
        if "lora_B" in name:  # B starts at zero: make the adapter count
            torch.nn.init.normal_(weight, std=0.5)
    assert supports_packing(encoder)
    ids, mask = _batch(50, [8, 2, 5])
    real = mask.bool()
    with torch.no_grad():
        want = encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        got = packed_hidden(encoder, ids, mask)
        without = encoder.get_base_model()
        with encoder.disable_adapter():
            bare = packed_hidden(without, ids, mask)
    torch.testing.assert_close(got[real], want[real], rtol=1e-5, atol=1e-5)
    assert not torch.allclose(got[real], bare[real], atol=1e-3)  # the adapter was applied, unmerged


def test_a_prompt_learning_peft_wrapper_is_not_packed() -> None:
    from peft import PrefixTuningConfig, get_peft_model

    config = PrefixTuningConfig(task_type="FEATURE_EXTRACTION", num_virtual_tokens=3)
    encoder = get_peft_model(_small("bert"), config).eval()
    assert not supports_packing(encoder)  # its virtual keys sit outside the layers packing calls


def test_the_stacked_query_key_value_follow_changed_weights() -> None:
    encoder = _small("bert")
    ids, mask = _batch(50, [7, 2])
    real = mask.bool()
    with torch.no_grad():
        before = packed_hidden(encoder, ids, mask)
        encoder.encoder.layer[0].attention.self.key.weight.mul_(3.0)  # in place
        encoder.encoder.layer[1].attention.self.value = torch.nn.Linear(32, 32)  # replaced
        want = encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        got = packed_hidden(encoder, ids, mask)
    assert not torch.allclose(got[real], before[real], atol=1e-3)
    torch.testing.assert_close(got[real], want[real], rtol=1e-5, atol=1e-5)


def test_hooked_projections_are_called_one_by_one() -> None:
    encoder = _small("bert")
    ids, mask = _batch(50, [6, 3])
    seen = []
    query = encoder.encoder.layer[1].attention.self.query
    handle = query.register_forward_hook(lambda module, args, out: seen.append(out.shape))
    with torch.no_grad():
        packed_hidden(encoder, ids, mask)
    handle.remove()
    assert seen == [torch.Size([9, 32])]  # called once, on the 9 real tokens (int8 calibration needs this)


def test_supports_packing_refuses_what_it_would_compute_differently() -> None:
    decoder = BertModel(
        BertConfig(
            vocab_size=50,
            hidden_size=32,
            num_hidden_layers=1,
            num_attention_heads=4,
            intermediate_size=64,
            is_decoder=True,
        ),
        add_pooling_layer=False,
    )
    assert not supports_packing(decoder)  # causal attention
    assert not supports_packing(torch.nn.Linear(4, 4))  # not a known encoder
    chunked = _small("bert")
    chunked.config.chunk_size_feed_forward = 4
    assert not supports_packing(chunked)


def _stance_model(encoder_dir: Path) -> StanceModel:
    return plain_stance_model(encoder_dir, target_pooling="attention")


def _inputs(vocab: int) -> dict[str, torch.Tensor]:
    ids, mask = _batch(vocab, [12, 4, 8])
    target_mask = torch.zeros(4, ids.shape[1], dtype=torch.long)
    target_mask[0, 2:4] = target_mask[1, 5:6] = target_mask[2, 1:3] = target_mask[3, 3:5] = 1
    return {
        "input_ids": ids,
        "attention_mask": mask,
        "target_index": torch.tensor([0, 0, 1, 2]),
        "target_mask": target_mask,
        "pair_index": torch.tensor([[0, 1], [1, 0]]),
    }


def _both(model: StanceModel, inputs: dict, **autocast) -> tuple[dict, dict]:
    out = {}
    for packed in (False, True):
        model.pack_tokens = packed
        with torch.inference_mode(), torch.autocast("cpu", **autocast):
            out[packed] = {k: v.float() for k, v in model(**inputs).items()}
    return out[False], out[True]


@pytest.mark.parametrize("precision", ["fp32", "int8", "bf16"])
def test_stance_model_reads_the_same_packed_or_padded(tiny_encoder: Path, precision: str) -> None:
    model = _stance_model(tiny_encoder)
    inputs = _inputs(model.encoder.config.vocab_size)
    if precision == "int8":
        quantize_encoder(model.encoder)
        assert quantized_layers(model.encoder) > 0 and supports_packing(model.encoder)
    autocast = {"dtype": torch.bfloat16, "enabled": precision == "bf16"}
    padded, packed = _both(model, inputs, **autocast)
    assert set(padded) == {"detail", "sentiment", "sentence_detail", "pair"} == set(packed)
    tolerance = {"rtol": 2e-2, "atol": 2e-2} if precision == "bf16" else {"rtol": 1e-5, "atol": 1e-5}
    for head in padded:
        torch.testing.assert_close(packed[head], padded[head], **tolerance)


def test_training_and_unsupported_encoders_take_the_padded_forward(
    tiny_encoder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = _stance_model(tiny_encoder)
    inputs = _inputs(model.encoder.config.vocab_size)
    calls = []
    monkeypatch.setattr(modeling, "packed_hidden", lambda *a: calls.append(a) or packed_hidden(*a))
    model(**inputs)
    assert len(calls) == 1  # eval: packed
    model.train()
    model(**inputs)["detail"].sum().backward()  # training: Hugging Face's forward, gradients flow
    assert len(calls) == 1
    model.eval()
    model.pack_tokens = False
    model(**inputs)
    assert len(calls) == 1
