"""What each kept fast path is worth: reference against fast, per operator and per epoch.

    python benchmarks/bench_fast_paths.py [--repeats 5]

For the book CNN of ``bench_cnn.py`` (batch 8, at 3 x 224 x 224 and 3 x 32 x 32 images) it
prints, for every operator with a fast path, the milliseconds of its forward and backward pass
with the reference code (``reference_mode()``) and with the fast path, and the time the fast
path saves as a share of one training batch of the whole network (``forward_backward`` and
``update`` of a bound Module, fast paths on). An epoch is a number of such batches, so that
share is the share of an epoch. A fast path stays in the library only if that share reaches
10% at some size (docs/fast_paths.md). Relu's fast path is the executor's in-place plan
(``Executor._plan_in_place``), so it is measured on whole ``fit`` epochs of ``bench_cnn.py``
(16 images at 224 x 224, 256 at 32 x 32), with the plan and without it, taking turns. Best of
``--repeats`` runs: the machine may be shared. ``--keep-heap`` keeps freed memory in the
process (``TEACHMOD_KEEP_HEAP=1``), which hides part of what writing in place saves: new
arrays that the kernel must hand out and zero.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench_cnn import BATCH, book_network, random_images, teachmod_epochs  # noqa: E402

import teachmod as mx  # noqa: E402
from teachmod.ops import registry  # noqa: E402
from teachmod.reference import reference_mode  # noqa: E402

# the layers that have a fast path, as the book network uses them
LAYERS = [
    ("BatchNorm", {}),
    ("Pooling", {"kernel": (2, 2), "stride": (2, 2), "pool_type": "max"}),
]
FILTERS = 128


def best_ms(run: Callable[[], object], repeats: int) -> float:
    """Best time of ``repeats`` calls of ``run``, in milliseconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times) * 1e3


def batch_ms(size: int, repeats: int) -> float:
    """One training batch of the book network: forward, backward and SGD update."""
    mod = mx.mod.Module(symbol=book_network(), context=mx.cpu())
    mod.bind(data_shapes=[("data", (BATCH, 3, size, size))],
             label_shapes=[("softmax_label", (BATCH,))])
    mod.init_params()
    mod.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": 0.01})
    rng = np.random.default_rng(0)
    batch = mx.io.DataBatch([mx.nd.array(rng.random((BATCH, 3, size, size), np.float32))],
                            [mx.nd.array(rng.integers(0, 2, BATCH))])

    def step() -> None:
        mod.forward_backward(batch)
        mod.update()

    step()  # warm-up
    return best_ms(step, repeats)


def layer_ms(name: str, attrs: dict, shape: tuple[int, ...], repeats: int) -> tuple[float, float]:
    """Forward and backward milliseconds of one operator on random float32 data."""
    rng = np.random.default_rng(0)
    op = registry.get(name)(attrs, name.lower())
    arg_shapes, _, aux_shapes = op.infer_shape([shape] + [None] * (len(op.list_arguments()) - 1))
    data = rng.standard_normal(shape, dtype=np.float32)
    if name == "Pooling":
        data = np.maximum(data, 0)  # relu's output, as in the network: ties of zeros
    inputs = [data] + \
        [rng.uniform(0.5, 1.5, s).astype(np.float32) for s in arg_shapes[1:]]
    aux = [np.ones(s, np.float32) for s in aux_shapes]
    outputs = op.forward(True, inputs, aux)
    head = [rng.standard_normal(outputs[0].shape, dtype=np.float32)] + \
        [np.zeros_like(o) for o in outputs[1:]]
    forward = best_ms(lambda: op.forward(True, inputs, aux), repeats)
    backward = best_ms(lambda: op.backward(head, inputs, outputs, aux), repeats)
    return forward, backward


def bench(size: int, repeats: int) -> None:
    batch = batch_ms(size, repeats)
    with reference_mode():
        reference_batch = batch_ms(size, repeats)
    shape = (BATCH, FILTERS, size, size)  # the convolution's output, which both layers see
    print(f"images {size}x{size}: one training batch {batch:.1f} ms with the fast paths, "
          f"{reference_batch:.1f} ms without (best of {repeats})")
    print("  operator   pass       reference ms   fast ms   saved, % of a batch")
    for name, attrs in LAYERS:
        fast = layer_ms(name, attrs, shape, repeats)
        with reference_mode():
            reference = layer_ms(name, attrs, shape, repeats)
        rows = [*zip(("forward", "backward"), reference, fast),
                ("both", sum(reference), sum(fast))]
        for label, ref, quick in rows:
            print(f"  {name:10s} {label:9s} {ref:13.2f} {quick:9.2f} "
                  f"{100 * (ref - quick) / batch:10.1f}")
    in_place_epochs(size, {224: 16, 32: 256}[size])


def in_place_epochs(size: int, count: int, rounds: int = 2) -> None:
    """Best fit epoch of the book network with the executor's in-place plan and without."""
    data, label = random_images(count, size)
    plan = mx.executor.Executor._plan_in_place
    times: dict[str, list[float]] = {"with": [], "without": []}
    try:
        for _ in range(rounds):
            for label_of_run, planner in (("with", plan), ("without", lambda self: None)):
                mx.executor.Executor._plan_in_place = planner
                times[label_of_run] += teachmod_epochs(data, label, 3)[1:]  # 1st: binding
    finally:
        mx.executor.Executor._plan_in_place = plan
    with_plan, without = min(times["with"]), min(times["without"])
    print(f"  relu in place, both passes ({count} images, fit epochs): {without:.3f} s without, "
          f"{with_plan:.3f} s with; saved {100 * (without - with_plan) / without:.1f}% of an "
          f"epoch")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--keep-heap", action="store_true",
                        help="keep freed memory for reuse, as TEACHMOD_KEEP_HEAP=1 does")
    args = parser.parse_args()
    if args.keep_heap:
        mx.executor._reuse_freed_memory()
    bench(224, args.repeats)
    bench(32, max(args.repeats, 20))
