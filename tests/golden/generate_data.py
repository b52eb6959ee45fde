"""Golden data for RecordIO, images, ImageRecordIter and MNISTIter from the real MXNet 1.9.1.

Runs under MXNet 1.9.1 only (the teachmod tests never import it); from the repository root::

    TEACHMOD_PYTHON=.venv/bin/python MXNET_MKLDNN_ENABLED=0 \\
        /tmp/mxvenv/bin/python tests/golden/generate_data.py

``TEACHMOD_PYTHON`` is a Python with teachmod's dependencies (Pillow): the script uses it,
with this checkout on its path, for two things MXNet's Python side cannot do without OpenCV's
Python package: encoding the test images, and writing a ``.rec`` file with teachmod, which
MXNet then reads back here. It writes ``tests/golden/data/``:

- ``images/*.png``, ``images/*.jpg``: small test images (made by Pillow, deterministic);
- ``mxnet.rec``, ``mxnet.idx``: the payloads of ``records.json`` written by MXNet's
  ``MXIndexedRecordIO``; ``records.json`` also says whether MXNet read teachmod's file of the
  same payloads back intact (``mxnet_reads_teachmod``) and that file's sha256;
- ``images.rec``, ``images.idx``: the test images packed by MXNet (``recordio.pack``);
- ``image.npz``: MXNet's ``imdecode`` and ``imresize`` of the images, and its
  ``ImageRecordIter`` / ``ImageRecordUInt8Iter`` batches over ``images.rec``;
- ``iters.json``: labels, pads and indices of those batches; ``MNISTIter``'s shuffled order.
"""
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

os.environ.setdefault("MXNET_MKLDNN_ENABLED", "0")

import mxnet as mx  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "data")
MAGIC = struct.pack("<I", 0xCED7230A)


def payloads():
    """Record payloads that exercise dmlc's format: empty, unaligned lengths, the magic number
    at aligned and unaligned offsets, at the ends, twice in a row, and image headers."""
    rs = np.random.RandomState(zlib.crc32(b"records"))
    out = [b"", b"a", b"abc", b"abcd", b"abcde", MAGIC, MAGIC + b"x", b"xyzw" + MAGIC,
           b"xy" + MAGIC + b"zw", MAGIC + MAGIC, b"1234" + MAGIC + b"5678" + MAGIC + b"9",
           rs.bytes(1001)]
    out.append(mx.recordio.pack(mx.recordio.IRHeader(0, 3.0, 7, 0), b"image bytes"))
    out.append(mx.recordio.pack(mx.recordio.IRHeader(0, [1.5, 2.5, -1], 8, 0), b"\x00" * 9))
    return out


def run_teachmod(code):
    python = os.environ.get("TEACHMOD_PYTHON")
    if not python:
        sys.exit("set TEACHMOD_PYTHON to a Python with teachmod's dependencies")
    env = dict(os.environ, PYTHONPATH=ROOT)
    subprocess.run([python, "-c", code], check=True, env=env, cwd=ROOT)


IMAGES_CODE = r"""
import os, zlib
import numpy as np
from PIL import Image
out = os.path.join('tests', 'golden', 'data', 'images')
os.makedirs(out, exist_ok=True)
def picture(name, h, w):
    rs = np.random.RandomState(zlib.crc32(name.encode()))
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x * 255 / w, y * 255 / h, (x + y) * 127 / (h + w) + 60], axis=2)
    return np.clip(base + rs.randint(-40, 40, (h, w, 3)), 0, 255).astype(np.uint8)
Image.fromarray(picture('colour', 24, 32)).save(os.path.join(out, 'colour.png'))
Image.fromarray(picture('tall', 30, 18)).save(os.path.join(out, 'tall.png'))
Image.fromarray(picture('grey', 20, 22)[:, :, 1]).save(os.path.join(out, 'grey.png'))
Image.fromarray(picture('photo', 37, 53)).save(os.path.join(out, 'photo.jpg'), quality=90)
Image.fromarray(picture('small', 12, 14)).save(os.path.join(out, 'small.jpg'), quality=75)
"""

TEACHMOD_WRITE_CODE = r"""
import json, sys
import teachmod as mx
records = [bytes.fromhex(h) for h in json.load(open(sys.argv[1]))]
writer = mx.recordio.MXIndexedRecordIO(sys.argv[2] + '.idx', sys.argv[2] + '.rec', 'w')
for i, record in enumerate(records):
    writer.write_idx(i, record)
writer.close()
"""


def recordio_golden():
    records = payloads()
    writer = mx.recordio.MXIndexedRecordIO(os.path.join(OUT, "mxnet.idx"),
                                           os.path.join(OUT, "mxnet.rec"), "w")
    for i, record in enumerate(records):
        writer.write_idx(i, record)
    writer.close()
    with tempfile.TemporaryDirectory() as tmp:
        listing = os.path.join(tmp, "records.json")
        with open(listing, "w") as f:
            json.dump([r.hex() for r in records], f)
        prefix = os.path.join(tmp, "teachmod")
        run_teachmod(TEACHMOD_WRITE_CODE.replace("sys.argv[1]", repr(listing))
                     .replace("sys.argv[2]", repr(prefix)))
        reader = mx.recordio.MXIndexedRecordIO(prefix + ".idx", prefix + ".rec", "r")
        read_back = [reader.read_idx(i) for i in range(len(records))]
        sequential = mx.recordio.MXRecordIO(prefix + ".rec", "r")
        in_order = [sequential.read() for _ in range(len(records))] + [sequential.read()]
        with open(prefix + ".rec", "rb") as f:
            teachmod_sha = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(OUT, "mxnet.rec"), "rb") as f:
        mxnet_sha = hashlib.sha256(f.read()).hexdigest()
    return {
        "payloads": [r.hex() for r in records],
        "unpacked_labels": [np.asarray(mx.recordio.unpack(r)[0].label).tolist()
                            for r in records[-2:]],
        "mxnet_rec_sha256": mxnet_sha,
        "teachmod_rec_sha256": teachmod_sha,
        "mxnet_reads_teachmod": read_back == records,
        "mxnet_reads_teachmod_in_order": in_order == records + [None],
    }


IMAGE_FILES = ["colour.png", "tall.png", "grey.png", "photo.jpg", "small.jpg"]
RESIZES = [(13, 10), (45, 37), (20, 40)]


def image_golden(arrays):
    for name in IMAGE_FILES:
        with open(os.path.join(OUT, "images", name), "rb") as f:
            buf = f.read()
        key = name.replace(".", "_")
        arrays[f"decode_{key}"] = mx.image.imdecode(buf).asnumpy()
        arrays[f"decode_bgr_{key}"] = mx.image.imdecode(buf, to_rgb=0).asnumpy()
        arrays[f"decode_grey_{key}"] = mx.image.imdecode(buf, flag=0).asnumpy()
    source = mx.image.imdecode(open(os.path.join(OUT, "images", "colour.png"), "rb").read())
    for w, h in RESIZES:
        for interp in range(5):
            arrays[f"resize_{w}x{h}_{interp}"] = mx.image.imresize(source, w, h,
                                                                  interp=interp).asnumpy()
    for size in (10, 40):
        arrays[f"resize_short_{size}"] = mx.image.resize_short(source, size).asnumpy()
    plane = np.random.RandomState(zlib.crc32(b"rotate")).rand(2, 1, 6, 8).astype(np.float32)
    arrays["rotate_in"] = plane
    for name, zoom in (("plain", {}), ("zoom_in", {"zoom_in": True}),
                       ("zoom_out", {"zoom_out": True})):
        arrays[f"rotate_{name}"] = mx.image.imrotate(
            mx.nd.array(plane), mx.nd.array([30, -75]), **zoom).asnumpy()


def pack_images():
    """images.rec: every test image twice (labels i % 3, ids 100 + i)."""
    writer = mx.recordio.MXIndexedRecordIO(os.path.join(OUT, "images.idx"),
                                           os.path.join(OUT, "images.rec"), "w")
    for i, name in enumerate(IMAGE_FILES * 2):
        if name == "grey.png":
            continue  # ImageRecordIter with 3 channels decodes it as colour anyway; keep it short
        with open(os.path.join(OUT, "images", name), "rb") as f:
            header = mx.recordio.IRHeader(0, float(i % 3), 100 + i, 0)
            writer.write_idx(100 + i, mx.recordio.pack(header, f.read()))
    writer.close()


ITER_ARGS = dict(data_shape=(3, 12, 12), batch_size=3, resize=15, mean_r=120, mean_g=110,
                 mean_b=100, std_r=50, std_g=60, std_b=70, scale=2.0, preprocess_threads=1)


def iter_golden(arrays):
    rec = os.path.join(OUT, "images.rec")
    runs = {}
    for name, cls, args in (
            ("round", mx.io.ImageRecordIter, dict(ITER_ARGS)),
            ("noround", mx.io.ImageRecordIter, dict(ITER_ARGS, round_batch=False)),
            ("uint8", mx.io.ImageRecordUInt8Iter,
             dict(data_shape=(3, 12, 12), batch_size=4, preprocess_threads=1))):
        it = cls(path_imgrec=rec, **args)
        epochs = []
        for epoch in range(3):
            batches = []
            for number, batch in enumerate(it):
                batches.append({"label": batch.label[0].asnumpy().tolist(), "pad": batch.pad,
                                "index": batch.index.tolist()})
                if epoch == 0 and (name != "noround" or batch.pad):
                    arrays[f"iter_{name}_{number}"] = batch.data[0].asnumpy()
            epochs.append(batches)
            it.reset()
        runs[name] = {"provide_data": [list(d.shape) for d in it.provide_data],
                      "provide_label": [list(d.shape) for d in it.provide_label],
                      "epochs": epochs}
    return runs


def mnist_golden(tmp):
    """MNISTIter over 1000 2x2 images whose pixels spell their index."""
    n = 1000
    index = np.arange(n)
    pixels = np.stack([index // 256, index % 256, index % 7, np.zeros(n)], 1).astype(np.uint8)
    image, label = os.path.join(tmp, "images"), os.path.join(tmp, "labels")
    with open(image, "wb") as f:
        f.write(struct.pack(">IIII", 2051, n, 2, 2) + pixels.tobytes())
    with open(label, "wb") as f:
        f.write(struct.pack(">II", 2049, n) + (index % 10).astype(np.uint8).tobytes())
    out = {}
    for name, args in (("shuffle10", dict(shuffle=True, seed=10)),
                       ("shuffle0", dict(shuffle=True)),
                       ("part1of3", dict(shuffle=False, num_parts=3, part_index=1)),
                       ("flat", dict(shuffle=False, flat=True))):
        it = mx.io.MNISTIter(image=image, label=label, batch_size=64, silent=True, **args)
        order, labels, shapes = [], [], set()
        for batch in it:
            data = batch.data[0].asnumpy().reshape(64, 4) * 256
            order += (data[:, 0] * 256 + data[:, 1]).round().astype(int).tolist()
            labels += batch.label[0].asnumpy().astype(int).tolist()
            shapes.add(batch.data[0].shape)
        out[name] = {"order": order, "labels": labels, "shapes": sorted(shapes),
                     "provide_data": list(it.provide_data[0].shape),
                     "provide_label": list(it.provide_label[0].shape)}
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    run_teachmod(IMAGES_CODE)
    arrays = {}
    records = recordio_golden()
    image_golden(arrays)
    pack_images()
    runs = iter_golden(arrays)
    with tempfile.TemporaryDirectory() as tmp:
        mnist = mnist_golden(tmp)
    with open(os.path.join(OUT, "records.json"), "w") as f:
        json.dump(records, f, indent=1)
    with open(os.path.join(OUT, "iters.json"), "w") as f:
        json.dump({"image_record_iter": runs, "iter_args": ITER_ARGS, "mnist": mnist}, f)
    np.savez_compressed(os.path.join(OUT, "image.npz"), **arrays)
    print("wrote", sorted(os.listdir(OUT)))


if __name__ == "__main__":
    main()
