"""Distillation from trained teachers (training/distill.py): the loss, the teachers' mean probabilities,
their cache, the collated tensors and a distilled run end to end on the tiny model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from test_training import _config

from inference.heads import HEADS
from training.batching import IGNORE, labelled_items
from training.config import Config, ConfigError, build, load_config
from training.distill import CACHE, check_teachers, gold_targets, soft_column, teacher_probs
from training.losses import compute_loss

DEFAULT = Path(__file__).resolve().parents[1] / "configs" / "default.yaml"


def _batch(labels: list[int], soft: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
    batch = {
        "input_ids": torch.zeros(1, 1, dtype=torch.long),
        "labels_detail": torch.tensor(labels),
        "weights_detail": torch.ones(len(labels)),
    }
    if soft is not None:
        batch[soft_column("detail")] = soft
    return batch


def test_the_teacher_share_of_the_loss_follows_distill_weight() -> None:
    torch.manual_seed(0)
    logits = {"detail": torch.randn(4, 5)}
    labels = [0, 3, IGNORE, 1]
    hard, _ = compute_loss(logits, _batch(labels), {"detail": 1.0})
    uniform = torch.full((4, 5), 0.2)
    keep = torch.tensor([0, 1, 3])
    to_uniform = -torch.log_softmax(logits["detail"][keep], -1).mean(-1).mean()
    # weight 0, or no teacher tensor: the gold loss alone
    assert torch.isclose(compute_loss(logits, _batch(labels, uniform), {"detail": 1.0}, 0.0)[0], hard)
    assert torch.isclose(compute_loss(logits, _batch(labels), {"detail": 1.0}, 0.7)[0], hard)
    mixed, parts = compute_loss(logits, _batch(labels, uniform), {"detail": 1.0}, 0.25)
    assert torch.isclose(mixed, 0.75 * hard + 0.25 * to_uniform)
    assert parts["detail_teacher"] == pytest.approx(float(to_uniform))
    # a teacher that agrees with gold one-hot teaches what the label does; unlabelled items learn nothing
    one_hot = torch.nn.functional.one_hot(torch.tensor([0, 3, 0, 1]), 5).float()
    assert torch.isclose(compute_loss(logits, _batch(labels, one_hot), {"detail": 1.0}, 0.5)[0], hard)


def test_distill_weight_and_teachers_are_checked_by_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"train.distill_weight=1.5"):
        load_config(DEFAULT, {"train.distill_weight": "1.5"})
    with pytest.raises(ConfigError, match=r"train.distill_from"):
        load_config(DEFAULT, {"train.distill_from": "[7]"})
    with pytest.raises(ConfigError, match=r"train.distill_heads has unknown head\(s\) \['sentimnet'\]"):
        load_config(DEFAULT, {"train.distill_heads": "[detail, sentimnet]"})
    with pytest.raises(ValueError, match=r"not a model directory.*train the teachers"):
        check_teachers([tmp_path / "nowhere"], ("detail",))
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "config.json").write_text(json.dumps({"diplostance": {"heads": ["detail"]}}))
    with pytest.raises(ValueError, match=r"has no head\(s\) \['pair'\]"):
        check_teachers([tmp_path / "m"], ("detail", "pair"))


@pytest.fixture()
def teachers(tiny_encoder: Path, tmp_path: Path) -> list[Path]:
    from training.trainer import train

    out = []
    for seed in (3, 4):
        (tmp_path / f"t{seed}").mkdir()
        raw = _config(tmp_path / f"t{seed}", tiny_encoder, epochs=1, seed=seed)
        raw["output"]["dir"] = str(tmp_path / f"teacher-{seed}")
        out.append(train(build(Config, raw), progress=False))
    return out


def _distilled_run(
    teachers: list[Path],
    encoder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    weight: float,
    train_extra: dict | None = None,
    **source,
) -> tuple[Path, list[dict]]:
    """Train the tiny student on ``teachers`` (``source``: settings of the second, sentiment source);
    returns its directory and every batch the collator built."""
    from training.tokenised import TokenisedCollator
    from training.trainer import train

    (tmp_path / "s").mkdir()
    raw = _config(tmp_path / "s", encoder, epochs=1, distill_weight=weight)
    raw["train"]["distill_from"] = [str(t) for t in teachers]
    raw["train"].update(train_extra or {})
    raw["data"]["sources"][1].update(source)
    seen: list[dict] = []
    original = TokenisedCollator.__call__

    def spy(self, rows):
        seen.append(original(self, rows))
        return seen[-1]

    monkeypatch.setattr(TokenisedCollator, "__call__", spy)
    return train(build(Config, raw), progress=False), seen


def test_teacher_probs_are_the_teachers_mean_in_label_order_and_cached(
    teachers: list[Path], tiny_encoder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from training.data import load_sources
    from training.trainer import model_heads

    (tmp_path / "s").mkdir()
    config = build(Config, _config(tmp_path / "s", tiny_encoder))
    examples = [e for sd in load_sources(config).values() for e in sd.train]
    heads = model_heads(config)
    one = [teacher_probs([t], examples, heads) for t in teachers]
    cache = tmp_path / "cache" / CACHE
    both = teacher_probs(teachers, examples, heads, cache=cache)
    for head in heads:
        items = labelled_items(HEADS[head], examples)
        assert sum(len(rows) for rows in both[head]) == len(items)
        for a, b, m in zip(one[0][head], one[1][head], both[head], strict=True):
            for ra, rb, rm in zip(a, b, m, strict=True):
                assert torch.allclose((torch.tensor(ra) + torch.tensor(rb)) / 2, torch.tensor(rm), atol=1e-6)
                assert sum(rm) == pytest.approx(1.0, abs=1e-5)
    assert one[0]["detail"] != one[1]["detail"]  # two seeds, two readings
    # read back from the cache without loading a teacher; another teacher set is not served from it
    import inference.classifier as classifier_module

    def no_loading(*args, **kwargs):
        raise AssertionError("a teacher was loaded although the cache holds its probabilities")

    monkeypatch.setattr(classifier_module, "load_classifier", no_loading)
    again = teacher_probs(teachers, examples, heads, cache=cache)
    for head in heads:
        assert [[pytest.approx(r, abs=1e-6) for r in rows] for rows in both[head]] == again[head]
    with pytest.raises(AssertionError, match="a teacher was loaded"):
        teacher_probs(teachers[:1], examples, heads, cache=cache)


def test_a_distilled_run_collates_teacher_rows_and_records_them(
    teachers: list[Path], tiny_encoder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, seen = _distilled_run(teachers, tiny_encoder, tmp_path, monkeypatch, weight=0.5)
    assert seen
    for batch in seen:
        for head in ("detail", "sentiment", "sentence_detail"):
            soft = batch[soft_column(head)]
            assert soft.shape == (len(batch[f"labels_{head}"]), len(HEADS[head].labels))
            assert torch.allclose(soft.sum(-1), torch.ones(len(soft)), atol=1e-5)
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["distilled_from"] == [str(t) for t in teachers]
    assert (out / CACHE).is_file()
    assert "distil" in (out / "README.md").read_text()


def test_a_source_kept_out_of_distillation_learns_its_gold_labels_alone(
    teachers: list[Path], tiny_encoder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from training.batching import label_tensors
    from training.data import load_sources

    (tmp_path / "d").mkdir()
    raw = _config(tmp_path / "d", tiny_encoder)
    news = load_sources(build(Config, raw))["news"].train
    heads = ("detail", "sentiment", "sentence_detail")
    gold = gold_targets(news, heads)
    labels = label_tensors(news)
    for head in heads:  # one-hot where labelled: the teachers' share of the loss is the gold loss again
        rows = torch.tensor([r for rs in gold[head] for r in rs]).reshape(-1, len(HEADS[head].labels))
        keep = labels[f"labels_{head}"] != IGNORE
        assert torch.equal(rows[keep].argmax(-1), labels[f"labels_{head}"][keep])
        assert torch.equal(rows[keep].max(-1).values, torch.ones(int(keep.sum())))
    torch.manual_seed(0)
    logits = {"sentiment": torch.randn(len(labels["labels_sentiment"]), 3)}
    batch = {"input_ids": torch.zeros(1, 1, dtype=torch.long), **labels}
    hard, _ = compute_loss(logits, batch, {"sentiment": 1.0})
    batch[soft_column("sentiment")] = torch.tensor([r for rs in gold["sentiment"] for r in rs])
    assert torch.isclose(compute_loss(logits, batch, {"sentiment": 1.0}, 0.7)[0], hard)
    # end to end: the teachers run over the distilled source only, and the run trains
    out, seen = _distilled_run(teachers, tiny_encoder, tmp_path, monkeypatch, weight=0.7, distill=False)
    assert (out / CACHE).is_file() and seen
    sentiment_rows = [b for b in seen if (b["labels_sentiment"] != IGNORE).any()]
    for b in sentiment_rows:  # every sentiment label here is news's: its target row is its gold one-hot
        keep = b["labels_sentiment"] != IGNORE
        assert torch.equal(b[soft_column("sentiment")][keep].argmax(-1), b["labels_sentiment"][keep])
        assert torch.equal(b[soft_column("sentiment")][keep].max(-1).values, torch.ones(int(keep.sum())))


def test_heads_outside_distill_heads_learn_their_gold_labels_alone(
    teachers: list[Path], tiny_encoder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, seen = _distilled_run(
        teachers,
        tiny_encoder,
        tmp_path,
        monkeypatch,
        weight=0.5,
        train_extra={"distill_heads": ["sentence_detail"]},
    )
    assert (out / CACHE).is_file() and seen
    taught = 0
    torch.manual_seed(0)
    for b in seen:
        # not distilled: no teacher rows, so its loss is the gold cross-entropy whatever distill_weight
        assert soft_column("sentiment") not in b
        logits = {"sentiment": torch.randn(len(b["labels_sentiment"]), 3)}
        gold, _ = compute_loss(logits, b, {"sentiment": 1.0})
        assert torch.equal(compute_loss(logits, b, {"sentiment": 1.0}, 0.5)[0], gold)
        keep = b["labels_sentence_detail"] != IGNORE  # distilled: the teachers' probabilities, not one-hot
        taught += int((b[soft_column("sentence_detail")][keep].max(-1).values < 1.0).sum())
    assert taught > 0
