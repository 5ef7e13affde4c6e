"""Teachers trained by the student's own run: ``train.teacher_seeds``, so one config rebuilds a distilled model.

``train.teacher_seeds: [13, 14]`` makes ``diplostance train`` first train the same config at each of those
seeds, on the student's data split and without distillation, into ``<output.dir>/teachers/seed-N``, then the
student with those directories added to ``train.distill_from``. A teacher already finished there (its
``metrics.json`` written) is reused, so a run stopped during the student starts again at the student;
``--resume`` continues a teacher stopped half-way from its checkpoints as it does the student. A finished model
there is reused only if it is that teacher: trained by the same config at that seed (but the folder and the
thresholds calibration fits, which a teacher's probabilities do not use) on files of the same content; any
other is refused by name, since a student distilled from it would not be what its recipe says.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from pathlib import Path

from .config import CALIBRATION_KEYS, RUNTIME_KEYS, Config, ConfigError, SourceConfig, TrainConfig
from .data import source_files
from .seed_spread import config_differences, data_differences, data_files, run_config, shown_differences

logger = logging.getLogger(__name__)
TEACHERS_DIR = "teachers"
# What may differ between a finished model found in a teacher's folder and the teacher the config trains: the
# folders (the data's contents are compared instead), where and how visibly it ran (config.RUNTIME_KEYS), and the
# thresholds calibration fits (a teacher gives its temperature-scaled probabilities, without thresholds).
REUSE_FREE = (
    "output.dir",
    "data.shared",
    *RUNTIME_KEYS,
    *(f"train.{key}" for key in CALIBRATION_KEYS if key != "calibrate"),
)


def teacher_dir(config: Config, seed: int) -> Path:
    """Where the student's run trains (or finds) its teacher of ``seed``."""
    return Path(config.output.dir) / TEACHERS_DIR / f"seed-{seed}"


def teacher_config(config: Config, seed: int) -> Config:
    """The student's config as a teacher: ``seed``, the student's data split, no distillation, its own folder.

    The student's distillation settings (``distill_weight``, ``distill_heads``, each source's ``distill``) go back
    to their defaults: a teacher learns from gold labels alone, so they would change nothing but its record, and a
    plain run of the same recipe at that seed is then that teacher."""
    train, source = TrainConfig(), SourceConfig()
    return dataclasses.replace(
        config,
        data=dataclasses.replace(
            config.data,
            split_seed=config.split_seed(),
            sources=[dataclasses.replace(s, distill=source.distill) for s in config.data.sources],
        ),
        train=dataclasses.replace(
            config.train,
            seed=seed,
            teacher_seeds=[],
            distill_from=[],
            distill_weight=train.distill_weight,
            distill_heads=list(train.distill_heads),
        ),
        output=dataclasses.replace(config.output, dir=str(teacher_dir(config, seed))),
    )


def is_finished(model_dir: Path) -> bool:
    """A model directory a finished run wrote (its metrics come last)."""
    return (model_dir / "config.json").is_file() and (model_dir / "metrics.json").is_file()


def check_reusable(path: Path, config: Config, seed: int) -> None:
    """Raise :class:`ConfigError` unless the finished model in ``path`` is ``config``'s teacher of ``seed``:
    the same config (but :data:`REUSE_FREE`) and data files of the same content."""
    fix = f"delete {path} to train that teacher again, or give the student another output.dir"
    try:
        found = run_config(path)
        trained_on = data_files(path)
    except ConfigError as err:
        raise ConfigError(
            f"teacher seed {seed}: cannot check the finished model in {path} ({err}); {fix}"
        ) from None
    differences = config_differences(found, teacher_config(config, seed).to_dict(), free=REUSE_FREE)
    if differences:
        raise ConfigError(
            f"teacher seed {seed}: {path} holds a model trained by another config than this one at seed {seed} "
            f"(found != expected: {shown_differences(differences)}); {fix}"
        )
    ours = {source.name: sorted(source_files(config, source).values()) for source in config.data.sources}
    theirs = {name: sorted(files.values()) for name, files in trained_on.items()}
    changed = data_differences(ours, theirs)
    if changed:
        raise ConfigError(
            f"teacher seed {seed}: {path} was trained on other data than this config reads (source(s) "
            f"{', '.join(changed)}: files or their contents differ, see its data.json); {fix}"
        )


def train_teachers(
    config: Config, train: Callable[..., Path], *, progress: bool | None, resume: bool
) -> Config:
    """Train each of ``config.train.teacher_seeds`` not finished yet (``train`` is ``trainer.train``); the
    student's config with their directories appended to ``train.distill_from`` and no teacher seeds."""
    dirs = []
    for seed in config.train.teacher_seeds:
        path = teacher_dir(config, seed)
        if is_finished(path):
            check_reusable(path, config, seed)
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
