"""Teachers trained by the student's own run: ``train.teacher_seeds``, so one config rebuilds a distilled model.

``train.teacher_seeds: [13, 14]`` makes ``diplostance train`` first train the same config at each of those
seeds, on the student's data split and without distillation, into ``<output.dir>/teachers/seed-N``, then the
student with those directories added to ``train.distill_from``. A teacher already finished there (its
``metrics.json`` written) is reused, so a run stopped during the student starts again at the student;
``--resume`` continues a teacher stopped half-way from its checkpoints as it does the student.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from pathlib import Path

from .config import Config

logger = logging.getLogger(__name__)
TEACHERS_DIR = "teachers"


def teacher_dir(config: Config, seed: int) -> Path:
    """Where the student's run trains (or finds) its teacher of ``seed``."""
    return Path(config.output.dir) / TEACHERS_DIR / f"seed-{seed}"


def teacher_config(config: Config, seed: int) -> Config:
    """The student's config as a teacher: ``seed``, the student's data split, no distillation, its own folder."""
    return dataclasses.replace(
        config,
        data=dataclasses.replace(config.data, split_seed=config.split_seed()),
        train=dataclasses.replace(config.train, seed=seed, teacher_seeds=[], distill_from=[]),
        output=dataclasses.replace(config.output, dir=str(teacher_dir(config, seed))),
    )


def is_finished(model_dir: Path) -> bool:
    """A model directory a finished run wrote (its metrics come last)."""
    return (model_dir / "config.json").is_file() and (model_dir / "metrics.json").is_file()


def train_teachers(
    config: Config, train: Callable[..., Path], *, progress: bool | None, resume: bool
) -> Config:
    """Train each of ``config.train.teacher_seeds`` not finished yet (``train`` is ``trainer.train``); the
    student's config with their directories appended to ``train.distill_from`` and no teacher seeds."""
    dirs = []
    for seed in config.train.teacher_seeds:
        path = teacher_dir(config, seed)
        if is_finished(path):
            logger.info("teacher seed %d: reusing the finished model in %s", seed, path)
        else:
            logger.info("teacher seed %d: training into %s", seed, path)
            train(teacher_config(config, seed), progress=progress, resume=resume)
        dirs.append(str(path))
    return dataclasses.replace(
        config,
        train=dataclasses.replace(
            config.train, distill_from=[*config.train.distill_from, *dirs], teacher_seeds=[]
        ),
    )
