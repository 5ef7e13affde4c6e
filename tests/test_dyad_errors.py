"""benchmarks/dyad_errors.py: each ordered pair in one error class, and the classes give the evaluation's F1."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest

from benchmarks.dyad_errors import CLASSES, error_classes, f1, joint_stance, main
from inference.labels import STANCE_LABELS
from training.dyad_metrics import count, prf


def test_each_read_or_gold_pair_falls_in_one_class() -> None:
    gold = [
        ("USA", "IRN", "conflictual"),
        ("RUS", "UKR", "conflictual"),
        ("UKR", "RUS", "conflictual"),
        ("FRA", "DEU", "cooperative"),
    ]
    read = [
        ("USA", "IRN", "conflictual"),  # right
        ("RUS", "UKR", "cooperative"),  # wrong stance
        ("DEU", "FRA", "cooperative"),  # reversed: only FRA -> DEU is gold
        ("CHN", "USA", "neutral"),  # spurious
    ]  # UKR -> RUS and FRA -> DEU missed
    assert error_classes(gold, read) == Counter(
        {"right": 1, "wrong stance": 1, "reversed": 1, "spurious": 1, "missed": 2}
    )


def test_f1_from_the_classes_is_the_evaluation_directed_dyad_f1() -> None:
    countries = ["USA", "IRN", "RUS", "UKR"]
    pairs = list(itertools.permutations(countries, 2))
    rng = random.Random(7)
    total: Counter[str] = Counter()
    reference: Counter[str] = Counter()
    for _ in range(200):  # sentences with random gold and read dyads
        gold = [(a, b, rng.choice(STANCE_LABELS)) for a, b in rng.sample(pairs, rng.randint(0, 3))]
        read = [(a, b, rng.choice(STANCE_LABELS)) for a, b in rng.sample(pairs, rng.randint(0, 3))]
        total += error_classes(gold, read)
        count(gold, read, reference, "dyad")
    assert set(total) <= set(CLASSES)
    assert f1(total) == pytest.approx(prf(reference, "dyad")["dyad_f1"])


def test_joint_stance_at_zero_is_the_pair_head_and_can_be_overruled_by_both_countries() -> None:
    pair = {"cooperative": 0.5, "conflictual": 0.4, "neutral": 0.1}
    conflictual = {"cooperative": 0.05, "conflictual": 0.9, "neutral": 0.05}
    assert joint_stance(pair, conflictual, conflictual, 0.0) == "cooperative"
    assert joint_stance(pair, conflictual, conflictual, 0.5) == "conflictual"
    tie = {"cooperative": 0.4, "conflictual": 0.4, "neutral": 0.2}
    flat = dict.fromkeys(STANCE_LABELS, 1 / 3)
    assert joint_stance(tie, flat, flat, 1.0) == "cooperative"  # the first maximum, as the shipped decoding


def test_a_negative_alpha_is_refused_by_name(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(SystemExit):
        main([str(tmp_path), "--alphas", "-1"])
    assert "--alphas [-1.0]" in capsys.readouterr().err
