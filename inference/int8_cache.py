"""A model's calibrated int8 encoder, computed once and kept in the user's cache.

Calibrating (``inference.quantize``: the encoder reads the 512 sentences of ``int8_calibration.txt`` in
fp32, then GPTQ rounds every linear layer) takes about half a minute on two cores. The result is written
to

    <cache>/int8/<key>.safetensors

(``<cache>``: ``DIPLOSTANCE_CACHE``, else ``$XDG_CACHE_HOME/diplostance``, else ``~/.cache/diplostance``),
and later loads of the same model read it instead. ``key`` hashes the quantisation's format, the
calibration text, the model directory's files (``describe_model``'s ``weights_sha256``) and the identity of
the base encoder's weight files (name, size, modification time). Set ``DIPLOSTANCE_INT8_CACHE=0`` to
calibrate at every load (nothing is written); a cache that cannot be written is skipped with a log line.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from pathlib import Path

from safetensors.torch import load_file, save_file

from .cache_files import cache_enabled as cache_switch
from .cache_files import replace_atomically, weights_identity

logger = logging.getLogger(__name__)

# 3: calibration statistics from real tokens only (the packed forward, inference.packed); 2 counted the
# padding tokens of each calibration batch too
FORMAT = "diplostance-int8-gptq-3"
CALIBRATION_FILE = Path(__file__).with_name("int8_calibration.txt")


def cache_enabled() -> bool:
    return cache_switch("DIPLOSTANCE_INT8_CACHE")


def calibration_texts(file: Path = CALIBRATION_FILE) -> list[str]:
    return [line for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]


def int8_key(model_sha256: str, encoder_dir: str | None, file: Path = CALIBRATION_FILE) -> str:
    """Hex key of (format, calibration text, model files, base encoder weight files)."""
    from .quantize import OUTLIER_SHARE, WEIGHT_LEVELS

    digest = hashlib.sha256(f"{FORMAT}:{WEIGHT_LEVELS}:{OUTLIER_SHARE}".encode())
    digest.update(file.read_bytes())
    digest.update(model_sha256.encode())
    local = Path(encoder_dir) if encoder_dir else None
    if local is not None and local.is_dir():
        digest.update(weights_identity(local))
    else:
        digest.update(str(encoder_dir).encode())
    return digest.hexdigest()[:24]


def cache_file(key: str) -> Path:
    from .encoder import cache_dir

    return cache_dir() / "int8" / f"{key}.safetensors"


def calibration_items(texts: Sequence[str]) -> list:
    """The calibration sentences as model inputs, each with the countries it names as targets."""
    from .countries import find_countries
    from .encoding import EncodedItem

    items = []
    for text in texts:
        spans: dict[str, list[tuple[int, int]]] = {}
        for match in find_countries(text):
            spans.setdefault(match.country, []).append((match.start, match.end))
        items.append(EncodedItem(text, list(spans.values())))
    return items


def quantize_classifier(classifier, key: str | None) -> str:
    """Put ``classifier``'s encoder into calibrated int8, from the cache file of ``key`` where there is
    one (``key`` None: no cache). Returns where the layers came from: ``"cache"`` or ``"calibrated"``."""
    from .quantize import load_quantized, quantize_encoder, quantized_state

    encoder = classifier.model.encoder
    file = cache_file(key) if key and cache_enabled() else None
    if file is not None and file.is_file():
        try:
            if load_quantized(encoder, load_file(str(file))):
                logger.debug("int8 encoder read from %s", file)
                return "cache"
            logger.warning("int8 cache %s does not fit this encoder; calibrating again", file)
        except Exception as err:  # noqa: BLE001 - a truncated or foreign file (SafetensorError...)
            logger.warning("ignoring int8 cache %s (%s); calibrating again", file, err)
    started = time.perf_counter()
    logger.info("calibrating the int8 encoder on %s (once per model; cached)", CALIBRATION_FILE.name)
    items = calibration_items(calibration_texts())
    quantize_encoder(encoder, calibrate=lambda: classifier._forward(items))
    logger.info("int8 calibration took %.1f s", time.perf_counter() - started)
    if file is not None:
        tensors = quantized_state(encoder)
        try:
            replace_atomically(file, lambda tmp: save_file(tensors, tmp, metadata={"format": FORMAT}))
        except OSError as err:
            logger.info(
                "could not cache the int8 encoder at %s (%s); it is calibrated at every load", file, err
            )
    return "calibrated"


__all__ = ["cache_enabled", "cache_file", "calibration_texts", "int8_key", "quantize_classifier"]
