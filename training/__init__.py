"""diplostance training: fine-tune the stance model from a YAML config.

from training import load_config, train
model_dir = train(load_config("configs/default.yaml", {"train.epochs": "1"}))
"""

from .config import Config, ConfigError, load_config

__all__ = ["Config", "ConfigError", "load_config", "train"]


def __getattr__(name: str):
    if name == "train":
        from .trainer import train

        return train
    raise AttributeError(name)
