"""The ``mx.test_utils`` helpers that download MXNet's example data sets, as MXNet has them.

They download with ``mx.test_utils.download``. Neither MNIST nor CIFAR-10 is bundled with
teachmod: offline, each fails with a message naming the files and the folder to put them in.
"""
from __future__ import annotations

import os
import zipfile

import numpy as np

from ..base import MXNetError
from .mnist_iter import IMAGE_MAGIC, LABEL_MAGIC, MNISTIter, read_idx

__all__ = ["get_mnist", "get_mnist_ubyte", "get_mnist_iterator", "get_cifar10"]

_MNIST_URL = "http://data.mxnet.io/data/mnist/"
_MNIST_GZ = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
             "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")
_MNIST_ZIP = "http://data.mxnet.io/mxnet/data/mnist.zip"
_MNIST_UBYTE = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def _download_all(urls: list[str], dirname: str | None, what: str) -> list[str]:
    from ..test_utils import download

    try:
        return [download(url, dirname=dirname) for url in urls]
    except MXNetError as err:
        where = os.path.abspath(dirname or os.curdir)
        names = ", ".join(url.rsplit("/", 1)[-1] for url in urls)
        raise MXNetError(f"{what}: MNIST is not bundled with teachmod and could not be "
                         f"downloaded ({err}). Download {names} from {urls[0].rsplit('/', 1)[0]}/ "
                         f"(or any MNIST mirror) and put them in {where}") from None


def get_mnist() -> dict[str, np.ndarray]:
    """Download MNIST (from data.mxnet.io, as MXNet) into the current folder and load it.

    Returns
    -------
    dict
        ``train_data`` (60000, 1, 28, 28) float32 in 0..1 (pixels / 255), ``train_label``
        (60000,) int8, and ``test_data``, ``test_label`` with 10000 images.
    """
    paths = _download_all([_MNIST_URL + name for name in _MNIST_GZ], None, "get_mnist")
    out = {}
    for prefix, (label_path, image_path) in zip(("train", "test"), (paths[:2], paths[2:])):
        labels = read_idx(label_path, LABEL_MAGIC, "label", (1, 0))
        images = read_idx(image_path, IMAGE_MAGIC, "image", (1, 0))
        out[f"{prefix}_data"] = images[:, None].astype(np.float32) / 255
        out[f"{prefix}_label"] = labels.astype(np.int8)
    return out


def get_mnist_ubyte() -> None:
    """Download MNIST's four idx files into ./data (from MXNet's mnist.zip), if missing."""
    os.makedirs("data", exist_ok=True)
    if all(os.path.exists(os.path.join("data", name)) for name in _MNIST_UBYTE):
        return
    (zip_path,) = _download_all([_MNIST_ZIP], "data", "get_mnist_ubyte")
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall("data")


def get_mnist_iterator(batch_size: int, input_shape: tuple, num_parts: int = 1,
                       part_index: int = 0) -> tuple[MNISTIter, MNISTIter]:
    """Training and validation ``MNISTIter`` over ./data (downloaded by ``get_mnist_ubyte``).

    ``input_shape`` of length 3 gives (batch, 1, 28, 28) batches, otherwise flat ones.
    """
    get_mnist_ubyte()
    flat = len(input_shape) != 3
    train = MNISTIter(image="data/train-images-idx3-ubyte", label="data/train-labels-idx1-ubyte",
                      input_shape=input_shape, batch_size=batch_size, shuffle=True, flat=flat,
                      num_parts=num_parts, part_index=part_index)
    val = MNISTIter(image="data/t10k-images-idx3-ubyte", label="data/t10k-labels-idx1-ubyte",
                    input_shape=input_shape, batch_size=batch_size, flat=flat,
                    num_parts=num_parts, part_index=part_index)
    return train, val


_CIFAR_ZIP = "http://data.mxnet.io/mxnet/data/cifar10.zip"
_CIFAR_FILES = ("train.rec", "test.rec", "train.lst", "test.lst")


def get_cifar10() -> None:
    """Download CIFAR-10 as RecordIO files into ./data/cifar (MXNet's cifar10.zip), if missing."""
    os.makedirs("data", exist_ok=True)
    if all(os.path.exists(os.path.join("data", "cifar", name)) for name in _CIFAR_FILES):
        return
    (zip_path,) = _download_all([_CIFAR_ZIP], "data", "get_cifar10")
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall("data")
