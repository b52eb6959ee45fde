"""``mx.mod``: modules -- the training loop (BaseModule) and its implementation (Module)."""
from .base_module import BaseModule
from .bucketing_module import BucketingModule
from .executor_group import DataParallelExecutorGroup
from .module import Module

__all__ = ["BaseModule", "Module", "DataParallelExecutorGroup", "BucketingModule"]
