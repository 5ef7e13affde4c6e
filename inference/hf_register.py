"""Register the diplostance classes with transformers, without importing transformers (or torch) here.

``import inference`` calls :func:`install`. Each registration runs when the transformers module it
extends is first imported (or at once, if it already is), so ``find_countries`` users never load
torch, and after ``import inference``:

- ``AutoConfig.from_pretrained(dir)``  (``transformers.models.auto.configuration_auto``),
- ``AutoModel.from_pretrained(dir)``   (``transformers.models.auto.modeling_auto``),
- ``pipeline("country-stance", model=dir)`` (``transformers.pipelines``)

work with no ``trust_remote_code``. :func:`register_all` registers everything now (it imports transformers).
"""

from __future__ import annotations

import importlib
import importlib.abc
import logging
import sys
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

CONFIG_MODULE = "transformers.models.auto.configuration_auto"
MODELING_MODULE = "transformers.models.auto.modeling_auto"
MODELING_UTILS = "transformers.modeling_utils"
PIPELINES_MODULE = "transformers.pipelines"

logger = logging.getLogger(__name__)
_lock = threading.RLock()
_complete: set[str] = set()  # watched modules whose import has finished
_registered: set[str] = set()


def register_config() -> None:
    from transformers.models.auto.configuration_auto import AutoConfig

    from .hf_config import DiplostanceConfig
    from .modeling import MODEL_TYPE

    AutoConfig.register(MODEL_TYPE, DiplostanceConfig, exist_ok=True)


def register_model() -> None:
    from transformers.models.auto.modeling_auto import AutoModel

    from .hf import DiplostanceConfig, DiplostanceStanceModel

    AutoModel.register(DiplostanceConfig, DiplostanceStanceModel, exist_ok=True)


def register_pipeline() -> None:
    from transformers.models.auto.modeling_auto import AutoModel
    from transformers.pipelines import PIPELINE_REGISTRY

    from .hf_pipeline import TASK, CountryStancePipeline

    if TASK not in PIPELINE_REGISTRY.get_supported_tasks():
        PIPELINE_REGISTRY.register_pipeline(TASK, pipeline_class=CountryStancePipeline, pt_model=AutoModel)


# key -> (registration, the module whose import triggers it, the modules it imports besides).
# A registration runs once its trigger has been imported and none of the others is half-imported: a
# module of transformers can import another in the middle of its own import (modeling_utils imports
# configuration_auto), and a registration run then would meet a half-imported module. A module not
# imported yet is fine: the registration imports it.
REGISTRATIONS: dict[str, tuple[Callable[[], None], str, tuple[str, ...]]] = {
    "config": (register_config, CONFIG_MODULE, ()),
    "model": (register_model, MODELING_MODULE, (CONFIG_MODULE, MODELING_UTILS)),
    "pipeline": (register_pipeline, PIPELINES_MODULE, (CONFIG_MODULE, MODELING_UTILS, MODELING_MODULE)),
}
WATCHED = frozenset(name for _, trigger, others in REGISTRATIONS.values() for name in (trigger, *others))


def _ready(trigger: str, others: tuple[str, ...]) -> bool:
    return trigger in _complete and all(name in _complete or name not in sys.modules for name in others)


def _finished(module_name: str) -> None:
    """``module_name`` has been imported: run the registrations that now have all they need."""
    with _lock:
        _complete.add(module_name)
        for key, (register, trigger, others) in REGISTRATIONS.items():
            if key in _registered or not _ready(trigger, others):
                continue
            _registered.add(key)
            try:
                register()
            except Exception as err:  # never break the user's import of transformers
                logger.warning(
                    "diplostance could not register its %s with transformers (%s: %s); "
                    "inference.hf_register.register_all() shows the full error",
                    key,
                    type(err).__name__,
                    err,
                )


def register_all() -> None:
    """Register config, model and pipeline now (imports transformers and torch); errors propagate."""
    for name in sorted(WATCHED):
        importlib.import_module(name)
    with _lock:
        _complete.update(WATCHED)
        for key, (register, _, _) in REGISTRATIONS.items():
            register()
            _registered.add(key)


class _AfterExec(importlib.abc.Loader):
    """Wraps a module's loader: runs the module, then the registrations waiting for it."""

    def __init__(self, loader: Any, module_name: str) -> None:
        self._loader = loader
        self._module_name = module_name

    def create_module(self, spec: Any) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        _finished(self._module_name)

    def __getattr__(self, name: str) -> Any:  # get_source, is_package, ... of the real loader
        return getattr(self._loader, name)


class _Finder(importlib.abc.MetaPathFinder):
    """Finds nothing itself: for the watched modules it wraps the loader the other finders return."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname not in WATCHED or fullname in _complete:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _AfterExec(spec.loader, fullname)
                return spec
        return None


_finder = _Finder()


def install() -> None:
    """Register now for the transformers modules already imported; watch the others' first import."""
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    for name in sorted(WATCHED):
        if name in sys.modules:
            _finished(name)
