"""``mx.contrib.amp.amp`` exists so that code importing it loads; teachmod has no AMP.

Automatic mixed precision rewrites a graph to run chosen operators in float16 on a GPU.
teachmod computes on the CPU in the dtypes it is given; every name asked of this module raises
an AttributeError saying so. To train in float16, give the data and parameters that dtype
(``Module.bind`` with float16 ``DataDesc``) and use ``multi_precision=True`` in the optimizer.
"""
from __future__ import annotations


def __getattr__(attr: str) -> None:
    if attr.startswith("__"):
        raise AttributeError(attr)
    raise AttributeError(f"mx.contrib.amp.{attr}: teachmod has no automatic mixed precision; "
                         f"cast the data and parameters yourself (e.g. DataDesc dtype float16) "
                         f"and use optimizer_params={{'multi_precision': True}}")
