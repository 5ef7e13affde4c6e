"""Directed dyads end to end on a tiny model: the pair head trains, save -> reload gives the same dyads,
batch equals one at a time, decoding and intensity, and the dyad metrics on a hand-made example."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import torch
from test_training import _config
from tests_helpers import tiny_stance_model

from inference.classifier import StanceClassifier, load_classifier
from inference.dyads import GOLDSTEIN, decode_pairs
from inference.heads import HEADS, PAIR_LABELS
from training.config import Config, build
from training.dyad_metrics import count_example, dyad_scores
from training.evaluation import format_table, table_rows
from training.examples import Example, Pair, Target

VC, VK, MC, MK = "verbal_cooperation", "verbal_conflict", "material_cooperation", "material_conflict"
STANCE = {VC: "cooperative", MC: "cooperative", VK: "conflictual", MK: "conflictual"}
DYAD_ROWS = [  # (lang, text, [(source, target, detail)], countries named but unrelated)
    ("en", "Russia imposed sanctions on Ukraine and France condemned it.", [("RUS", "UKR", MK), ("FRA", "RUS", VK)]),
    ("en", "Britain and France warned Russia.", [("GBR", "RUS", VK), ("FRA", "RUS", VK)]),
    ("en", "Russia warned Britain and France.", [("RUS", "GBR", VK), ("RUS", "FRA", VK)]),
    ("en", "France and Russia signed a treaty.", [("FRA", "RUS", VC), ("RUS", "FRA", VC)]),
    ("en", "Washington sanctioned Russia.", [("USA", "RUS", MK)]),
    ("en", "The Kremlin said the talks with Washington were constructive.", [("RUS", "USA", VC), ("USA", "RUS", VC)]),
    ("de", "Deutschland und Frankreich unterzeichneten ein Abkommen.", [("DEU", "FRA", VC), ("FRA", "DEU", VC)]),
    ("ru", "Россия ввела санкции против Украины.", [("RUS", "UKR", MK)]),
    ("zh", "中国与美国签署了贸易协议。", [("CHN", "USA", MC), ("USA", "CHN", MC)]),
]  # fmt: skip
ARTICLE = (
    "Britain and France warned Russia. Россия ввела санкции против Украины.\n\nWashington sanctioned Russia."
)


def _write_dyads(path: Path) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for i, (lang, text, dyads) in enumerate(DYAD_ROWS):
            detail: dict[str, str] = {}
            for s, t, d in dyads:
                detail.setdefault(s, d)
                detail.setdefault(t, d)
            record = {
                "id": f"d-{i}",
                "lang": lang,
                "text": text,
                "gold": {c: STANCE[d] for c, d in detail.items()},
                "detail": detail,
                "dyads": [{"source": s, "target": t, "detail": d} for s, t, d in dyads],
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def _dyad_config(tmp_path: Path, encoder: Path, **train) -> dict:
    raw = _config(tmp_path, encoder, **train)
    dyads = _write_dyads(tmp_path / "dyads.jsonl")
    raw["data"]["sources"].append(
        {"name": "dyads", "kind": "own", "path": str(dyads), "dev_path": str(dyads)}
    )
    raw["train"]["loss_weights"] = {"detail": 1.0, "sentiment": 1.0, "sentence_detail": 1.0, "pair": 1.0}
    return raw


def test_pair_head_loss_falls(tiny_encoder: Path, tmp_path: Path) -> None:
    from training.batching import collate
    from training.data import load_sources
    from training.trainer import build_model, compute_loss, model_heads

    cfg = build(Config, _dyad_config(tmp_path, tiny_encoder))
    assert "pair" in model_heads(cfg)
    examples = load_sources(cfg)["dyads"].train
    assert sum(len(e.pairs) for e in examples) == 3 * 6 + 6 * 2  # every ordered pair of the countries in gold
    torch.manual_seed(0)
    model, tok = build_model(cfg.model, model_heads(cfg))
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=0.01)
    batch = collate(tok, examples, max_length=48, prefix="")
    losses = []
    for _ in range(30):
        loss, parts = compute_loss(model(**batch), batch, {"pair": 1.0})
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(parts["pair"])
    assert losses[-1] < 0.3 * losses[0], losses


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import build_tiny_encoder

    from training.trainer import train

    tmp = tmp_path_factory.mktemp("dyads")
    encoder = build_tiny_encoder(tmp / "encoder")
    return train(build(Config, _dyad_config(tmp, encoder, epochs=25)), progress=False)


def test_trained_model_reads_directed_dyads(trained: Path) -> None:
    metrics = json.loads((trained / "metrics.json").read_text())
    dev = metrics["dev"]["dyads"]["by_lang"]["all"]
    assert dev["dyad_f1"] >= 0.8, dev
    # the baseline relates the two sources of one act to each other, and one-way relations both ways
    assert (
        0.3 < dev["cooc_gold_p"] < 0.8 and dev["cooc_gold_r"] == 1.0 and dev["cooc_gold_f1"] < dev["dyad_f1"]
    )
    assert "| pair | pair:" in (trained / "README.md").read_text()
    clf = load_classifier(trained, precision="fp32")
    dyads = clf.classify_dyads("Britain and France warned Russia.")
    assert {(d.source, d.target, d.stance) for d in dyads} >= {
        ("GBR", "RUS", "conflictual"),
        ("FRA", "RUS", "conflictual"),
    }
    assert not {(d.source, d.target) for d in dyads} & {("GBR", "FRA"), ("FRA", "GBR")}


def test_save_reload_same_dyads_and_batch_equals_one_at_a_time(trained: Path, tmp_path: Path) -> None:
    clf = load_classifier(trained, precision="fp32", batch_size=2)
    texts = [ARTICLE, "", "Russia warned Britain and France.", "Nothing here."]
    together = clf.classify_dyads_many(texts)
    assert together[1] == [] and together[3] == []
    alone = [clf.classify_dyads(t) for t in texts]
    again = load_classifier(trained, precision="fp32").classify_dyads_many(texts)
    for a, b, c in zip(together, alone, again, strict=True):
        assert [(d.sentence_index, d.source, d.target, d.detail) for d in a] == [
            (d.sentence_index, d.source, d.target, d.detail) for d in b
        ]
        assert [(d.source, d.target, d.detail) for d in a] == [(d.source, d.target, d.detail) for d in c]
        for x, y in zip(a, b, strict=True):
            assert x.intensity == pytest.approx(y.intensity, abs=1e-3)
    first = together[0]
    assert first and all(ARTICLE[d.start : d.end] == d.sentence for d in first)
    for d in first:  # offsets are the article's
        assert all(ARTICLE[s:e] for s, e in d.source_mentions + d.target_mentions)
        assert d.scores["pair"]["none"] < 0.5 and set(d.scores["pair"]) == set(PAIR_LABELS)
    # the same pass also gives the stance results, unchanged by the dyads
    stances, _ = clf.analyse_many(texts)
    assert [[r.to_dict() for r in rs] for rs in stances] == [
        [r.to_dict() for r in rs] for rs in clf.classify_many(texts)
    ]


def test_decoding_threshold_and_intensity() -> None:
    none, *_ = PAIR_LABELS
    probs = torch.tensor(
        [
            [0.6, 0.0, 0.0, 0.0, 0.2, 0.2],  # p(none) >= 0.5: unrelated
            [0.2, 0.0, 0.0, 0.0, 0.3, 0.5],  # related, conflictual, material
            [0.0, 0.1, 0.5, 0.2, 0.1, 0.1],  # cooperative (0.7) beats conflictual: verbal_cooperation
        ]
    )
    unrelated, conflict, coop = decode_pairs(probs)
    assert not unrelated.related and conflict.related and coop.related
    assert (conflict.stance, conflict.detail) == ("conflictual", MK)
    expected = (0.3 * GOLDSTEIN[VK] + 0.5 * GOLDSTEIN[MK]) / 0.8
    assert conflict.intensity == pytest.approx(expected, abs=1e-3)
    assert (coop.stance, coop.detail) == ("cooperative", VC)
    assert -10 <= coop.intensity <= 10 and none == "none"


def _reading(p_none: float, detail: str) -> object:
    row = torch.zeros(len(PAIR_LABELS))
    row[0] = p_none
    row[PAIR_LABELS.index(detail)] = 1 - p_none
    return decode_pairs(row[None])[0]


def test_dyad_metrics_on_a_hand_made_example() -> None:
    targets = [Target([(0, 7)], "GBR", VK), Target([(12, 18)], "FRA", VK), Target([(26, 32)], "RUS", VK)]
    pairs = [Pair(a, b, VK if b == 2 else "none") for a in range(3) for b in range(3) if a != b]
    example = Example("x", "dyads", "en", "Britain and France warned Russia.", targets, pairs=pairs)
    # pairs: GBR>FRA none, GBR>RUS vk, FRA>GBR none, FRA>RUS vk, RUS>GBR none, RUS>FRA none
    # the model: GBR>RUS right, FRA>RUS missed, RUS>GBR wrong direction
    readings = [_reading(0.9, VK), _reading(0.1, VK), _reading(0.9, VK), _reading(0.9, VK), _reading(0.1, VK), _reading(0.9, VK)]  # fmt: skip
    counts: Counter[str] = Counter()
    count_example(counts, example, readings, [VK, VK, "neutral"])
    scores = dyad_scores(counts)
    assert (scores["dyad_p"], scores["dyad_r"]) == (0.5, 0.5)  # directed: 1 of 2 right, 1 of 2 found
    # direction-free: {GBR,RUS} found and {RUS,GBR} is the same pair; {FRA,RUS} missed
    assert scores["dyad_undirected_p"] == 1.0 and scores["dyad_undirected_r"] == 0.5
    # co-occurrence on gold stances: all six ordered pairs share "conflictual"; 2 are gold
    assert scores["cooc_gold_p"] == pytest.approx(2 / 6) and scores["cooc_gold_r"] == 1.0
    assert scores["cooc_gold_f1"] == pytest.approx(2 * (1 / 3) / (1 / 3 + 1))
    # on the model's stances only GBR and FRA share one: GBR>FRA and FRA>GBR, both wrong
    assert scores["cooc_model_p"] == 0.0 and scores["cooc_model_r"] == 0.0
    assert scores["n_dyads"] == 2 and scores["n_dyad_pairs"] == 6
    rows = table_rows({"dyads": {"kind": "own", "by_lang": {"all": scores}}})
    table = format_table(rows)
    assert "dyad_f1" in table and "co-occurrence: gold stances 0.500" in table


def test_model_without_pair_head_is_refused_by_name(tiny_encoder: Path) -> None:
    model, tok = tiny_stance_model(tiny_encoder)
    clf = StanceClassifier(model, tok, name="legacy")
    with pytest.raises(ValueError, match="model 'legacy' has no pair head"):
        clf.classify_dyads_many(["Britain and France warned Russia."])
    assert "pair" in HEADS and clf.classify_many(["Britain and France warned Russia."])[0]


def test_evaluate_prints_the_dyad_table(
    trained: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    from training.evaluate_cmd import run_evaluation

    config = yaml.safe_load((trained / "training_config.yaml").read_text())
    config_path = tmp_path / "c.yaml"
    config_path.write_text(yaml.safe_dump(config))
    results = run_evaluation(trained, config_path, ["dyads"], out=tmp_path / "eval", precision="fp32")
    printed = capsys.readouterr().out
    assert "Directed dyads over (source, target, stance)" in printed
    for lang in ("all", "en", "de", "ru", "zh"):
        assert f"dyads        {lang:<5}" in printed
    assert set(results["dyads"]["by_lang"]) == {"all", "en", "de", "ru", "zh"}
