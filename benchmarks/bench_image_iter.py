"""Images per second through ImageRecordIter: teachmod beside MXNet 1.9.1, 1 and 2 threads.

The work per image is a training pipeline's: decode a JPEG (500x375), resize the shorter side
to 224, random 224x224 crop, random mirror, subtract the mean and divide by the std. Both
iterators read the same ``.rec`` file (written by teachmod, which MXNet reads as its own), in
one run; each figure is the best of ``--rounds`` epochs after a warm-up epoch. MXNet runs in its
own interpreter, ``$MXNET_PYTHON`` (default /work/mxvenv/bin/python); the bench says whether it
found it. The issue's goals: at least half of MXNet's rate at the same thread count, and at
least 1.6x from the second thread.

Run: ``python benchmarks/bench_image_iter.py [--images 256] [--rounds 3]``
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import teachmod as mx  # noqa: E402

logging.getLogger().setLevel(logging.WARNING)

ITER_ARGS = dict(data_shape=(3, 224, 224), batch_size=32, resize=224, rand_crop=True,
                 rand_mirror=True, mean_r=123.68, mean_g=116.28, mean_b=103.53, std_r=58.395,
                 std_g=57.12, std_b=57.375)

# Runs in MXNet's interpreter: argv = rec path, rounds, json of the iterator's arguments.
MXNET_SCRIPT = r"""
import json, sys, time
import mxnet as mx
rec, rounds, args = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
args['data_shape'] = tuple(args['data_shape'])
out = {}
for threads in (1, 2):
    it = mx.io.ImageRecordIter(path_imgrec=rec, preprocess_threads=threads, **args)
    best = 0.0
    for round in range(rounds + 1):
        it.reset()
        tic, count = time.perf_counter(), 0
        for batch in it:
            batch.data[0].wait_to_read()
            count += batch.data[0].shape[0] - batch.pad
        if round:  # round 0 warms up
            best = max(best, count / (time.perf_counter() - tic))
    out[threads] = best
print(json.dumps(out))
"""


def make_rec(folder: str, count: int) -> str:
    """A .rec of ``count`` 500x375 JPEG photos-alike (smooth colour plus noise), quality 90."""
    rs = np.random.RandomState(0)
    y, x = np.mgrid[0:375, 0:500]
    path = os.path.join(folder, "bench.rec")
    with mx.recordio.MXRecordIO(path, "w") as writer:
        for i in range(count):
            phase = rs.rand(3) * 6
            base = np.stack([127 + 100 * np.sin(x / 40 + phase[c]) * np.cos(y / 55 + phase[c])
                             for c in range(3)], axis=2)
            img = np.clip(base + rs.randint(-20, 20, base.shape), 0, 255).astype(np.uint8)
            writer.write(mx.recordio.pack_img((0, float(i % 10), i, 0), img, quality=90))
    return path


def teachmod_rate(rec: str, threads: int, rounds: int) -> float:
    it = mx.io.ImageRecordIter(path_imgrec=rec, preprocess_threads=threads, **ITER_ARGS)
    best = 0.0
    for round_number in range(rounds + 1):
        it.reset()
        tic, count = time.perf_counter(), 0
        for batch in it:
            count += batch.data[0].shape[0] - batch.pad
        if round_number:  # round 0 warms up
            best = max(best, count / (time.perf_counter() - tic))
    return best


def mxnet_rates(rec: str, rounds: int) -> dict[int, float] | None:
    python = os.environ.get("MXNET_PYTHON", "/work/mxvenv/bin/python")
    if not os.path.exists(python):
        return None
    args = json.dumps(dict(ITER_ARGS, data_shape=list(ITER_ARGS["data_shape"])))
    try:
        result = subprocess.run([python, "-c", MXNET_SCRIPT, rec, str(rounds), args],
                                capture_output=True, text=True, timeout=1200, check=True)
    except (OSError, subprocess.SubprocessError) as error:
        print(f"MXNet run failed: {error}")
        return None
    return {int(k): v for k, v in json.loads(result.stdout.strip().splitlines()[-1]).items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        rec = make_rec(folder, args.images)
        ours = {threads: teachmod_rate(rec, threads, args.rounds) for threads in (1, 2)}
        theirs = mxnet_rates(rec, args.rounds)
    print(f"ImageRecordIter, {args.images} JPEGs 500x375 -> resize 224, random crop 224, "
          f"mirror, normalise; images/s (best of {args.rounds} epochs), {os.cpu_count()} CPUs")
    print(f"{'threads':>8} {'teachmod':>10} {'MXNet 1.9.1':>12} {'teachmod/MXNet':>15}")
    for threads in (1, 2):
        mxnet = f"{theirs[threads]:12.1f}" if theirs else f"{'not found':>12}"
        ratio = f"{ours[threads] / theirs[threads]:15.2f}" if theirs else ""
        print(f"{threads:>8} {ours[threads]:10.1f} {mxnet} {ratio}")
    print(f"second thread: teachmod x{ours[2] / ours[1]:.2f}"
          + (f", MXNet x{theirs[2] / theirs[1]:.2f}" if theirs else
             " (set MXNET_PYTHON to a venv with mxnet==1.9.1 for MXNet's figures)"))


if __name__ == "__main__":
    main()
