"""python -m teachmod.tools.im2rec: MXNet's two steps (list, then pack) on a folder of PNGs."""
from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import teachmod as mx
from teachmod.tools import im2rec


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """root/<class>/<n>.png: 3 classes of 4 images, 10x14 pixels, plus a non-image file."""
    rs = np.random.RandomState(0)
    for label, name in enumerate(["cat", "dog", "eel"]):
        (tmp_path / "root" / name).mkdir(parents=True)
        for n in range(4):
            pixels = np.full((10, 14, 3), 40 * label, np.uint8) + rs.randint(0, 9, (10, 14, 3),
                                                                                dtype=np.uint8)
            Image.fromarray(pixels).save(tmp_path / "root" / name / f"{n}.png")
    (tmp_path / "root" / "cat" / "notes.txt").write_text("not an image")
    return tmp_path


def test_list_then_pack_as_mxnets_tutorial(folder):
    prefix, root = str(folder / "data"), str(folder / "root")
    im2rec.main(["--list", "--recursive", prefix, root])
    lines = (folder / "data.lst").read_text().splitlines()
    expected = [(i, f"{name}/{n}.png", label) for i, (label, name, n) in enumerate(
        (label, name, n) for label, name in enumerate(["cat", "dog", "eel"]) for n in range(4))]
    random.seed(100)
    random.shuffle(expected)  # MXNet's im2rec shuffles the list with seed 100
    assert lines == [f"{i}\t{label:f}\t{path}" for i, path, label in expected]

    im2rec.main(["--resize", "8", "--quality", "95", "--num-thread", "2", "--center-crop",
                 "--encoding", ".png", prefix, root])
    reader = mx.recordio.MXIndexedRecordIO(str(folder / "data.idx"), str(folder / "data.rec"),
                                           "r")
    assert reader.keys == [i for i, _, _ in expected]  # records in the list's order
    for i, path, label in expected:
        header, img = mx.recordio.unpack_img(reader.read_idx(i))
        assert header.label == label and header.id == i
        assert img.shape == (8, 8, 3)  # centre-cropped to 10x10, then resized
        source = np.asarray(Image.open(folder / "root" / path))[:, 2:12, ::-1]
        resized = mx.image.imresize(source, 8, 8, interp=1).asnumpy()
        np.testing.assert_array_equal(img, resized)  # PNG: lossless


def test_the_command_line_and_a_broken_image(folder):
    root = folder / "root"
    (root / "dog" / "9.png").write_bytes(b"broken")
    prefix = str(folder / "all")
    run = [sys.executable, "-m", "teachmod.tools.im2rec"]
    subprocess.run(run + ["--list", "--recursive", "--no-shuffle", prefix, str(root)],
                   check=True, capture_output=True)
    out = subprocess.run(run + [prefix, str(root)], check=True, capture_output=True, text=True)
    assert "imread read blank (None) image for file" in out.stdout and "9.png" in out.stdout
    it = mx.io.ImageRecordIter(path_imgrec=prefix + ".rec", path_imgidx=prefix + ".idx",
                               data_shape=(3, 10, 14), batch_size=12)
    batch = it.next()
    assert batch.label[0].asnumpy().tolist() == [0] * 4 + [1] * 4 + [2] * 4
    means = batch.data[0].asnumpy().mean(axis=(1, 2, 3))
    assert np.all(np.abs(means - 40 * batch.label[0].asnumpy() - 4) < 3)  # JPEG, roughly


def test_train_val_test_split(folder):
    args = ["--list", "--recursive", "--train-ratio", "0.5", "--test-ratio", "0.25",
            str(folder / "split"), str(folder / "root")]
    im2rec.main(args)
    sizes = {part: len((folder / f"split_{part}.lst").read_text().splitlines())
             for part in ("train", "val", "test")}
    assert sizes == {"train": 6, "val": 3, "test": 3}
