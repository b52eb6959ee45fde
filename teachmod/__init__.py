"""teachmod: Apache MXNet 1.x's Symbol/Module API in plain numpy, for learning.

``import teachmod as mx`` and MXNet 1.x symbolic code runs unchanged: ``mx.sym``, ``mx.nd``,
``mx.mod.Module``, ``mx.io``, ``mx.init``, ``mx.optimizer``, ``mx.metric``, ``mx.callback``,
``mx.model``, ``mx.viz``. Every operator is short numpy in ``teachmod/ops/``.
"""
from __future__ import annotations

import importlib
import sys
from typing import Any

from . import base, name, ndarray, random, symbol
from .attribute import AttrScope
from .base import MXNetError
from .context import Context, cpu, cpu_pinned, current_context, gpu, num_gpus
from .util import is_np_shape, np_shape, set_np_shape, use_np_shape

__version__ = "0.1.0"

if sys.platform == "emscripten":  # in a browser (JupyterLite): Graphviz drawn by viz-js
    from .lite import _pyodide

nd = ndarray
sym = symbol
attribute = importlib.import_module(".attribute", __name__)
context = importlib.import_module(".context", __name__)

# Submodules imported on first use, so `import teachmod` stays fast.
_LAZY = {
    "io": "io", "mod": "module", "module": "module", "init": "initializer",
    "initializer": "initializer", "optimizer": "optimizer", "metric": "metric",
    "callback": "callback", "model": "model", "viz": "visualization",
    "visualization": "visualization", "test_utils": "test_utils",
    "lr_scheduler": "lr_scheduler", "executor": "executor", "registry": "registry",
    "notebook": "notebook", "monitor": "monitor", "mon": "monitor", "kvstore": "kvstore",
    "kv": "kvstore", "operator": "operator", "gluon": "gluon", "contrib": "contrib",
    "autograd": "autograd", "runtime": "runtime", "util": "util",
    "recordio": "recordio", "image": "image", "img": "image",
    "rnn": "rnn",
}

__all__ = [
    "MXNetError", "Context", "cpu", "gpu", "cpu_pinned", "current_context", "num_gpus",
    "AttrScope", "nd", "ndarray", "sym", "symbol", "name", "attribute", "random", "base",
    "context", "np_shape", "is_np_shape", "set_np_shape", "use_np_shape", *_LAZY,
]


def __getattr__(attr: str) -> Any:
    if attr in _LAZY:
        full_name = f"{__name__}.{_LAZY[attr]}"
        try:
            module = importlib.import_module(full_name)
        except ModuleNotFoundError as err:
            if err.name != full_name:  # the module exists but something it imports is missing
                raise
            # hasattr(mx, 'kv') must answer False, not crash, while a module is not written yet
            raise AttributeError(f"module 'teachmod' has no attribute {attr!r} "
                                 f"(teachmod has no {full_name} module)") from None
        globals()[attr] = module
        return module
    raise AttributeError(f"module 'teachmod' has no attribute {attr!r}")
