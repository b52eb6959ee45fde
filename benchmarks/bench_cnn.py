"""The book's CNN (《MXNet深度学习实战》 3.3): seconds per epoch and memory per batch.

    python benchmarks/bench_cnn.py [--epochs 3] [--rounds 2] [--sizes 64x224,512x32] [--no-mxnet]
                                   [--keep-heap]

The network of listings 3-1/3-2 -- Convolution(128, 3x3, pad 1) -> BatchNorm -> relu ->
max Pooling(2x2/2) -> FullyConnected(2) -> SoftmaxOutput -- trained with ``fit`` (SGD, lr 0.01,
batch 8) on random images, side by side in one run:

1. seconds per epoch, at 64 x 3 x 224 x 224 and at 512 x 3 x 32 x 32, of
   - the same arithmetic written directly in numpy: one hand-written loop (im2col convolution,
     BatchNorm, relu, max pooling, FullyConnected, softmax, their backward passes and SGD);
   - teachmod ``Module.fit``, with the fast paths and in reference mode (what
     ``TEACHMOD_REFERENCE=1`` runs);
   - MXNet 1.9.1 on the CPU, ``Module.fit`` in its own interpreter (``$MXNET_PYTHON``, default
     /work/mxvenv/bin/python; the bench says whether it found it), twice: with MXNet's own CPU
     operators (``MXNET_MKLDNN_ENABLED=0``), and with the oneDNN kernels the pip wheel turns
     on by default. The issue's figures for MXNet (about 4.9 s and 0.6 s per epoch) are those
     of MXNet's own CPU operators; oneDNN is 3-5x faster than them.
   The first epoch of every run (binding, warm-up) is left out. The peers take turns, ``--rounds``
   times, so that a slow spell of a shared machine hits all of them; the best epoch is compared
   (the median is printed too). Target: teachmod within 1.5x of MXNet at both sizes.
2. peak memory of one training batch (forward, backward, update; ``tracemalloc``, which sees
   numpy's allocations) against the activations the network must keep for its backward pass,
   computed from the shapes. Target: within 2x.
"""
from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import textwrap
import time
import tracemalloc
from pathlib import Path
from typing import Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import teachmod as mx  # noqa: E402
from teachmod.reference import reference_mode  # noqa: E402

BATCH = 8
LEARNING_RATE = 0.01
FILTERS = 128
# MXNet 1.9.1's seconds per epoch as issue 5 quotes them
ISSUE_MXNET = {(64, 224): 4.9, (512, 32): 0.6}
# the two ways MXNet 1.9.1's pip wheel runs on a CPU: row name -> environment it runs with
MXNET_PEERS = {"MXNet own CPU ops": {"MXNET_MKLDNN_ENABLED": "0"},
               "MXNet oneDNN": {}}
logging.getLogger().setLevel(logging.WARNING)


def book_network() -> mx.sym.Symbol:
    """The network of listings 3-1 and 3-2."""
    data = mx.sym.Variable("data")
    conv = mx.sym.Convolution(data=data, num_filter=FILTERS, kernel=(3, 3), pad=(1, 1),
                              name="conv1")
    bn = mx.sym.BatchNorm(data=conv, name="bn1")
    relu = mx.sym.Activation(data=bn, act_type="relu", name="relu1")
    pool = mx.sym.Pooling(data=relu, kernel=(2, 2), stride=(2, 2), pool_type="max",
                          name="pool1")
    fc = mx.sym.FullyConnected(data=pool, num_hidden=2, name="fc1")
    return mx.sym.SoftmaxOutput(data=fc, name="softmax")


def random_images(count: int, size: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Uniform random images and random 0/1 labels, as the book makes them."""
    rng = np.random.default_rng(seed)
    return (rng.random((count, 3, size, size), dtype=np.float32),
            rng.integers(0, 2, count).astype(np.float32))


# ---- 1a. the same arithmetic, written directly in numpy ------------------------------------
class NumpyBookNet:
    """The book network's training step as one hand-written numpy function (float32).

    The same arithmetic as teachmod and MXNet: BatchNorm with ``fix_gamma`` (gamma = 1), eps
    1e-3, momentum 0.9; max pooling's gradient to the first maximum of each window; softmax
    cross-entropy's gradient ``p - onehot``; SGD with ``rescale_grad = 1/batch``.
    """

    def __init__(self, size: int, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        half = size // 2
        self.size = size
        self.conv_w = rng.uniform(-0.01, 0.01, (FILTERS, 3 * 3 * 3)).astype(np.float32)
        self.conv_b = np.zeros(FILTERS, np.float32)
        self.beta = np.zeros(FILTERS, np.float32)
        self.moving_mean = np.zeros(FILTERS, np.float32)
        self.moving_var = np.ones(FILTERS, np.float32)
        self.fc_w = rng.uniform(-0.01, 0.01, (2, FILTERS * half * half)).astype(np.float32)
        self.fc_b = np.zeros(2, np.float32)
        self.zeros = np.zeros(size * size, np.float32)
        # the four elements of every 2x2 window: strided views of the relu output
        self.taps = [(slice(None), slice(None), slice(i, None, 2), slice(j, None, 2))
                     for i in (0, 1) for j in (0, 1)]

    def step(self, x: np.ndarray, y: np.ndarray) -> int:
        """Train on one batch; returns how many samples it classified correctly."""
        n, s = x.shape[0], self.size
        # convolution: im2col (one strided copy per kernel tap), then one matmul per image
        padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
        cols = np.empty((n, 3, 3, 3, s, s), np.float32)
        for i in range(3):
            for j in range(3):
                cols[:, :, i, j] = padded[:, :, i:i + s, j:j + s]
        cols = cols.reshape(n, 27, s * s)
        conv = np.matmul(self.conv_w, cols)
        conv += self.conv_b[:, None]
        # BatchNorm (batch statistics; gamma fixed at 1), then relu, in place
        count = n * s * s
        mean = conv.sum(axis=(0, 2)) / count
        xhat = conv - mean[:, None]
        var = np.einsum("ncl,ncl->c", xhat, xhat) / count
        inv_std = 1 / np.sqrt(var + 1e-3)
        self.moving_mean[:] = 0.9 * self.moving_mean + 0.1 * mean
        self.moving_var[:] = 0.9 * self.moving_var + 0.1 * var
        xhat *= inv_std[:, None]
        relu = xhat + self.beta[:, None]
        np.maximum(relu, self.zeros, out=relu)  # faster against an array of zeros than 0
        relu = relu.reshape(n, FILTERS, s, s)
        # 2x2 max pooling: the maximum of four strided views
        pooled = relu[self.taps[0]].copy()
        for tap in self.taps[1:]:
            np.maximum(pooled, relu[tap], out=pooled)
        # FullyConnected and softmax; the loss gradient p - onehot(y)
        flat = pooled.reshape(n, -1)
        scores = flat @ self.fc_w.T + self.fc_b
        scores -= scores.max(axis=1, keepdims=True)
        prob = np.exp(scores)
        prob /= prob.sum(axis=1, keepdims=True)
        labels = y.astype(np.int64)
        correct = int((prob.argmax(axis=1) == labels).sum())
        prob[np.arange(n), labels] -= 1
        grad_fc_w, grad_fc_b = prob.T @ flat, prob.sum(axis=0)
        grad_pooled = (prob @ self.fc_w).reshape(pooled.shape)
        # max pooling and relu backward together: each window's gradient goes to its first
        # maximum, and nowhere if that maximum is not positive (relu cut it)
        grad = np.zeros_like(relu)
        taken = pooled <= 0
        for tap in self.taps:
            hit = relu[tap] == pooled
            hit &= ~taken
            taken |= hit
            np.multiply(grad_pooled, hit, out=grad[tap])
        grad = grad.reshape(n, FILTERS, -1)
        # BatchNorm backward: dx = inv_std * (g - mean(g) - xhat * mean(g * xhat))
        grad_beta = grad.sum(axis=(0, 2))
        dot = np.einsum("ncl,ncl->c", xhat, grad)
        xhat *= (dot / count)[:, None]
        grad -= xhat
        grad -= (grad_beta / count)[:, None]
        grad *= inv_std[:, None]
        # convolution backward: the weight gradient only (the data needs none)
        grad_conv_w = np.matmul(grad, cols.transpose(0, 2, 1)).sum(axis=0)
        grad_conv_b = grad.sum(axis=(0, 2))
        # SGD
        scale = LEARNING_RATE / n
        for param, g in ((self.conv_w, grad_conv_w), (self.conv_b, grad_conv_b),
                         (self.beta, grad_beta), (self.fc_w, grad_fc_w),
                         (self.fc_b, grad_fc_b)):
            param -= scale * g
        return correct


def numpy_epochs(data: np.ndarray, label: np.ndarray, epochs: int) -> list[float]:
    """Seconds per epoch of the hand-written loop (shuffled batches of 8)."""
    net = NumpyBookNet(data.shape[-1])
    rng = np.random.default_rng(1)
    times = []
    for _ in range(epochs):
        tic = time.perf_counter()
        order = rng.permutation(len(data))
        for start in range(0, len(data) - BATCH + 1, BATCH):
            index = order[start:start + BATCH]
            net.step(data[index], label[index])
        times.append(time.perf_counter() - tic)
    return times


# ---- 1b. teachmod -----------------------------------------------------------------------
def teachmod_epochs(data: np.ndarray, label: np.ndarray, epochs: int) -> list[float]:
    """Seconds per ``fit`` epoch (the iterator, metric and callbacks included)."""
    train = mx.io.NDArrayIter(data={"data": data}, label={"softmax_label": label},
                              batch_size=BATCH, shuffle=True)
    mod = mx.mod.Module(symbol=book_network(), context=mx.cpu())
    times, last = [], [time.perf_counter()]

    def on_epoch(*_: object) -> None:
        now = time.perf_counter()
        times.append(now - last[0])
        last[0] = now

    mod.fit(train_data=train, num_epoch=epochs, epoch_end_callback=on_epoch)
    return times


def reference_epochs(data: np.ndarray, label: np.ndarray, epochs: int) -> list[float]:
    """``teachmod_epochs`` with the reference code everywhere (no fast path)."""
    with reference_mode():
        return teachmod_epochs(data, label, epochs)


# ---- 1c. MXNet 1.9.1 in its own interpreter ------------------------------------------------
MXNET_SCRIPT = textwrap.dedent("""
    import logging, sys, time
    import mxnet as mx
    logging.getLogger().setLevel(logging.WARNING)
    count, size, epochs = map(int, sys.argv[1:4])
    data = mx.sym.Variable('data')
    conv = mx.sym.Convolution(data=data, num_filter=128, kernel=(3,3), pad=(1,1), name='conv1')
    bn = mx.sym.BatchNorm(data=conv, name='bn1')
    relu = mx.sym.Activation(data=bn, act_type='relu', name='relu1')
    pool = mx.sym.Pooling(data=relu, kernel=(2,2), stride=(2,2), pool_type='max', name='pool1')
    fc = mx.sym.FullyConnected(data=pool, num_hidden=2, name='fc1')
    sym = mx.sym.SoftmaxOutput(data=fc, name='softmax')
    data = mx.nd.random.uniform(0, 1, shape=(count, 3, size, size))
    label = mx.nd.round(mx.nd.random.uniform(0, 1, shape=(count,)))
    train = mx.io.NDArrayIter(data={'data': data}, label={'softmax_label': label},
                              batch_size=8, shuffle=True)
    times, last = [], [time.perf_counter()]
    def on_epoch(*_):
        mx.nd.waitall(); now = time.perf_counter(); times.append(now - last[0]); last[0] = now
    mod = mx.mod.Module(symbol=sym, context=mx.cpu())
    mod.fit(train_data=train, num_epoch=epochs, epoch_end_callback=on_epoch)
    print(' '.join('%.6f' % t for t in times))
""")


def mxnet_python() -> str | None:
    """The interpreter with MXNet 1.9.1, if there is one."""
    python = os.environ.get("MXNET_PYTHON", "/work/mxvenv/bin/python")
    return python if Path(python).exists() else None


def mxnet_epochs(python: str, count: int, size: int, epochs: int,
                 env: dict[str, str]) -> list[float] | None:
    """Seconds per epoch of MXNet's ``fit`` in ``python``, with ``env`` added to the
    environment; None (and the reason printed) if it fails."""
    try:
        result = subprocess.run([python, "-c", MXNET_SCRIPT, str(count), str(size), str(epochs)],
                                capture_output=True, text=True, timeout=1800,
                                env={**os.environ, **env})
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"   (MXNet failed: {error})")
        return None
    if result.returncode != 0:
        print(f"   (MXNet failed: {result.stderr.strip().splitlines()[-1:]})")
        return None
    return [float(v) for v in result.stdout.split()]


# ---- 2. memory -----------------------------------------------------------------------------
def kept_for_backward(size: int) -> dict[str, int]:
    """Bytes of the arrays the backward pass must read, from the inferred shapes.

    - ``data``: the convolution's weight gradient reads its input;
    - ``conv1_output``: BatchNorm's backward reads its input;
    - ``relu1_output``: relu's backward needs its sign, max pooling's backward its values
      (relu may overwrite BatchNorm's output in place, so that costs nothing more);
    - ``pool1_output``: pooling's backward reads it, and so does FullyConnected's.
    """
    internals = book_network().get_internals()
    _, shapes, _ = internals.infer_shape(data=(BATCH, 3, size, size))
    by_name = dict(zip(internals.list_outputs(), shapes))
    names = ["data", "conv1_output", "relu1_output", "pool1_output"]
    return {name: int(np.prod(by_name[name])) * 4 for name in names}


def peak_of_one_batch(train_step: Callable[[], object]) -> int:
    """Peak bytes held while ``train_step()`` runs, after one warm-up call; what the previous
    batch left behind (and is freed during this one) is counted."""
    tracemalloc.start()
    train_step()
    tracemalloc.reset_peak()
    train_step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def teachmod_peak(size: int) -> int:
    data, label = random_images(BATCH, size)
    mod = mx.mod.Module(symbol=book_network(), context=mx.cpu())
    mod.bind(data_shapes=[("data", data.shape)], label_shapes=[("softmax_label", (BATCH,))])
    mod.init_params()
    mod.init_optimizer()
    batch = mx.io.DataBatch([mx.nd.array(data)], [mx.nd.array(label)])

    def train_step() -> None:
        mod.forward(batch, is_train=True)
        mod.backward()
        mod.update()

    return peak_of_one_batch(train_step)


def numpy_peak(size: int) -> int:
    data, label = random_images(BATCH, size)
    net = NumpyBookNet(size)
    return peak_of_one_batch(lambda: net.step(data, label))


# ---- report --------------------------------------------------------------------------------
def parse_sizes(text: str) -> list[tuple[int, int]]:
    return [tuple(int(v) for v in item.split("x")) for item in text.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs after a warm-up")
    parser.add_argument("--sizes", default="64x224,512x32",
                        help="images x side, comma separated (default 64x224,512x32)")
    parser.add_argument("--rounds", type=int, default=2, help="turns every peer takes")
    parser.add_argument("--no-mxnet", action="store_true", help="skip the MXNet peers")
    parser.add_argument("--keep-heap", action="store_true",
                        help="let glibc keep freed memory for the next batch (what "
                             "TEACHMOD_KEEP_HEAP=1 does at bind), for the numpy loop too")
    args = parser.parse_args()
    sizes = parse_sizes(args.sizes)
    python = None if args.no_mxnet else mxnet_python()
    if args.keep_heap:  # made now, so that the numpy loop, which runs first, has it too
        mx.executor._reuse_freed_memory()
    print(f"numpy {np.__version__}, {os.cpu_count()} cores, batch {BATCH}, glibc heap "
          f"{'kept' if args.keep_heap else 'as it is'}; "
          f"best (median) of {args.rounds} x {args.epochs} epochs, each run after a warm-up epoch")
    print("peers: numpy hand-written loop (always); MXNet 1.9.1 CPU, own operators and oneDNN: "
          + (f"found at {python}" if python else
             "not found (set MXNET_PYTHON to a venv with mxnet==1.9.1)"))

    def fmt(times: list[float] | None) -> str:
        if not times:
            return f"{'-':>17}"
        return f"{min(times):7.3f} ({statistics.median(times):6.3f})"

    runners: dict[str, Callable[[np.ndarray, np.ndarray, int], list[float] | None]] = {
        "numpy loop": numpy_epochs, "teachmod fit": teachmod_epochs,
        "teachmod reference": reference_epochs}
    if python:
        for name, env in MXNET_PEERS.items():
            runners[name] = (lambda data, label, epochs, env=env:
                             mxnet_epochs(python, len(data), data.shape[-1], epochs, env))
    # rows[name][i]: epoch times at sizes[i] over all rounds (None if the peer failed)
    rows: dict[str, list[list[float] | None]] = {name: [[] for _ in sizes] for name in runners}
    for i, (count, size) in enumerate(sizes):
        data, label = random_images(count, size)
        for _ in range(args.rounds):
            for name, run in runners.items():
                if rows[name][i] is not None:  # (a peer that failed is not tried again)
                    times = run(data, label, args.epochs + 1)
                    rows[name][i] = None if times is None else rows[name][i] + times[1:]

    print("\n1. seconds per epoch, best (median)")
    print(f"   {'':18}" + "".join(f"{f'{c} x 3 x {s} x {s}':>19}" for c, s in sizes))
    for name, times in rows.items():
        print(f"   {name:18}" + "".join(f"  {fmt(t)}" for t in times))
    for i, (count, size) in enumerate(sizes):
        floor, ours = min(rows["numpy loop"][i]), min(rows["teachmod fit"][i])
        print(f"   {count} x {size}: teachmod / numpy loop {ours / floor:4.2f}x")
        for name in MXNET_PEERS:
            if rows.get(name) and rows[name][i]:
                peer = min(rows[name][i])
                verdict = "meets" if ours <= 1.5 * peer else "misses"
                print(f"      teachmod / {name} {ours / peer:4.2f}x ({verdict} the 1.5x "
                      f"target); numpy loop / {name} {floor / peer:4.2f}x")
        quoted = ISSUE_MXNET.get((count, size))
        if quoted:
            print(f"      teachmod / the issue's MXNet figure ({quoted} s) {ours / quoted:4.2f}x")

    print("\n2. peak memory of one training batch (batch 8, forward + backward + update)")
    mb = 1 / 2 ** 20
    for _, size in sizes:
        kept = kept_for_backward(size)
        must = sum(kept.values())
        ours, floor = teachmod_peak(size), numpy_peak(size)
        print(f"   3 x {size} x {size}: must keep {must * mb:7.1f} MB ("
              + ", ".join(f"{k} {v * mb:.1f}" for k, v in kept.items()) + ")")
        print(f"      teachmod peak {ours * mb:7.1f} MB = {ours / must:4.2f}x "
              f"({'meets' if ours <= 2 * must else 'misses'} the 2x target); "
              f"numpy loop peak {floor * mb:7.1f} MB = {floor / must:4.2f}x")


if __name__ == "__main__":
    main()
