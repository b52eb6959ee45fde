"""``mx.io``: data iterators and the batch protocol that ``Module.fit`` consumes.

- ``io.py``: ``DataDesc``, ``DataBatch``, ``DataIter``, ``NDArrayIter``, ``ResizeIter``,
  ``PrefetchingIter``
- ``csv_iter.py``: ``CSVIter`` (MXNet's C++ CSV iterator, reproduced in numpy)
"""
from .csv_iter import CSVIter
from .io import DataBatch, DataDesc, DataIter, NDArrayIter, PrefetchingIter, ResizeIter

__all__ = ["DataDesc", "DataBatch", "DataIter", "NDArrayIter", "ResizeIter", "PrefetchingIter",
           "CSVIter"]
