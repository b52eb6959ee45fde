"""``python -m teachmod.tools.im2rec``: MXNet's ``tools/im2rec.py``, with the same command line.

Two steps, as in MXNet's tutorials and books::

    python -m teachmod.tools.im2rec --list --recursive data/digits images/   # -> data/digits.lst
    python -m teachmod.tools.im2rec --resize 32 --quality 90 data/digits images/  # -> .rec, .idx

``--list`` walks ``root`` and writes ``prefix.lst`` (``index<TAB>label<TAB>path`` per line;
with ``--recursive`` every sub-folder is a class, numbered in sorted order); it shuffles with
``random.seed(100)`` as MXNet does, so the lists are the same. Without ``--list`` every
``prefix*.lst`` is packed into a ``.rec`` and ``.idx`` beside it: each image is read, optionally
centre-cropped to a square and resized (shorter side to ``--resize``, bilinear), and encoded
(``--encoding``, ``--quality``), in ``--num-thread`` threads; records keep the list's order.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator

from ..base import MXNetError
from ..ndarray.utils import write_atomic
from ..recordio import IRHeader, MXIndexedRecordIO, pack

Item = list  # [index, relative path, label, ...]


def list_image(root: str, recursive: bool, exts: list[str]) -> Iterator[tuple[int, str, int]]:
    """(index, path relative to root, label) of every image under ``root``, in sorted order."""
    i = 0
    if recursive:
        classes: dict[str, int] = {}
        for path, dirs, files in os.walk(root, followlinks=True):
            dirs.sort()
            files.sort()
            for fname in files:
                fpath = os.path.join(path, fname)
                if os.path.isfile(fpath) and os.path.splitext(fname)[1].lower() in exts:
                    if path not in classes:
                        classes[path] = len(classes)
                    yield i, os.path.relpath(fpath, root), classes[path]
                    i += 1
        for folder, label in sorted(classes.items(), key=lambda item: item[1]):
            print(os.path.relpath(folder, root), label)
    else:
        for fname in sorted(os.listdir(root)):
            fpath = os.path.join(root, fname)
            if os.path.isfile(fpath) and os.path.splitext(fname)[1].lower() in exts:
                yield i, os.path.relpath(fpath, root), 0
                i += 1


def write_list(path_out: str, image_list: list) -> None:
    """Write ``index<TAB>label(s) as %f<TAB>path`` lines (atomically: all or nothing)."""
    lines = []
    for item in image_list:
        labels = "".join(f"{label:f}\t" for label in item[2:])
        lines.append(f"{item[0]}\t{labels}{item[1]}\n")
    write_atomic(path_out, "".join(lines).encode())


def make_list(args: argparse.Namespace) -> None:
    """The ``--list`` step: write prefix[_chunk][_train|_val|_test].lst."""
    image_list = list(list_image(args.root, args.recursive, args.exts))
    if args.shuffle:
        random.seed(100)
        random.shuffle(image_list)
    chunk_size = (len(image_list) + args.chunks - 1) // args.chunks
    for i in range(args.chunks):
        chunk = image_list[i * chunk_size:(i + 1) * chunk_size]
        suffix = f"_{i}" if args.chunks > 1 else ""
        sep = int(chunk_size * args.train_ratio)
        sep_test = int(chunk_size * args.test_ratio)
        if args.train_ratio == 1.0:
            write_list(args.prefix + suffix + ".lst", chunk)
            continue
        if args.test_ratio:
            write_list(args.prefix + suffix + "_test.lst", chunk[:sep_test])
        if args.train_ratio + args.test_ratio < 1.0:
            write_list(args.prefix + suffix + "_val.lst", chunk[sep_test + sep:])
        write_list(args.prefix + suffix + "_train.lst", chunk[sep_test:sep_test + sep])


def read_list(path_in: str) -> Iterator[Item]:
    """[index, path, label, ...] per line of a .lst file (short lines are reported, skipped)."""
    with open(path_in) as fin:
        for line in fin:
            fields = [field.strip() for field in line.strip().split("\t")]
            if len(fields) < 3:
                print(f"lst should have at least has three parts, but only has {len(fields)} "
                      f"parts for {line.strip()!r}")
                continue
            try:
                yield [int(fields[0]), fields[-1]] + [float(f) for f in fields[1:-1]]
            except ValueError as err:
                print(f"Parsing lst met error for {line.strip()!r}, detail: {err}")


def image_encode(args: argparse.Namespace, item: Item) -> bytes | None:
    """The packed record of one list item, or None (with a message) if the image is broken."""
    from ..image.image import _decode_bgr, _encode_bgr
    from ..image.resize import resize

    fullpath = os.path.join(args.root, item[1])
    label = item[2:] if len(item) > 3 and args.pack_label else item[2]
    header = IRHeader(0, label, item[0], 0)
    try:
        with open(fullpath, "rb") as fin:
            raw = fin.read()
        if args.pass_through:
            return pack(header, raw)
        img = _decode_bgr(raw, args.color)
    except (OSError, MXNetError) as err:
        print(f"imread read blank (None) image for file: {fullpath} ({err})")
        return None
    if args.center_crop:
        rows, cols = img.shape[:2]
        margin = abs(rows - cols) // 2
        img = img[margin:margin + cols] if rows > cols else img[:, margin:margin + rows]
    if args.resize:
        rows, cols = img.shape[:2]
        if rows > cols:
            new_w, new_h = args.resize, rows * args.resize // cols
        else:
            new_w, new_h = cols * args.resize // rows, args.resize
        img = resize(img, new_w, new_h, interp=1)
    return pack(header, _encode_bgr(img, args.quality, args.encoding))


def pack_list(args: argparse.Namespace, fname: str) -> None:
    """Pack the images of one .lst file into the .rec/.idx beside it."""
    print(f"Creating .rec file from {fname} in {os.path.dirname(fname)}")
    items = list(read_list(fname))
    base = os.path.splitext(fname)[0]
    writer = MXIndexedRecordIO(base + ".idx", base + ".rec", "w")
    start = time.time()
    # Pyodide (JupyterLite) cannot start threads: there the images are encoded one by one
    threads = 0 if sys.platform == "emscripten" else max(1, args.num_thread)
    with contextlib.ExitStack() as stack:
        encode = (stack.enter_context(ThreadPoolExecutor(max_workers=threads)).map if threads
                  else map)
        for count, (item, record) in enumerate(
                zip(items, encode(lambda it: image_encode(args, it), items))):
            if record is not None:
                writer.write_idx(item[0], record)
            if count % 1000 == 0:
                print("time:", time.time() - start, " count:", count)
    writer.close()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """MXNet's im2rec arguments."""
    parser = argparse.ArgumentParser(
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description="Create an image list or make a record database by reading from an image "
                    "list")
    parser.add_argument("prefix", help="prefix of input/output lst and rec files.")
    parser.add_argument("root", help="path to folder containing images.")
    cgroup = parser.add_argument_group("Options for creating image lists")
    cgroup.add_argument("--list", action="store_true",
                        help="If this is set im2rec will create image list(s) by traversing "
                             "root folder and output to <prefix>.lst. Otherwise im2rec will "
                             "read <prefix>.lst and create a database at <prefix>.rec")
    cgroup.add_argument("--exts", nargs="+", default=[".jpeg", ".jpg", ".png"],
                        help="list of acceptable image extensions.")
    cgroup.add_argument("--chunks", type=int, default=1, help="number of chunks.")
    cgroup.add_argument("--train-ratio", type=float, default=1.0,
                        help="Ratio of images to use for training.")
    cgroup.add_argument("--test-ratio", type=float, default=0,
                        help="Ratio of images to use for testing.")
    cgroup.add_argument("--recursive", action="store_true",
                        help="If true recursively walk through subdirs and assign an unique "
                             "label to images in each folder. Otherwise only include images in "
                             "the root folder and give them label 0.")
    cgroup.add_argument("--no-shuffle", dest="shuffle", action="store_false",
                        help="If this is passed, im2rec will not randomize the image order in "
                             "<prefix>.lst")
    rgroup = parser.add_argument_group("Options for creating database")
    rgroup.add_argument("--pass-through", action="store_true",
                        help="whether to skip transformation and save image as is")
    rgroup.add_argument("--resize", type=int, default=0,
                        help="resize the shorter edge of image to the newsize, original images "
                             "will be packed by default.")
    rgroup.add_argument("--center-crop", action="store_true",
                        help="specify whether to crop the center image to make it rectangular.")
    rgroup.add_argument("--quality", type=int, default=95,
                        help="JPEG quality for encoding, 1-100; or PNG compression for "
                             "encoding, 1-9")
    rgroup.add_argument("--num-thread", type=int, default=1,
                        help="number of thread to use for encoding. order of images will be "
                             "different from the input list if >1. the input list will be "
                             "modified to match the resulting order.")
    rgroup.add_argument("--color", type=int, default=1, choices=[-1, 0, 1],
                        help="specify the color mode of the loaded image. 1: Loads a color "
                             "image. 0: Loads image in grayscale mode. -1: Loads image as such "
                             "including alpha channel.")
    rgroup.add_argument("--encoding", type=str, default=".jpg", choices=[".jpg", ".png"],
                        help="specify the encoding of the images.")
    rgroup.add_argument("--pack-label", action="store_true",
                        help="Whether to also pack multi dimensional label in the record file")
    args = parser.parse_args(argv)
    args.prefix = os.path.abspath(args.prefix)
    args.root = os.path.abspath(args.root)
    return args


def main(argv: list[str] | None = None) -> None:
    """Run im2rec with MXNet's command line."""
    args = parse_args(argv)
    if args.list:
        make_list(args)
        return
    working_dir = args.prefix if os.path.isdir(args.prefix) else os.path.dirname(args.prefix)
    lists = sorted(os.path.join(working_dir, name) for name in os.listdir(working_dir)
                   if os.path.isfile(os.path.join(working_dir, name)))
    found = False
    for fname in lists:
        if fname.startswith(args.prefix) and fname.endswith(".lst"):
            found = True
            pack_list(args, fname)
    if not found:
        print(f"Did not find and list file with prefix {args.prefix}", file=sys.stderr)


if __name__ == "__main__":
    main()
