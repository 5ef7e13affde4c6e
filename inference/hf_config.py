"""``DiplostanceConfig``: ``config.json`` of a model directory as a transformers ``PretrainedConfig``.

Its own module, importing only ``transformers.configuration_utils``, so registering it with ``AutoConfig``
never imports the modeling code (see ``inference.hf_register``).
"""

from __future__ import annotations

from typing import Any

from transformers.configuration_utils import PretrainedConfig

from .modeling import FORMAT_VERSION, MODEL_TYPE, ModelSettings


class DiplostanceConfig(PretrainedConfig):
    """``config.json`` of a diplostance model: the settings under ``diplostance``, the label list per head."""

    model_type = MODEL_TYPE

    def __init__(
        self,
        diplostance: dict[str, Any] | None = None,
        heads: dict[str, list[str]] | None = None,
        format_version: int = FORMAT_VERSION,
        **kwargs: Any,
    ) -> None:
        self.diplostance = dict(diplostance or {})
        self.settings  # noqa: B018 - validates the settings now, naming a bad one
        self.heads = {name: list(labels) for name, labels in (heads or {}).items()}
        self.format_version = format_version
        super().__init__(**kwargs)

    @property
    def settings(self) -> ModelSettings:
        return ModelSettings.from_dict(self.diplostance)
