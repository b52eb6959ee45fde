"""``mx.contrib.amp``: automatic mixed precision, which teachmod does not do (see ``amp.py``)."""
from . import amp

__all__ = ["amp"]
