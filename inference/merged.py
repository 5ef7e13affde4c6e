"""A cached merged copy of a LoRA adapter's layers, so loading a model skips peft and the merge.

Loading a model directory with ``adapter/`` used to import peft, wrap the base encoder, and fold the
adapter into it (``merge_and_unload``) at every start: about a third of the start-up of
``diplostance score`` on a small archive (benchmarks/results/startup.md). The first load still does
that; it then writes the merged weights of the layers the adapter touches (the other weights are the
base encoder's own) to

    <base encoder dir>.merged/<key>.safetensors

next to the base encoder. ``key`` hashes the adapter's files (config and weights), the identity of
the base encoder's weight files (name, size, modification time) and the base layers the model keeps
(``encoder_layers``: a student with 6 of 12 layers and the full model never share a file), so a
retrained adapter, a rebuilt base encoder or other kept layers get a new file. Later loads read the base encoder and put these tensors in place:
the same numbers, bit for bit, as peft's merge.

Set ``DIPLOSTANCE_MERGED_CACHE=0`` to always merge in memory (nothing is written). A cache folder that
cannot be written is skipped with a log line; the load then merges in memory as before.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

from safetensors.torch import load_file, save_file
from torch import nn

from .cache_files import cache_enabled as cache_switch
from .cache_files import replace_atomically, weights_identity

logger = logging.getLogger(__name__)

FORMAT = "diplostance-merged-lora-1"
_PEFT_PREFIX = "base_model.model."


def cache_enabled() -> bool:
    return cache_switch("DIPLOSTANCE_MERGED_CACHE")


def adapter_key(adapter_dir: Path, encoder_dir: Path, layers: Sequence[int] | None = None) -> str | None:
    """Hex key of (adapter files, base encoder weights, kept base layers; None: all), or None for an
    adapter this cache cannot hold (not plain LoRA)."""
    config_file = adapter_dir / "adapter_config.json"
    weights_file = adapter_dir / "adapter_model.safetensors"
    if not (config_file.is_file() and weights_file.is_file()):
        return None
    config = json.loads(config_file.read_text(encoding="utf-8"))
    if config.get("peft_type") != "LORA":
        return None
    digest = hashlib.sha256(FORMAT.encode())
    for file in (config_file, weights_file):
        digest.update(file.read_bytes())
    digest.update(weights_identity(encoder_dir))
    if layers is not None:  # None adds nothing: the keys of models with all layers stay as they were
        digest.update(f"layers:{','.join(map(str, layers))}".encode())
    return digest.hexdigest()[:24]


def cache_file(encoder_dir: Path, key: str) -> Path:
    return encoder_dir.with_name(encoder_dir.name + ".merged") / f"{key}.safetensors"


def adapted_modules(adapter_dir: Path) -> list[str]:
    """Names (in the base encoder) of the modules the LoRA adapter changes."""
    from safetensors import safe_open

    names: set[str] = set()
    with safe_open(str(adapter_dir / "adapter_model.safetensors"), framework="pt") as fh:
        for key in fh.keys():  # noqa: SIM118 - safe_open has no __iter__
            module, sep, _ = key.partition(".lora_")
            if sep:
                names.add(module.removeprefix(_PEFT_PREFIX))
    return sorted(names)


def load_cached(encoder: nn.Module, file: Path) -> bool:
    """Put the merged tensors of ``file`` into ``encoder`` (the base encoder); False if ``file`` is
    missing or does not fit this encoder (then ``encoder`` is left as it was)."""
    if not file.is_file():
        return False
    try:
        tensors = load_file(str(file))
    except Exception as err:  # noqa: BLE001 - a truncated or foreign file (SafetensorError...): merge again
        logger.warning("ignoring merged-adapter cache %s (%s); merging in memory", file, err)
        return False
    own = encoder.state_dict()
    if not tensors or any(k not in own or own[k].shape != v.shape for k, v in tensors.items()):
        logger.warning("merged-adapter cache %s does not fit the encoder; merging in memory", file)
        return False
    encoder.load_state_dict(tensors, strict=False, assign=True)
    return True


def save_cached(encoder: nn.Module, modules: list[str], file: Path) -> None:
    """Write the merged weights of ``modules`` of ``encoder`` to ``file`` (atomically; errors logged)."""
    state = encoder.state_dict()
    tensors = {
        f"{m}.{p}": state[f"{m}.{p}"].detach().contiguous().clone()
        for m in modules
        for p in ("weight", "bias")
        if f"{m}.{p}" in state
    }
    if not tensors:
        return
    try:
        replace_atomically(file, lambda tmp: save_file(tensors, tmp, metadata={"format": FORMAT}))
    except OSError as err:
        logger.info("could not cache the merged adapter at %s (%s); it is merged at every load", file, err)


def load_adapted_encoder(
    encoder: nn.Module, encoder_dir: str, adapter_dir: Path, *, layers: Sequence[int] | None = None
) -> nn.Module:
    """``encoder`` with the LoRA adapter of ``adapter_dir`` merged in, from the cache where possible.

    ``layers``: the base layers ``encoder`` keeps (``ModelSettings.encoder_layers``), part of the key."""
    local = Path(encoder_dir)
    key = adapter_key(adapter_dir, local, layers) if cache_enabled() and local.is_dir() else None
    file = cache_file(local, key) if key else None
    if file is not None and load_cached(encoder, file):
        logger.debug("merged adapter read from %s", file)
        return encoder
    from peft import PeftModel

    merged = PeftModel.from_pretrained(encoder, str(adapter_dir)).merge_and_unload()
    if file is not None:
        save_cached(merged, adapted_modules(adapter_dir), file)
    return merged


__all__ = ["adapter_key", "cache_file", "load_adapted_encoder", "load_cached", "save_cached"]
