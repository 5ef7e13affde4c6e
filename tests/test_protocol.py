"""The evaluation protocol: leak-proof groups, grouped folds, spreads, cross-validation, calibration."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import torch

from training.calibration import calibrate, expected_calibration_error, fit_temperature
from training.config import Config, ConfigError, build, load_config
from training.data import in_fold, load_sources
from training.evaluation import _macro, bootstrap_sd, format_table
from training.examples import Example
from training.grouping import merge_near_duplicates, near_duplicate_pairs, normalise
from training.protocol import paired_differences, run_plan, summarise, summary_rows

WIRE = (
    "Russian forces shelled the eastern city of Kharkiv overnight, killing three civilians, officials said."
)


def test_normalise_and_near_duplicates() -> None:
    assert normalise("  Égypte’s  FM: «Talks»!") == normalise("egypte s fm talks")
    texts = [
        WIRE,
        "Russian forces shelled the eastern city of Kharkiv overnight, killing three civilians.",  # edited copy
        "RUSSIAN FORCES SHELLED THE EASTERN CITY OF KHARKIV OVERNIGHT, KILLING THREE CIVILIANS, OFFICIALS SAID",
        "France and Germany signed a new energy agreement in Berlin on Tuesday.",  # unrelated
    ]
    pairs = near_duplicate_pairs(texts, 0.5)
    assert (0, 1) in pairs and (0, 2) in pairs and (1, 2) in pairs
    assert not any(3 in p for p in pairs)


def test_merge_binds_translations_through_the_reader_groups() -> None:
    ex = [
        Example(id="a-en", source="un", lang="en", text=WIRE, group="row1"),
        Example(
            id="a-es", source="un", lang="es", text="Las fuerzas rusas bombardearon Járkov.", group="row1"
        ),
        Example(id="b-en", source="cameo", lang="en", text=WIRE.replace("three", "four"), group="c7"),
        Example(id="c-en", source="cameo", lang="en", text="Japan and India held talks.", group="c8"),
    ]
    assert merge_near_duplicates(ex, 0.5) == 1
    assert ex[0].group == ex[1].group == ex[2].group  # the Spanish row follows its English twin
    assert ex[3].group == "c8"


def test_folds_partition_the_groups() -> None:
    groups = [f"g{i}" for i in range(400)]
    sides = [[g for g in groups if in_fold(g, 5, k)] for k in range(5)]
    assert sorted(g for side in sides for g in side) == sorted(groups)
    assert all(50 <= len(side) <= 110 for side in sides)


def _tsv(path: Path, rows: list[tuple[str, int]]) -> Path:
    path.write_bytes("".join(f"{s}\t{label}\r\n" for s, label in rows).encode())
    return path


def test_no_group_straddles_train_and_dev(tmp_path: Path) -> None:
    rows = [
        (f"Country {i} signed agreement number {i} with its neighbour about trade.", i % 5) for i in range(60)
    ]
    a = _tsv(tmp_path / "a.tsv", rows)
    # b repeats a's sentences, lightly edited: a near-copy on b's dev side must not be trained on from a
    b = _tsv(tmp_path / "b.tsv", [(s.replace("signed", "has signed"), y) for s, y in rows])
    cfg = build(
        Config,
        {
            "data": {
                "folds": 3,
                "fold": 1,
                "sources": [
                    {"name": "a", "kind": "cameo", "path": str(a), "options": {"ner_path": None}},
                    {"name": "b", "kind": "cameo", "path": str(b), "options": {"ner_path": None}},
                ],
            }
        },
    )
    data = load_sources(cfg)
    dev = {e.group for sd in data.values() for e in sd.dev}
    train = {e.group for sd in data.values() for e in sd.train}
    assert dev and train and not dev & train
    assert {normalise(e.text) for e in data["a"].dev}  # fold 1 of 3 holds something
    # without grouping, the edited copies would be split independently and leak
    cfg.data.group_similarity = 0
    data = load_sources(cfg)
    a_dev_texts = {e.text for e in data["a"].dev}
    b_train_twins = {e.text.replace("has signed", "signed") for e in data["b"].train}
    assert a_dev_texts & b_train_twins


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"data.folds": "1"}, "folds=1"),
        ({"data.folds": "5", "data.fold": "5"}, "0 <= fold < folds"),
        ({"data.group_similarity": "1.5"}, "group_similarity=1.5"),
        ({"train.select": "best_of_dev"}, "train.select='best_of_dev'; expected 'best' or 'last'"),
    ],
)
def test_protocol_config_errors_name_the_value(overrides: dict[str, str], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        load_config(Path(__file__).resolve().parents[1] / "configs/default.yaml", overrides)


def test_bootstrap_sd_matches_resampled_macro_f1() -> None:
    rng = random.Random(1)
    labels = ["a", "b", "c"]
    gold = [rng.choice(labels) for _ in range(200)]
    pred = [g if rng.random() < 0.7 else rng.choice(labels) for g in gold]
    sd = bootstrap_sd(gold, pred, samples=400)
    # the same resampling done slowly with sklearn's macro-F1
    import numpy as np

    draws = np.random.default_rng(0).integers(0, len(gold), size=(400, len(gold)))
    slow = [_macro([gold[i] for i in d], [pred[i] for i in d]) for d in draws]
    assert sd == pytest.approx(float(np.std(slow)), abs=1e-9)
    assert 0.01 < sd < 0.08
    assert bootstrap_sd(gold, gold) == 0.0


def test_summary_is_mean_and_sd_over_runs() -> None:
    runs = [
        {
            "cameo": {
                "kind": "cameo",
                "by_lang": {"all": {"sentence_detail_f1": v}, "en": {"sentence_detail_f1": v}},
            }
        }
        for v in (0.80, 0.84, 0.82)
    ]
    summary = summarise(runs)
    entry = summary["cameo"]["by_lang"]["all"]["sentence_detail_f1"]
    assert entry["mean"] == pytest.approx(0.82) and entry["sd"] == pytest.approx(0.02) and entry["n"] == 3
    table = format_table(summary_rows(summary))
    assert "0.820 ± 0.020" in table and "ConfliBERT 0.880" in table
    assert run_plan(3, [13, 14, 15, 16]) == [(0, 13), (1, 14), (2, 15), (0, 16)]
    with pytest.raises(ConfigError, match="folds=1"):
        run_plan(1, [13])


def test_one_fold_for_every_run_and_paired_differences(tmp_path: Path) -> None:
    assert run_plan(5, [13, 14, 15], fold=0) == [(0, 13), (0, 14), (0, 15)]
    with pytest.raises(ConfigError, match=r"fold=5; with 5 folds it must be 0 to 4"):
        run_plan(5, [13], fold=5)

    def dev(v: float, shift: float) -> dict:
        return {
            "cameo": {"kind": "cameo", "by_lang": {"all": {"sentence_detail_f1": v}}},
            "un_en_shift": {"kind": "un_quadclass", "by_lang": {"all": {"sentence_detail_f1": shift}}},
        }

    base = tmp_path / "base"
    for seed, v, shift in ((13, 0.96, 0.40), (14, 0.95, 0.40)):  # no seed 15 there
        (base / f"fold0-seed{seed}").mkdir(parents=True)
        (base / f"fold0-seed{seed}" / "metrics.json").write_text(json.dumps({"dev": dev(v, shift)}))
    runs = [
        {"fold": 0, "seed": 13, "dev": dev(0.95, 0.42)},
        {"fold": 0, "seed": 14, "dev": dev(0.96, 0.41)},
        {"fold": 0, "seed": 15, "dev": dev(0.99, 0.50)},  # unpaired: left out
    ]
    paired = paired_differences(runs, base)
    cameo = paired["cameo"]["by_lang"]["all"]["sentence_detail_f1"]
    assert cameo["values"] == pytest.approx([-0.01, 0.01]) and cameo["n"] == 2
    assert cameo["mean"] == pytest.approx(0.0) and cameo["sd"] == pytest.approx(0.0141421, abs=1e-6)
    shift = paired["un_en_shift"]["by_lang"]["all"]["sentence_detail_f1"]
    assert shift["mean"] == pytest.approx(0.015)
    with pytest.raises(
        ConfigError, match=r"--against .*other: no finished run there pairs with these \(fold1"
    ):
        paired_differences([{"fold": 1, "seed": 13, "dev": dev(0.9, 0.4)}], tmp_path / "other")


def test_temperature_recovers_an_overconfident_head() -> None:
    torch.manual_seed(0)
    true_logits = torch.randn(4000, 5) * 2
    labels = torch.distributions.Categorical(logits=true_logits).sample()
    overconfident = true_logits * 3  # what fine-tuning does: the right ranking, too sharp
    assert fit_temperature(overconfident, labels) == pytest.approx(3.0, rel=0.1)
    before = expected_calibration_error(torch.softmax(overconfident, -1), labels)
    temperatures, report = calibrate({"detail": (overconfident, labels, torch.arange(4000) % 2)})
    assert temperatures["detail"] == pytest.approx(3.0, rel=0.1)
    assert report["detail"]["ece_before"] == pytest.approx(before)
    assert report["detail"]["ece_after"] < before / 3
    assert report["stance"]["ece_after"] < report["stance"]["ece_before"]


def test_trained_model_is_calibrated_and_keeps_its_decisions(tiny_encoder: Path, tmp_path: Path) -> None:
    from test_training import CAMEO_ROWS, _config

    from inference.classifier import load_classifier
    from training.trainer import train

    raw = _config(tmp_path, tiny_encoder, epochs=4)
    out = train(build(Config, raw), progress=False)
    config = json.loads((out / "config.json").read_text())
    temperatures = config["diplostance"]["temperatures"]
    # the fixture labels sentences (CAMEO) and target sentiment (NewsMTSC), no target detail
    assert set(temperatures) == {"sentiment", "sentence_detail"}
    assert all(0.25 <= t <= 8 for t in temperatures.values())
    assert "## Calibration" in (out / "README.md").read_text()
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["calibration"]["sentence_detail"]["n"] == len(CAMEO_ROWS)

    sentences = [s for s, _ in CAMEO_ROWS]
    calibrated = load_classifier(out, precision="fp32").classify_sentences(sentences)
    config["diplostance"]["temperatures"] = {}
    (out / "config.json").write_text(json.dumps(config))
    raw_clf = load_classifier(out, precision="fp32")
    uncalibrated = raw_clf.classify_sentences(sentences)
    # temperature scaling keeps the argmax of the five-way detail head
    for c, u in zip(calibrated, uncalibrated, strict=True):
        assert max(c.scores["detail"], key=c.scores["detail"].get) == max(
            u.scores["detail"], key=u.scores["detail"].get
        )
    t = temperatures["sentence_detail"]
    if abs(t - 1) > 0.05:
        assert [c.scores["detail"] for c in calibrated] != [u.scores["detail"] for u in uncalibrated]


def test_neutral_shift_trades_neutral_recall_for_polar_precision() -> None:
    from training.calibration import fit_neutral_shift, polarity_report

    torch.manual_seed(0)
    n = 3000
    labels = torch.multinomial(torch.tensor([0.15, 0.7, 0.15]), n, replacement=True)
    logits = torch.randn(n, 3)
    logits[torch.arange(n), labels] += 1.5
    logits[:, 1] -= 1.0  # a model that under-predicts neutral: polar precision suffers
    shift = fit_neutral_shift(logits, labels)
    assert 0.3 <= shift <= 2.0
    report = polarity_report(logits, labels, torch.arange(n) % 2)
    assert report["neutral_shift"] == shift
    assert report["pn_f1_after"] > report["pn_f1_before"] + 0.02
    # the decision, not the logits' offset, is what is fitted: a model whose neutral logit already sits
    # one higher needs a shift one lower
    assert fit_neutral_shift(logits + torch.tensor([0.0, 1.0, 0.0]), labels) == pytest.approx(
        shift - 1, abs=0.051
    )


def test_polarity_source_must_name_a_source() -> None:
    with pytest.raises(ConfigError, match="train.polarity_source='rusent' is not a source name"):
        load_config(
            Path(__file__).resolve().parents[1] / "configs/default.yaml", {"train.polarity_source": "rusent"}
        )


def test_relation_shift_raises_dyad_f1_and_is_the_decision_not_the_offset() -> None:
    from inference.heads import NO_RELATION, PAIR_LABELS
    from training.calibration import _dyad_f1, fit_relation_shift, relation_report

    torch.manual_seed(0)
    n = 3000
    none = PAIR_LABELS.index(NO_RELATION)
    labels = torch.multinomial(torch.tensor([0.5, 0.1, 0.1, 0.1, 0.1, 0.1]), n, replacement=True)
    logits = torch.randn(n, len(PAIR_LABELS))
    logits[torch.arange(n), labels] += 2.0
    logits[:, none] -= 1.5  # a head that calls too many pairs related: dyad precision suffers
    shift = fit_relation_shift(logits, labels)
    assert shift > 0.5
    report = relation_report(logits, labels, torch.arange(n) % 2)
    assert report["none_shift"] == shift and report["n"] == n
    assert report["dyad_f1_before"] == pytest.approx(_dyad_f1(logits, labels))
    assert report["dyad_f1_after"] > report["dyad_f1_before"] + 0.02
    offset = torch.zeros(len(PAIR_LABELS))
    offset[none] = 1.0
    assert fit_relation_shift(logits + offset, labels) == pytest.approx(shift - 1, abs=0.051)


def test_dyad_f1_counts_as_the_dyad_metrics_do() -> None:
    from inference.heads import PAIR_LABELS
    from training.calibration import _dyad_f1

    big = 10.0
    rows = [
        ("none", "none"),  # true negative
        ("material_conflict", "verbal_conflict"),  # related, right stance: a true positive
        ("none", "verbal_cooperation"),  # a false positive
        ("neutral", "none"),  # a miss
        ("material_cooperation", "verbal_conflict"),  # wrong stance: a false positive and a miss
    ]
    logits = torch.zeros(len(rows), len(PAIR_LABELS))
    labels = torch.tensor([PAIR_LABELS.index(g) for g, _ in rows])
    for i, (_, pred) in enumerate(rows):
        logits[i, PAIR_LABELS.index(pred)] = big
    # tp 1, predicted related 3, gold related 3: F1 = 2 * 1 / (3 + 3)
    assert _dyad_f1(logits, labels) == pytest.approx(2 / 6)


def test_calibrate_command_refits_a_trained_model(tiny_encoder: Path, tmp_path: Path) -> None:
    import yaml
    from test_training import _config

    from training.calibrate_cmd import recalibrate
    from training.trainer import train

    raw = _config(tmp_path, tiny_encoder, epochs=1)
    raw["train"]["calibrate"] = False
    out = train(build(Config, raw), progress=False)
    assert not json.loads((out / "config.json").read_text())["diplostance"].get("temperatures")
    raw["train"]["calibrate"] = True
    config_file = tmp_path / "config.yaml"
    config_file.write_text(yaml.safe_dump(raw))
    report = recalibrate(out, config_file)
    temperatures = json.loads((out / "config.json").read_text())["diplostance"]["temperatures"]
    assert (
        set(temperatures)
        == {"sentiment", "sentence_detail"}
        == {h for h in report if "temperature" in report[h]}
    )
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["calibration"] == json.loads(json.dumps(report))
    assert "## Calibration" in (out / "README.md").read_text()
    # the record of the run now says how it was calibrated, and nothing else of it changed
    trained = yaml.safe_load((out / "training_config.yaml").read_text())
    assert trained["train"]["calibrate"] is True
    trained["train"]["calibrate"] = False
    assert trained == build(Config, raw | {"train": raw["train"] | {"calibrate": False}}).to_dict()
    raw["train"]["calibrate"] = False
    config_file.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError, match="train.calibrate is false"):
        recalibrate(out, config_file)


def test_cv_on_one_fold_pairs_with_another_folder(tiny_encoder: Path, tmp_path: Path) -> None:
    from test_training import _config

    from training.protocol import cross_validate

    raw = _config(tmp_path, tiny_encoder, epochs=1)
    raw["data"]["sources"] = raw["data"]["sources"][:1]  # CAMEO, split into folds
    raw["data"]["sources"][0].pop("dev_path")
    config = build(Config, raw)
    first = cross_validate(config, tmp_path / "a", folds=2, seeds=[13, 14], fold=1)
    assert [(r["fold"], r["seed"]) for r in first["runs"]] == [(1, 13), (1, 14)]
    again = cross_validate(config, tmp_path / "b", folds=2, seeds=[13, 14], fold=1, against=tmp_path / "a")
    entry = again["paired"]["cameo"]["by_lang"]["all"]["sentence_detail_f1"]
    assert entry["n"] == 2 and entry["values"] == pytest.approx([0.0, 0.0])  # same config, same seeds
    assert "paired by (fold, seed), mean ± sd over 2 pairs" in (tmp_path / "b" / "summary.txt").read_text()


def test_a_source_left_without_training_examples_is_a_named_error(tiny_encoder: Path, tmp_path: Path) -> None:
    from test_training import _config

    raw = _config(tmp_path, tiny_encoder)
    for source in raw["data"]["sources"]:
        source.pop("dev_path")
    raw["data"].update(folds=2, fold=1)  # the tiny news file's 4 sentences all fall in fold 1
    with pytest.raises(
        ConfigError, match=r"data source 'news': no training example is left .*4 on the dev side"
    ):
        load_sources(build(Config, raw))
    raw["data"]["sources"][1]["train"] = False  # evaluated only: no error
    assert len(load_sources(build(Config, raw))["news"].dev) == 4
