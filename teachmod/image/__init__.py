"""``mx.image`` (also ``mx.img``): image decoding, resizing, augmenters and ``ImageIter``.

- ``image.py``: ``imread``, ``imdecode``, ``imresize``, crops, ``color_normalize``, the
  augmenters and ``CreateAugmenter``
- ``resize.py``: OpenCV's resize arithmetic in numpy
- ``image_iter.py``: ``ImageIter`` over a ``.rec`` file or an image list
- ``detection.py`` (also ``mx.image.det``): detection augmenters and ``ImageDetIter``
"""
from . import detection, image
from . import detection as det
from .detection import *  # noqa: F403 (ImageDetIter, CreateDetAugmenter, the Det*Aug)
from .detection import __all__ as _detection_all
from .image import *  # noqa: F403 (the names in image.__all__ are mx.image's API)
from .image import __all__ as _image_all
from .image_iter import ImageIter

__all__ = [*_image_all, "ImageIter", "image", *_detection_all, "detection", "det"]
