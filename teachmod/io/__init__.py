"""``mx.io``: data iterators and the batch protocol that ``Module.fit`` consumes.

- ``io.py``: ``DataDesc``, ``DataBatch``, ``DataIter``, ``NDArrayIter``, ``ResizeIter``,
  ``PrefetchingIter``
- ``csv_iter.py``: ``CSVIter`` (MXNet's C++ CSV iterator, reproduced in numpy)
- ``mnist_iter.py``: ``MNISTIter`` over MNIST's idx files
- ``image_record_iter.py``: ``ImageRecordIter``, ``ImageRecordUInt8Iter`` over RecordIO images
"""
from .csv_iter import CSVIter
from .image_record_iter import ImageRecordIter, ImageRecordUInt8Iter
from .io import DataBatch, DataDesc, DataIter, NDArrayIter, PrefetchingIter, ResizeIter
from .mnist_iter import MNISTIter

__all__ = ["DataDesc", "DataBatch", "DataIter", "NDArrayIter", "ResizeIter", "PrefetchingIter",
           "CSVIter", "MNISTIter", "ImageRecordIter", "ImageRecordUInt8Iter"]
