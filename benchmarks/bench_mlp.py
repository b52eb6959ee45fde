"""Seed MLP speed: teachmod against a hand-fused numpy loop (the floor), MXNet and PyTorch.

Measures, in one run and side by side:
  1. seconds per ``fit`` epoch (16-64-26 MLP, batch 32, SGD lr 0.1, 16,000 UCI letters), with
     the fast paths and in reference mode (``teachmod.reference.reference_mode()``, what
     ``TEACHMOD_REFERENCE=1`` runs);
  2. seconds per epoch of the tutorial's intermediate-level loop, and where a batch's time
     goes (executor forward, backward, the update; microseconds, best of many short runs);
  3. predict and score throughput;
  4. ``import teachmod`` time;
  5. a sweep over batch size and hidden size showing where per-batch overhead stops mattering.
Peers run in their own interpreters when found: MXNet 1.9.1 via ``$MXNET_PYTHON`` (default
/work/mxvenv/bin/python), PyTorch via ``$TORCH_PYTHON`` (default
/work/torchvenv/bin/python if it exists, else this interpreter).

Run: ``python benchmarks/bench_mlp.py [--epochs 7] [--quick]``
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
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import teachmod as mx  # noqa: E402
from teachmod.reference import reference_mode  # noqa: E402

logging.getLogger().setLevel(logging.WARNING)


def letters() -> tuple[np.ndarray, np.ndarray]:
    data, label = mx.test_utils.get_letters()
    return data[:16000], label[:16000]


def seed_mlp(hidden: int = 64) -> mx.sym.Symbol:
    net = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(net, name="fc1", num_hidden=hidden)
    net = mx.sym.Activation(net, name="relu1", act_type="relu")
    net = mx.sym.FullyConnected(net, name="fc2", num_hidden=26)
    return mx.sym.SoftmaxOutput(net, name="softmax")


def hand_fused_epoch(data: np.ndarray, label: np.ndarray, params: list[np.ndarray],
                     batch: int, rng: np.random.Generator) -> float:
    """The same arithmetic as one fit epoch, written as one plain numpy loop."""
    w1, b1, w2, b2 = params
    lr, scale = 0.1, 1.0 / batch
    order = rng.permutation(len(data))
    correct = 0
    zeros = np.zeros(w1.shape[0], w1.dtype)  # max(h, 0) is faster against an array of zeros
    tic = time.perf_counter()
    for start in range(0, len(data) - batch + 1, batch):
        index = order[start:start + batch]
        x, y = data[index], label[index].astype(np.int64)
        h = x @ w1.T + b1
        np.maximum(h, zeros, out=h)
        z = h @ w2.T + b2
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        correct += int((p.argmax(axis=1) == y).sum())
        p[np.arange(batch), y] -= 1.0
        dh = p @ w2
        dh *= h > 0
        w2 -= lr * scale * (p.T @ h)
        b2 -= lr * scale * p.sum(axis=0)
        w1 -= lr * scale * (dh.T @ x)
        b1 -= lr * scale * dh.sum(axis=0)
    return time.perf_counter() - tic


def fit_epochs(data, label, epochs: int, batch: int = 32, hidden: int = 64) -> list[float]:
    times: list[float] = []
    train = mx.io.NDArrayIter(data, label, batch, shuffle=True)
    mod = mx.mod.Module(seed_mlp(hidden))
    last = [time.perf_counter()]

    def on_epoch(*_):
        now = time.perf_counter()
        times.append(now - last[0])
        last[0] = now

    mod.fit(train, optimizer="sgd", optimizer_params={"learning_rate": 0.1},
            num_epoch=epochs, epoch_end_callback=on_epoch)
    return times[1:] if len(times) > 1 else times  # the first epoch includes binding


def intermediate_epochs(data, label, epochs: int, batch: int = 32) -> list[float]:
    train = mx.io.NDArrayIter(data, label, batch, shuffle=True)
    mod = mx.mod.Module(seed_mlp())
    mod.bind(data_shapes=train.provide_data, label_shapes=train.provide_label)
    mod.init_params(initializer=mx.init.Uniform(scale=.1))
    mod.init_optimizer(optimizer="sgd", optimizer_params=(("learning_rate", 0.1),))
    metric = mx.metric.create("acc")
    times = []
    for _ in range(epochs):
        tic = time.perf_counter()
        train.reset()
        metric.reset()
        for batch_data in train:
            mod.forward(batch_data, is_train=True)
            mod.update_metric(metric, batch_data.label)
            mod.backward()
            mod.update()
        times.append(time.perf_counter() - tic)
    return times


def batch_breakdown(data, label, batch: int = 32) -> dict[str, float]:
    """Microseconds per batch of the parts of a training step, each the best of many short
    runs (so that a busy machine's pauses fall out): executor forward, executor backward,
    ``Module.update``, and the module's own work around the executor."""
    train = mx.io.NDArrayIter(data, label, batch, shuffle=True)
    mod = mx.mod.Module(seed_mlp())
    mod.bind(data_shapes=train.provide_data, label_shapes=train.provide_label)
    mod.init_params(initializer=mx.init.Uniform(scale=.1))
    mod.init_optimizer(optimizer="sgd", optimizer_params=(("learning_rate", 0.1),))
    executor, one = mod._exec_group.execs[0], next(iter(train))

    def best(step) -> float:
        runs = []
        for _ in range(400):
            tic = time.perf_counter()
            for _ in range(5):
                step()
            runs.append((time.perf_counter() - tic) / 5 * 1e6)
        return min(runs)

    forward = best(lambda: executor.forward(is_train=True))
    both = best(lambda: (executor.forward(is_train=True), executor.backward()))
    module = best(lambda: (mod.forward(one, is_train=True), mod.backward()))
    whole = best(lambda: (mod.forward(one, is_train=True), mod.backward(), mod.update()))
    return {"executor forward": forward, "executor backward": both - forward,
            "update": whole - module, "module around the executor": module - both}


def floor_epochs(data, label, epochs: int, batch: int = 32, hidden: int = 64) -> list[float]:
    rng = np.random.default_rng(0)
    params = [rng.uniform(-0.01, 0.01, (hidden, 16)).astype(np.float32),
              np.zeros(hidden, np.float32),
              rng.uniform(-0.01, 0.01, (26, hidden)).astype(np.float32),
              np.zeros(26, np.float32)]
    return [hand_fused_epoch(data, label, params, batch, rng) for _ in range(epochs)]


MXNET_SCRIPT = textwrap.dedent("""
    import logging, sys, time
    import numpy as np
    import mxnet as mx
    logging.getLogger().setLevel(logging.WARNING)
    rows = [l.strip().split(',') for l in open(sys.argv[1]) if l.strip()]
    data = np.array([[float(v) for v in r[1:]] for r in rows], np.float32)[:16000]
    label = np.array([ord(r[0]) - 65 for r in rows], np.float32)[:16000]
    epochs = int(sys.argv[2])
    net = mx.sym.Variable('data')
    net = mx.sym.FullyConnected(net, name='fc1', num_hidden=64)
    net = mx.sym.Activation(net, name='relu1', act_type='relu')
    net = mx.sym.FullyConnected(net, name='fc2', num_hidden=26)
    net = mx.sym.SoftmaxOutput(net, name='softmax')
    train = mx.io.NDArrayIter(data, label, 32, shuffle=True)
    times, last = [], [time.perf_counter()]
    def on_epoch(*_):
        mx.nd.waitall(); now = time.perf_counter(); times.append(now - last[0]); last[0] = now
    mod = mx.mod.Module(net)
    mod.fit(train, optimizer='sgd', optimizer_params={'learning_rate': 0.1},
            num_epoch=epochs, epoch_end_callback=on_epoch)
    print(' '.join('%.6f' % t for t in times[1:]))
""")

TORCH_SCRIPT = textwrap.dedent("""
    import sys, time
    import numpy as np
    import torch
    torch.set_num_threads(2)
    rows = [l.strip().split(',') for l in open(sys.argv[1]) if l.strip()]
    data = torch.tensor([[float(v) for v in r[1:]] for r in rows][:16000])
    label = torch.tensor([ord(r[0]) - 65 for r in rows][:16000])
    model = torch.nn.Sequential(torch.nn.Linear(16, 64), torch.nn.ReLU(), torch.nn.Linear(64, 26))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = torch.nn.CrossEntropyLoss()
    times = []
    for _ in range(int(sys.argv[2])):
        tic = time.perf_counter()
        order = torch.randperm(16000)
        for s in range(0, 16000, 32):
            idx = order[s:s + 32]
            out = model(data[idx]); loss = loss_fn(out, label[idx])
            opt.zero_grad(); loss.backward(); opt.step()
            (out.argmax(1) == label[idx]).sum().item()
        times.append(time.perf_counter() - tic)
    print(' '.join('%.6f' % t for t in times[1:]))
""")


def run_peer(python: str, script: str, epochs: int) -> list[float] | None:
    data_file = Path(mx.__file__).parent / "data" / "letter-recognition.data"
    try:
        result = subprocess.run([python, "-c", script, str(data_file), str(epochs + 1)],
                                capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    return [float(v) for v in result.stdout.split()]


def import_time() -> float:
    code = "import time; t = time.perf_counter(); import teachmod; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 cwd=Path(__file__).resolve().parents[1]).stdout)
            for _ in range(5)]
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="skip peers and the sweep")
    args = parser.parse_args()
    data, label = letters()
    med = statistics.median

    print(f"numpy {np.__version__}, {os.cpu_count()} cores; median of {args.epochs} epochs\n")
    floor = med(floor_epochs(data, label, args.epochs))
    fit = med(fit_epochs(data, label, args.epochs + 1))
    with reference_mode():
        fit_reference = med(fit_epochs(data, label, args.epochs + 1))
    loop = med(intermediate_epochs(data, label, args.epochs))
    print("1-2. seed MLP, one epoch (16,000 samples, batch 32)")
    print(f"   hand-fused numpy floor      {floor:8.4f} s")
    print(f"   teachmod fit                {fit:8.4f} s   {fit / floor:5.2f}x floor "
          f"(target <= 2.0)")
    print(f"   teachmod fit, reference     {fit_reference:8.4f} s   "
          f"{fit_reference / floor:5.2f}x floor (TEACHMOD_REFERENCE=1)")
    print(f"   teachmod intermediate loop  {loop:8.4f} s   {loop / floor:5.2f}x floor "
          f"(target <= 2.5)")
    fast = batch_breakdown(data, label)
    with reference_mode():
        plain = batch_breakdown(data, label)
    print(f"   one batch, microseconds     {'fast paths':>11} {'reference':>10}")
    for part, value in fast.items():
        print(f"     {part:26} {value:10.1f} {plain[part]:10.1f}")
    if not args.quick:
        mxnet_python = os.environ.get("MXNET_PYTHON", "/work/mxvenv/bin/python")
        peer = run_peer(mxnet_python, MXNET_SCRIPT, args.epochs) if Path(
            mxnet_python).exists() else None
        if peer:
            m = med(peer)
            print(f"   MXNet 1.9.1 fit             {m:8.4f} s   {m / floor:5.2f}x floor; "
                  f"teachmod is {m / fit:4.1f}x faster")
        else:
            print("   MXNet 1.9.1: not found (set MXNET_PYTHON to a venv with mxnet==1.9.1)")
        torch_python = os.environ.get("TORCH_PYTHON")
        if torch_python is None:  # this interpreter, or a venv beside MXNet's
            torch_python = next((p for p in ("/work/torchvenv/bin/python",) if Path(p).exists()),
                                sys.executable)
        peer = run_peer(torch_python, TORCH_SCRIPT, args.epochs)
        if peer:
            t = med(peer)
            print(f"   PyTorch CPU loop            {t:8.4f} s   {t / floor:5.2f}x floor")
        else:
            print("   PyTorch: not found (set TORCH_PYTHON to an interpreter with torch)")

    val = mx.io.NDArrayIter(data[:4000], label[:4000], 32)
    mod = mx.mod.Module(seed_mlp())
    mod.bind(data_shapes=val.provide_data, label_shapes=val.provide_label, for_training=False)
    mod.init_params()
    tic = time.perf_counter()
    mod.predict(val)
    predict = time.perf_counter() - tic
    tic = time.perf_counter()
    mod.score(val, "acc")
    score = time.perf_counter() - tic
    print("\n3. inference over 4,000 samples, batch 32")
    print(f"   predict  {4000 / predict:10.0f} samples/s")
    print(f"   score    {4000 / score:10.0f} samples/s")
    print(f"\n4. import teachmod: {import_time():.3f} s (target < 0.3)")

    if args.quick:
        return
    print("\n5. sweep: fit epoch / floor epoch (overhead fades as batches grow)")
    print(f"   {'batch':>6} {'hidden':>6} {'floor s':>9} {'fit s':>9} {'ratio':>6}")
    for batch, hidden in [(1, 64), (8, 64), (32, 64), (128, 64), (512, 64), (4096, 64),
                          (32, 16), (32, 256), (32, 1024), (32, 4096)]:
        rows = 16000 if batch > 1 else 2000
        f = med(floor_epochs(data[:rows], label[:rows], 3, batch, hidden))
        t = med(fit_epochs(data[:rows], label[:rows], 4, batch, hidden))
        print(f"   {batch:>6} {hidden:>6} {f:9.4f} {t:9.4f} {t / f:6.2f}")


if __name__ == "__main__":
    main()
