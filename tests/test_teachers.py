"""``train.teacher_seeds`` (training/teachers.py): one config trains its teachers, then the distilled student."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_training import _config

from training.config import Config, ConfigError, build, load_config
from training.data import source_files
from training.teachers import teacher_config, teacher_dir, train_teachers

DEFAULT = Path(__file__).resolve().parents[1] / "configs" / "default.yaml"


def test_teacher_seeds_are_checked_by_name() -> None:
    with pytest.raises(ConfigError, match=r"train.teacher_seeds=\[13, 13\].*distinct integer"):
        load_config(DEFAULT, {"train.teacher_seeds": "[13, 13]"})
    with pytest.raises(ConfigError, match=r"train.teacher_seeds"):
        load_config(DEFAULT, {"train.teacher_seeds": "[1.5]"})
    with pytest.raises(ConfigError, match=r"distill_weight=0: the teachers would be trained and ignored"):
        load_config(DEFAULT, {"train.teacher_seeds": "[13, 14]", "train.distill_weight": "0"})


def test_a_teacher_is_the_students_config_at_its_seed_on_the_students_split() -> None:
    config = load_config(
        DEFAULT,
        {"train.teacher_seeds": "[13, 14]", "train.distill_from": "[runs/extra]", "output.dir": "runs/s"},
    )
    teacher = teacher_config(config, 14)
    assert teacher.train.seed == 14
    assert teacher.data.split_seed == config.train.seed  # the student's dev split: teachers never saw it
    assert teacher.train.teacher_seeds == [] and teacher.train.distill_from == []
    assert Path(teacher.output.dir) == Path("runs/s/teachers/seed-14") == teacher_dir(config, 14)
    assert teacher.model == config.model
    # the same sources, but each learns from gold alone (configs/default.yaml keeps RuSentNE off the teachers'
    # probabilities with distill: false, a student's setting)
    assert teacher.data.sources == [dataclasses.replace(s, distill=True) for s in config.data.sources]
    assert [s.name for s in config.data.sources if not s.distill] == ["rusentne", "sentiment_ru_uk"]
    # the student's distillation settings are not the teacher's: it learns from gold labels alone
    distilled = load_config(
        DEFAULT,
        {
            "train.teacher_seeds": "[13]",
            "train.distill_weight": "0.7",
            "train.distill_heads": "[detail]",
            "data.sources.5.distill": "false",
        },
    )
    plain = teacher_config(distilled, 13)
    assert plain.train.distill_weight == 0.5 and plain.train.distill_heads == []
    assert all(s.distill for s in plain.data.sources) and not distilled.data.sources[5].distill
    assert plain.data.sources[5].weight == distilled.data.sources[5].weight
    pinned = load_config(DEFAULT, {"train.teacher_seeds": "[13]", "data.split_seed": "7"})
    assert teacher_config(pinned, 13).data.split_seed == 7


def _finish(config: Config, seed: int, **changes: Any) -> Path:
    """Write the record a finished run of ``config``'s teacher of ``seed`` leaves (weights aside), with
    ``changes`` (dotted ``section.key``) applied to its saved config."""
    teacher = teacher_config(config, seed)
    recipe = teacher.to_dict()
    for dotted, value in changes.items():
        section, key = dotted.split(".")
        recipe[section][key] = value
    path = teacher_dir(config, seed)
    path.mkdir(parents=True)
    (path / "training_config.yaml").write_text(yaml.safe_dump(recipe))
    record = {s.name: {"files": source_files(teacher, s)} for s in teacher.data.sources}
    (path / "data.json").write_text(json.dumps(record))
    (path / "config.json").write_text("{}")
    (path / "metrics.json").write_text("{}")
    return path


def _fake_train(trained: list[tuple[int, bool]]) -> Any:
    def fake_train(teacher: Config, *, progress: bool | None, resume: bool) -> Path:
        trained.append((teacher.train.seed, resume))
        return Path(teacher.output.dir)

    return fake_train


def test_finished_teachers_are_reused_and_the_student_learns_from_them(tmp_path: Path) -> None:
    config = build(Config, _config(tmp_path, tmp_path / "encoder", teacher_seeds=[13, 14]))
    # the thresholds calibration fits and where it ran may differ: a teacher's probabilities do not use them
    done = _finish(config, 13, **{"train.sentiment_shift_votes": "sqrt", "train.threads": 2})
    (teacher_dir(config, 14)).mkdir(parents=True)  # started, not finished: trained again
    trained: list[tuple[int, bool]] = []
    student = train_teachers(config, _fake_train(trained), progress=False, resume=True)
    assert trained == [(14, True)]
    assert student.train.distill_from == [str(done), str(teacher_dir(config, 14))]
    assert student.train.teacher_seeds == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"train.lr": 0.5},
            r"another config than this one at seed 13 \(found != expected: train.lr: 0.5 != 0.01\)",
        ),
        ({"train.seed": 14}, r"train.seed: 14 != 13"),
        ({"train.calibrate": False}, r"train.calibrate: False != True"),
        ({"data.split_seed": 7}, r"data.split_seed: 7 != 3"),
    ],
)
def test_a_finished_model_of_another_recipe_is_not_reused_as_a_teacher(
    tmp_path: Path, changes: dict[str, Any], message: str
) -> None:
    config = build(Config, _config(tmp_path, tmp_path / "encoder", teacher_seeds=[13]))
    path = _finish(config, 13, **changes)
    trained: list[tuple[int, bool]] = []
    with pytest.raises(ConfigError, match=message) as err:
        train_teachers(config, _fake_train(trained), progress=False, resume=False)
    assert f"delete {path} to train that teacher again" in str(err.value)
    assert trained == []


def test_a_teacher_trained_on_other_data_or_without_its_record_is_not_reused(tmp_path: Path) -> None:
    config = build(Config, _config(tmp_path, tmp_path / "encoder", teacher_seeds=[13]))
    path = _finish(config, 13)
    news = Path(config.data.sources[1].path)
    news.write_text(news.read_text() + "\n")  # a file the teacher read has changed since
    with pytest.raises(
        ConfigError, match=r"trained on other data than this config reads \(source\(s\) news:"
    ):
        train_teachers(config, _fake_train([]), progress=False, resume=False)
    (path / "data.json").unlink()
    with pytest.raises(
        ConfigError, match=r"teacher seed 13: cannot check the finished model in .*data.json not found"
    ):
        train_teachers(config, _fake_train([]), progress=False, resume=False)


def test_one_config_trains_teachers_then_the_student_end_to_end(tiny_encoder: Path, tmp_path: Path) -> None:
    from training.trainer import train

    raw = _config(tmp_path, tiny_encoder, epochs=1, teacher_seeds=[3, 4])
    out = train(build(Config, raw), progress=False)
    teachers = [out / "teachers" / "seed-3", out / "teachers" / "seed-4"]
    for path, seed in zip(teachers, (3, 4), strict=True):
        recipe = yaml.safe_load((path / "training_config.yaml").read_text())
        assert recipe["train"]["seed"] == seed and recipe["data"]["split_seed"] == 3
        assert recipe["train"]["distill_from"] == [] and recipe["train"]["teacher_seeds"] == []
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["distilled_from"] == [str(t) for t in teachers]
    assert metrics["teacher_seeds"] == [3, 4]
    # the student's saved config is the recipe: it names the seeds, not the folders they produced
    recipe = yaml.safe_load((out / "training_config.yaml").read_text())
    assert recipe["train"]["teacher_seeds"] == [3, 4] and recipe["train"]["distill_from"] == []
    assert (
        "Distilled from 2 teacher model(s) (seed-3, seed-4, this config at seeds 3, 4, trained by the same run)"
        in (out / "README.md").read_text()
    )
