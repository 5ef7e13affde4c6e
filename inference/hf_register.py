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
import importlib.util
import sys
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

CONFIG_MODULE = "transformers.models.auto.configuration_auto"
MODELING_MODULE = "transformers.models.auto.modeling_auto"
PIPELINES_MODULE = "transformers.pipelines"

_done: set[str] = set()
_lock = threading.RLock()


def register_config() -> None:
    from transformers import AutoConfig

    from .hf import DiplostanceConfig
    from .modeling import MODEL_TYPE

    AutoConfig.register(MODEL_TYPE, DiplostanceConfig, exist_ok=True)


def register_model() -> None:
    register_config()
    from transformers import AutoModel

    from .hf import DiplostanceConfig, DiplostanceStanceModel

    AutoModel.register(DiplostanceConfig, DiplostanceStanceModel, exist_ok=True)


def register_pipeline() -> None:
    register_model()
    from transformers import AutoModel
    from transformers.pipelines import PIPELINE_REGISTRY

    from .hf_pipeline import TASK, CountryStancePipeline

    if TASK not in PIPELINE_REGISTRY.get_supported_tasks():
        PIPELINE_REGISTRY.register_pipeline(TASK, pipeline_class=CountryStancePipeline, pt_model=AutoModel)


HOOKS: dict[str, Callable[[], None]] = {
    CONFIG_MODULE: register_config,
    MODELING_MODULE: register_model,
    PIPELINES_MODULE: register_pipeline,
}


def _run(module_name: str) -> None:
    with _lock:
        if module_name in _done:
            return
        _done.add(module_name)
        HOOKS[module_name]()


def register_all() -> None:
    """Register config, model and pipeline now (imports transformers and torch)."""
    for name in HOOKS:
        importlib.import_module(name)
        _run(name)


class _AfterExec(importlib.abc.Loader):
    """Wraps a module's loader: runs the module, then its registration hook."""

    def __init__(self, loader: Any, module_name: str) -> None:
        self._loader = loader
        self._module_name = module_name

    def create_module(self, spec: Any) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        _run(self._module_name)

    def __getattr__(self, name: str) -> Any:  # get_source, is_package, ... of the real loader
        return getattr(self._loader, name)


class _Finder(importlib.abc.MetaPathFinder):
    """Finds nothing itself: for the hooked modules it wraps the loader the other finders return."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname not in HOOKS or fullname in _done:
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
    """Register now for the transformers modules already imported; hook the others' first import."""
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    for name in HOOKS:
        if name in sys.modules:
            _run(name)
