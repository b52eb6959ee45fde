"""``mx.mod``: modules -- the training loop (BaseModule) and its implementation (Module)."""
from .base_module import BaseModule
from .executor_group import DataParallelExecutorGroup
from .module import Module

__all__ = ["BaseModule", "Module", "DataParallelExecutorGroup"]
