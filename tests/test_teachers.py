"""``train.teacher_seeds`` (training/teachers.py): one config trains its teachers, then the distilled student."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from test_training import _config

from training.config import Config, ConfigError, build, load_config
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
    assert teacher.model == config.model and teacher.data.sources == config.data.sources
    pinned = load_config(DEFAULT, {"train.teacher_seeds": "[13]", "data.split_seed": "7"})
    assert teacher_config(pinned, 13).data.split_seed == 7


def test_finished_teachers_are_reused_and_the_student_learns_from_them(tmp_path: Path) -> None:
    config = load_config(DEFAULT, {"train.teacher_seeds": "[13, 14]", "output.dir": str(tmp_path / "s")})
    done = teacher_dir(config, 13)
    done.mkdir(parents=True)
    (done / "config.json").write_text("{}")
    (done / "metrics.json").write_text("{}")
    (teacher_dir(config, 14)).mkdir(parents=True)  # started, not finished: trained again
    trained: list[tuple[int, bool]] = []

    def fake_train(teacher: Config, *, progress: bool | None, resume: bool) -> Path:
        trained.append((teacher.train.seed, resume))
        return Path(teacher.output.dir)

    student = train_teachers(config, fake_train, progress=False, resume=True)
    assert trained == [(14, True)]
    assert student.train.distill_from == [str(done), str(teacher_dir(config, 14))]
    assert student.train.teacher_seeds == []


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
