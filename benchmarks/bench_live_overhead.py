"""Overhead of ``LiveMetrics`` on the seed MLP's ``fit`` (target: at most 5%).

The seed MLP (16-64-26, batch 32, SGD lr 0.1, 16,000 UCI letters, validation on 4,000) is
trained for ``--epochs`` epochs per run, in rounds that alternate between:

  none     no callback at all (the floor);
  speedo   ``mx.callback.Speedometer(32, 100)``, the usual MXNet companion, for reference;
  text     ``LiveMetrics`` as outside Jupyter: progress lines (to a discarded stream);
  widget   ``LiveMetrics(mode='widget')``: the Jupyter view without a browser -- every refresh
           draws the matplotlib figure, encodes the PNG and sets the ``ipywidgets.Image``.

It prints the median seconds per epoch of each and its overhead over ``none``, then, for the
widget mode, the refreshes drawn and their cost. One-off costs (importing matplotlib, building
the figure) are paid in a warm-up run and reported on their own line.

Run: ``python benchmarks/bench_live_overhead.py [--epochs 20] [--rounds 5]``
"""
from __future__ import annotations

import argparse
import io
import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import teachmod as mx  # noqa: E402
from teachmod.notebook import LiveMetrics  # noqa: E402

logging.getLogger().setLevel(logging.WARNING)


def seed_mlp() -> mx.sym.Symbol:
    net = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(net, name="fc1", num_hidden=64)
    net = mx.sym.Activation(net, name="relu1", act_type="relu")
    net = mx.sym.FullyConnected(net, name="fc2", num_hidden=26)
    return mx.sym.SoftmaxOutput(net, name="softmax")


def make_callbacks(mode: str) -> tuple[dict, LiveMetrics | None]:
    if mode == "none":
        return {}, None
    if mode == "speedo":
        return {"batch_end_callback": mx.callback.Speedometer(32, 100)}, None
    live = LiveMetrics(mode=mode, file=io.StringIO())
    return {"batch_end_callback": live, "eval_end_callback": live}, live


def run(mode: str, epochs: int, data: tuple) -> tuple[float, LiveMetrics | None]:
    train, val = data
    train.reset()
    mx.random.seed(0)
    mod = mx.mod.Module(seed_mlp())
    callbacks, live = make_callbacks(mode)
    tic = time.perf_counter()
    mod.fit(train, eval_data=val, num_epoch=epochs, optimizer_params={"learning_rate": 0.1},
            **callbacks)
    return (time.perf_counter() - tic) / epochs, live


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    x, y = mx.test_utils.get_letters()
    data = (mx.io.NDArrayIter(x[:16000], y[:16000], 32, shuffle=True),
            mx.io.NDArrayIter(x[16000:], y[16000:], 32))
    modes = ["none", "speedo", "text", "widget"]

    tic = time.perf_counter()
    run("widget", 1, data)  # warm-up: imports matplotlib and ipywidgets, font caches
    print(f"one-off (first widget run: imports, fonts, first figure): "
          f"{time.perf_counter() - tic:.2f} s")

    times: dict[str, list[float]] = {m: [] for m in modes}
    lives: list[LiveMetrics] = []
    for _ in range(args.rounds):
        for mode in modes:
            seconds, live = run(mode, args.epochs, data)
            times[mode].append(seconds)
            if mode == "widget" and live is not None:
                lives.append(live)

    floor = statistics.median(times["none"])
    print(f"\nseed MLP fit, {args.epochs} epochs x {args.rounds} rounds "
          f"(median seconds per epoch, overhead over no callback)")
    for mode in modes:
        median = statistics.median(times[mode])
        print(f"  {mode:7s} {median:8.4f} s/epoch   {100 * (median / floor - 1):+6.1f}%")
    refreshes = statistics.median(live.refreshes for live in lives)
    seconds = statistics.median(live.refresh_seconds for live in lives)
    wall = statistics.median(times["widget"]) * args.epochs
    print(f"\nwidget mode: {refreshes:.0f} refreshes per {wall:.2f} s run, "
          f"{1000 * seconds / max(refreshes, 1):.0f} ms each with the final figure, "
          f"{100 * seconds / wall:.1f}% of the run")


if __name__ == "__main__":
    main()
