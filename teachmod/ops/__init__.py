"""Operators, one file each. Importing this package registers every operator in it."""
from __future__ import annotations

import importlib
import pkgutil

from .registry import Operator, Param, all_names, get, register

__all__ = ["Operator", "Param", "register", "get", "all_names"]

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "registry":
        importlib.import_module(f"{__name__}.{_module.name}")
