"""The model directory as Hugging Face classes: ``DiplostanceConfig`` + ``DiplostanceStanceModel``.

Registered with ``AutoConfig`` / ``AutoModel`` under ``model_type: diplostance-stance`` when
transformers is imported after ``import inference`` (see ``inference.hf_register``), so::

    import inference
    from transformers import AutoConfig, AutoModel
    model = AutoModel.from_pretrained("path/to/model")      # no trust_remote_code
    model.save_pretrained("copy")                          # the same small layout
    model.push_to_hub("user/name")                         # with its model card

The directory keeps its small layout (``config.json``, ``heads.safetensors``, ``adapter/`` over the
base encoder named in the config, or a full ``encoder/``): the classes read and write it through
:class:`inference.modeling.StanceModel`, so every directory that loads there loads here (format 1 and 2).
``AutoModel.from_pretrained`` folds the adapter into the encoder weights for inference but keeps it, so
``save_pretrained`` writes the adapter again; pass ``merge=False`` to keep it separate (to train it).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import torch
from transformers.modeling_utils import PreTrainedModel

from .hf_config import DiplostanceConfig
from .modeling import StanceModel, load_encoder

logger = logging.getLogger(__name__)

__all__ = ["DiplostanceConfig", "DiplostanceStanceModel"]

# Written by training next to the weights; carried into a copy of the directory and pushed with it.
CARD_FILES = ("README.md", "metrics.json", "training_config.yaml", "data.json")
# Keyword arguments transformers' Auto classes and pipelines pass along; they mean nothing to this layout.
_IGNORED_LOAD_KWARGS = {
    "_from_auto",
    "_from_pipeline",
    "adapter_kwargs",
    "trust_remote_code",
    "code_revision",
    "cache_dir",
    "force_download",
    "local_files_only",
    "proxies",
    "revision",
    "subfolder",
    "token",
    "use_safetensors",
    "low_cpu_mem_usage",
}


class DiplostanceStanceModel(PreTrainedModel):
    """A :class:`~inference.modeling.StanceModel` (``self.stance``) as a ``PreTrainedModel``.

    ``forward`` takes the tensors of ``inference.encoding.encode`` and returns ``{head: logits}``.
    ``self.tokenizer`` is the base encoder's tokenizer (the pipeline reads it).
    """

    config_class = DiplostanceConfig
    base_model_prefix = "stance"
    main_input_name = "input_ids"
    _no_split_modules: list[str] = []

    def __init__(self, config: DiplostanceConfig, stance: StanceModel | None = None, tokenizer: Any = None):
        super().__init__(config)
        if stance is None:  # from_config: the base encoder's pretrained weights, untrained heads
            from transformers import AutoTokenizer

            from .encoder import resolve_encoder

            encoder_dir = resolve_encoder(config.settings.base_encoder)
            settings = config.settings
            encoder = load_encoder(encoder_dir, dropout=settings.dropout, layers=settings.encoder_layers)
            stance = StanceModel(encoder, settings)
            tokenizer = AutoTokenizer.from_pretrained(encoder_dir, trust_remote_code=False)
        self.stance = stance
        self.tokenizer = tokenizer

    def _init_weights(self, module: torch.nn.Module) -> None:  # weights come from StanceModel
        return None

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, **inputs: Any):
        return self.stance(input_ids=input_ids, attention_mask=attention_mask, **inputs)

    @classmethod
    def from_pretrained(
        cls,
        pretrained_model_name_or_path: str | os.PathLike[str],
        *model_args: Any,
        config: DiplostanceConfig | None = None,
        merge: bool = True,
        dtype: Any = None,
        torch_dtype: Any = None,
        device_map: Any = None,
        **kwargs: Any,
    ) -> DiplostanceStanceModel:
        """Load a model directory (or hub repo id) in any diplostance format.

        ``merge``: fold the LoRA adapter into the encoder weights (fast inference; ``save_pretrained``
        still writes the adapter); ``merge=False`` keeps it separate and trainable. ``dtype`` casts the
        weights (``"auto"``: as saved, fp32); ``device_map`` may name one device (``"cuda"``, ``"cpu"``).
        """
        if model_args:
            raise TypeError(
                f"{cls.__name__}.from_pretrained takes no positional model arguments, got {model_args!r}"
            )
        unknown = sorted(k for k in kwargs if k not in _IGNORED_LOAD_KWARGS)
        if unknown:
            raise TypeError(
                f"{cls.__name__}.from_pretrained got unexpected argument(s) {unknown}; it takes "
                "merge=, dtype= and device_map= (one device)"
            )
        if kwargs.get("trust_remote_code"):
            logger.info("trust_remote_code is not needed for diplostance models; no remote code is run")
        from .modeling import _local_model_dir

        path = _local_model_dir(pretrained_model_name_or_path)
        stance, tokenizer = StanceModel.from_pretrained(path, merge=False, trainable_adapter=not merge)
        if merge and hasattr(stance.encoder, "merge_adapter"):
            stance.encoder.merge_adapter()  # the adapter stays in the model, so save_pretrained writes it
        if config is None:
            config = DiplostanceConfig.from_pretrained(path)
        model = cls(config, stance=stance, tokenizer=tokenizer)
        model.name_or_path = str(pretrained_model_name_or_path)
        model._source_dir = path
        dtype = dtype if dtype is not None else torch_dtype
        if dtype not in (None, "auto"):
            model.to(getattr(torch, dtype) if isinstance(dtype, str) else dtype)
        if device_map is not None:
            if not isinstance(device_map, str | torch.device) or device_map == "auto":
                raise ValueError(
                    f"device_map={device_map!r}; a diplostance model is small: name one device "
                    "(device_map='cuda' or 'cpu'), or load it and call .to(device)"
                )
            from .devices import resolve_device

            model.to(resolve_device(device_map))
        return model.eval()

    def save_pretrained(self, save_directory: str | os.PathLike[str], **kwargs: Any) -> None:
        """Write the small layout (adapter + heads, or ``encoder/`` when there is no adapter), plus the
        model card and metrics of the directory this model was loaded from."""
        out = Path(save_directory)
        if out.is_file():
            raise ValueError(f"save_pretrained({out}): that is a file; give a directory")
        if hasattr(self.stance.encoder, "peft_config"):
            self.stance.save_pretrained(out, encoder_format="lora")
        else:
            self.stance.save_pretrained(out, tokenizer=self.tokenizer, encoder_format="full")
        source = getattr(self, "_source_dir", None)
        if source is not None and Path(source).resolve() != out.resolve():
            for name in CARD_FILES:
                if (Path(source) / name).is_file():
                    shutil.copyfile(Path(source) / name, out / name)

    def push_to_hub(
        self,
        repo_id: str,
        *,
        commit_message: str = "Upload diplostance model",
        private: bool | None = None,
        token: str | bool | None = None,
        revision: str | None = None,
        create_pr: bool = False,
        **_: Any,
    ) -> Any:
        """Upload the directory ``save_pretrained`` writes, model card (with ``model-index``) included.

        (transformers' own ``push_to_hub`` would replace the card with a generic one.)
        """
        from huggingface_hub import HfApi

        api = HfApi(token=token if isinstance(token, str) else None)
        repo_id = api.create_repo(repo_id, private=private, exist_ok=True).repo_id
        with tempfile.TemporaryDirectory() as tmp:
            self.save_pretrained(tmp)
            return api.upload_folder(
                repo_id=repo_id,
                folder_path=tmp,
                commit_message=commit_message,
                revision=revision,
                create_pr=create_pr,
            )
