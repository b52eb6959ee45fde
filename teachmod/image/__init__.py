"""``mx.image`` (also ``mx.img``): image decoding, resizing, augmenters and ``ImageIter``.

- ``image.py``: ``imread``, ``imdecode``, ``imresize``, crops, ``color_normalize``, the
  augmenters and ``CreateAugmenter``
- ``resize.py``: OpenCV's resize arithmetic in numpy
- ``image_iter.py``: ``ImageIter`` over a ``.rec`` file or an image list
"""
from . import image
from .image import *  # noqa: F403 (the names in image.__all__ are mx.image's API)
from .image import __all__ as _image_all
from .image_iter import ImageIter

__all__ = [*_image_all, "ImageIter", "image"]
