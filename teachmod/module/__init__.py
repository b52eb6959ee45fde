"""``mx.mod``: modules -- the training loop (BaseModule), its implementation for a symbol
(Module), chains of modules (SequentialModule) and modules written in Python."""
from .base_module import BaseModule
from .bucketing_module import BucketingModule
from .executor_group import DataParallelExecutorGroup
from .module import Module
from .python_module import PythonLossModule, PythonModule
from .sequential_module import SequentialModule

__all__ = ["BaseModule", "Module", "DataParallelExecutorGroup", "SequentialModule",
           "PythonModule", "PythonLossModule", "BucketingModule"]
