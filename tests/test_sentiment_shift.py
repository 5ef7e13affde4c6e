"""Sentiment decision thresholds: a global neutral shift and per-language ones, fitted on dev and applied by
the classifier by the text's language; and the split seed that keeps dev fixed across training seeds."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

from inference.labels import SENTIMENT_LABELS
from inference.modeling import ModelSettings
from training.calibration import (
    SentimentCell,
    best_sentiment_shift,
    fit_sentiment_shifts,
    sentiment_shift_report,
)
from training.config import Config, ConfigError, build, load_config
from training.data import load_sources

DEFAULT = Path(__file__).resolve().parents[1] / "configs/default.yaml"
NEUTRAL = SENTIMENT_LABELS.index("neutral")


def _cell(source: str, lang: str | None, bias: float, n: int = 1200, polar: bool = False, seed: int = 0):
    """Logits of a head whose neutral logit sits ``bias`` too high for this cell's data."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.multinomial(torch.tensor([0.25, 0.5, 0.25]), n, replacement=True, generator=g)
    logits = torch.randn(n, 3, generator=g)
    logits[torch.arange(n), labels] += 1.5
    logits[:, NEUTRAL] += bias
    return SentimentCell(source, polar, lang, logits, labels, torch.arange(n) % 2)


def test_best_shift_undoes_the_bias_and_prefers_zero_on_ties() -> None:
    assert best_sentiment_shift([_cell("a", "en", 1.0)]) == pytest.approx(-1.0, abs=0.3)
    assert best_sentiment_shift([_cell("a", "en", 0.0)]) == pytest.approx(0.0, abs=0.3)
    same = _cell("a", "en", 0.0)
    same.logits = torch.zeros_like(same.logits)  # every shift decides alike: no reason to move
    assert best_sentiment_shift([same]) == 0.0


def test_a_language_with_enough_targets_gets_its_own_shift() -> None:
    cells = [
        _cell("news", "en", 0.0, seed=1),
        _cell("rus", "ru", 1.2, seed=2),
        _cell("own", "de", 1.2, n=240, seed=4),
    ]
    global_shift, per_lang = fit_sentiment_shifts(cells, min_items=250)
    assert set(per_lang) == {"en", "ru"}  # German has 240 targets, fewer than 250
    assert per_lang["ru"] == pytest.approx(-1.2, abs=0.3)
    assert per_lang["en"] == pytest.approx(0.0, abs=0.3)
    # the shift for every other language is fitted on those languages alone (here German)
    assert global_shift == pytest.approx(-1.2, abs=0.35)
    assert global_shift == best_sentiment_shift(cells[2:])
    report = sentiment_shift_report(cells, 250)
    assert (report["neutral_shift"], report["per_language"]) == (global_shift, per_lang)
    rus = report["sources"]["rus"]
    assert rus["metric"] == "sentiment_f1" and rus["n"] == 1200
    assert rus["after"] > rus["before"] + 0.02  # cross-fitted, still a gain where the bias is real
    assert report["kept"]["ru"] and report["kept"]["*"] and report["gain"]["ru"] > 0.02


def test_a_shift_that_loses_out_of_sample_is_dropped() -> None:
    # Russian: each half biased the other way, so a shift fitted on one half hurts the other
    ru = _cell("rus", "ru", 0.0, seed=2)
    ru.logits[ru.half == 0, NEUTRAL] += 1.5
    ru.logits[ru.half == 1, NEUTRAL] -= 1.5
    en = _cell("news", "en", 1.2, seed=1)  # a real bias: its shift is kept
    report = sentiment_shift_report([ru, en], 250)
    assert report["kept"] == {"ru": False, "en": True}
    assert report["gain"]["ru"] < 0 < report["gain"]["en"]
    assert report["per_language"]["ru"] == 0.0  # no shift for Russian (not the global one)
    assert report["per_language"]["en"] == pytest.approx(-1.2, abs=0.3)
    assert report["sources"]["rus"]["after"] == report["sources"]["rus"]["before"]
    assert report["sources"]["news"]["after"] > report["sources"]["news"]["before"] + 0.02
    from training.model_card import _calibration_section

    card = _calibration_section({"sentiment_shift": report})
    assert "Shifts set to 0 because they lost out of sample (cross-fitted): ru." in card


def test_votes_weigh_a_small_source_by_its_size() -> None:
    """A 1,200-target source unbiased and a 60-target one biased: with equal votes the small source pulls the
    shift toward itself; weighted by the square root of its targets (or by its targets) it moves it far less."""
    cells = [_cell("news", "en", 0.0, n=1200, seed=1), _cell("own", "en", 2.0, n=60, seed=3)]
    shifts = {votes: best_sentiment_shift(cells, votes) for votes in ("equal", "sqrt", "items")}
    alone = best_sentiment_shift(cells[:1])  # the large source's own best shift (about 0)
    assert abs(alone) < 0.2 and best_sentiment_shift(cells[1:]) < -1.5
    assert alone - shifts["equal"] > 0.5  # equal votes: the small source drags the shared shift
    assert abs(shifts["sqrt"] - alone) < 0.25 and shifts["items"] == pytest.approx(alone, abs=0.1)
    report = sentiment_shift_report(cells, 250, "sqrt")
    assert report["votes"] == "sqrt" and len(report["halves"]) == 2
    assert {"neutral_shift", "per_language"} == set(report["halves"][0])
    with pytest.raises(ValueError, match="expected one of equal, sqrt, items"):
        best_sentiment_shift(cells, "median")


def test_bad_votes_in_a_config_are_named() -> None:
    with pytest.raises(ConfigError, match=r"train.sentiment_shift_votes='mean'; expected one of equal, sqrt"):
        load_config(DEFAULT, {"train.sentiment_shift_votes": "mean"})


def test_polar_sources_vote_by_positive_negative_f1() -> None:
    cell = _cell("rusentne", "ru", 0.0, polar=True)
    report = sentiment_shift_report([cell], 250)
    assert report["sources"]["rusentne"]["metric"] == "sentiment_pn_f1"


def _settings(**kw) -> ModelSettings:
    return ModelSettings(heads=["detail", "sentiment", "sentence_detail"], **kw)


@pytest.mark.parametrize(
    ("shifts", "match"),
    [
        ({"ru": {"sentence_detail": [0.0] * 5}}, "'sentence_detail' is not a target head"),
        ({"ru": [0.0, -1.0, 0.0]}, "expected a mapping of target heads"),
        ({"ru": {"sentiment": [0.0, -1.0]}}, r"expected 3 numbers, one per label \['negative'"),
        ({"ru": {"sentiment": [0.0, True, 0.0]}}, "expected 3 numbers"),
    ],
)
def test_bad_language_shifts_are_refused_by_name(shifts: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        _settings(lang_logit_shift=shifts)


def test_classifier_applies_the_language_shift_and_only_there(tiny_encoder: Path, tmp_path: Path) -> None:
    from tests_helpers import tiny_stance_model

    import inference

    model, tok = tiny_stance_model(tiny_encoder)
    model.settings.logit_shift = {"sentiment": [0.0, 0.5, 0.0]}
    model.settings.lang_logit_shift = {"ru": {"sentiment": [0.0, -2.0, 0.0]}}
    out = model.save_pretrained(tmp_path / "model", tokenizer=tok)
    assert json.loads((out / "config.json").read_text())["diplostance"]["lang_logit_shift"] == {
        "ru": {"sentiment": [0.0, -2.0, 0.0]}
    }
    clf = inference.load_classifier(out, precision="fp32")
    plain_dir = tmp_path / "plain"
    model.settings.lang_logit_shift = {}
    plain = inference.load_classifier(model.save_pretrained(plain_dir, tokenizer=tok), precision="fp32")

    ru = "Россия подписала соглашение с Францией, заявил министр."
    item = [(ru, 0, 6)]
    shifted = clf.classify_targets(item)[0].scores["sentiment"]
    base = plain.classify_targets(item)[0].scores["sentiment"]
    # softmax(z + s_ru) = softmax(z + s) * exp(s_ru - s), renormalised
    moved = [base[label] * math.exp(d) for label, d in zip(SENTIMENT_LABELS, (0.0, -2.5, 0.0), strict=True)]
    expected = [m / sum(moved) for m in moved]
    assert [shifted[label] for label in SENTIMENT_LABELS] == pytest.approx(expected, abs=2e-6)
    # the hint decides when given; English text keeps the global shift
    assert clf.classify_targets(item, lang="en")[0].scores["sentiment"] == base
    en = "France signed an agreement with Germany, the minister said."
    assert (
        clf.classify_targets([(en, 0, 6)])[0].scores["sentiment"]
        == plain.classify_targets([(en, 0, 6)])[0].scores["sentiment"]
    )
    # classify reads the article's language the same way
    assert clf.classify(ru)[0].scores["sentiment"] != plain.classify(ru)[0].scores["sentiment"]
    assert (
        clf.classify(ru, lang="en")[0].scores["sentiment"]
        == plain.classify(ru, lang="en")[0].scores["sentiment"]
    )


def test_sentiment_shift_and_polarity_source_exclude_each_other() -> None:
    with pytest.raises(ConfigError, match="train.fit_sentiment_shift and train.polarity_source='rusentne'"):
        load_config(DEFAULT, {"train.polarity_source": "rusentne", "train.fit_sentiment_shift": "true"})
    with pytest.raises(ConfigError, match="sentiment_shift_min_items=0"):
        load_config(DEFAULT, {"train.sentiment_shift_min_items": "0"})


def test_split_seed_keeps_dev_fixed_across_training_seeds(tmp_path: Path) -> None:
    rows = [
        f"Country {i} signed agreement number {i} with its neighbour on trade.\t{i % 5}\r\n"
        for i in range(80)
    ]
    path = tmp_path / "a.tsv"
    path.write_bytes("".join(rows).encode())
    raw = {
        "data": {
            "group_similarity": 0,
            "sources": [
                {
                    "name": "a",
                    "kind": "cameo",
                    "path": str(path),
                    "dev_fraction": 0.3,
                    "options": {"ner_path": None},
                }
            ],
        },
        "train": {"seed": 13},
    }

    def dev_ids(seed: int, split_seed: int | None) -> set[str]:
        raw["train"]["seed"] = seed
        raw["data"]["split_seed"] = split_seed
        return {e.id for e in load_sources(build(Config, raw))["a"].dev}

    assert dev_ids(13, None) != dev_ids(14, None)  # by default the split follows the training seed
    assert dev_ids(14, 13) == dev_ids(13, None) == dev_ids(15, 13)


def test_training_fits_and_stores_the_sentiment_thresholds(tiny_encoder: Path, tmp_path: Path) -> None:
    from test_training import _config

    from inference.classifier import load_classifier
    from training.trainer import train

    raw = _config(tmp_path, tiny_encoder, epochs=1, fit_sentiment_shift=True, sentiment_shift_min_items=1)
    out = train(build(Config, raw), progress=False)
    settings = json.loads((out / "config.json").read_text())["diplostance"]
    report = json.loads((out / "metrics.json").read_text())["calibration"]["sentiment_shift"]
    # the fixture's sentiment source (NewsMTSC-format, English) is the only one with sentiment labels
    assert set(report["sources"]) == {"news"} and report["sources"]["news"]["metric"] == "sentiment_f1"
    assert set(settings["lang_logit_shift"]) == set(report["per_language"]) == {"en"}
    assert settings["lang_logit_shift"]["en"]["sentiment"][NEUTRAL] == report["per_language"]["en"]
    assert settings["logit_shift"]["sentiment"][NEUTRAL] == report["neutral_shift"]
    assert "neutral logit is shifted" in (out / "README.md").read_text()
    assert load_classifier(out, precision="fp32").settings.lang_logit_shift == settings["lang_logit_shift"]

    # benchmarks/shift_votes.py refits the same model's thresholds each way, on the config's dev
    import yaml

    from benchmarks.shift_votes import rows

    config_file = tmp_path / "config.yaml"
    config_file.write_text(yaml.safe_dump(raw))
    table = rows([out], config_file)
    assert [r.split(" | ")[1] for r in table[2:]] == ["equal", "sqrt", "items"]
    assert all("news " in r and " → " in r for r in table[2:])
