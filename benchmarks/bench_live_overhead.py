"""Overhead of ``LiveMetrics`` on the seed MLP's ``fit`` (target: at most 5% per epoch).

The seed MLP (16-64-26, batch 32, SGD lr 0.1, 16,000 UCI letters, validation on 4,000 after
each epoch) is trained with:

  none     no callback at all (the floor);
  speedo   ``mx.callback.Speedometer(32, 100)``, MXNet's usual companion, for reference;
  text     ``LiveMetrics`` as outside Jupyter: progress lines (to a discarded stream);
  widget   ``LiveMetrics(mode='widget')``: the Jupyter view without a browser -- each refresh
           draws the matplotlib figure, encodes the PNG and sets the ``ipywidgets.Image``.

Each mode trains short runs and long runs (``--short`` and ``--long`` epochs), interleaved over
``--rounds`` rounds. Times are CPU seconds of this process (``time.process_time``): on a shared
machine they are far steadier than wall time, and the overhead is CPU work. A straight line
through the median short and long runs splits each mode's cost into seconds per epoch and a
fixed cost per run (building the figure, the first draw, the final figure). Printed: both, the
per-epoch overhead over ``none``, and the share of the wall time that LiveMetrics itself spent
in its callbacks (what its timed budget, ``TIMED_SHARE`` of ``max_overhead``, bounds; the rest
of the difference to ``none`` is fit's own cost of calling any batch callback -- see ``speedo``
--, what the callback's timer cannot see, and noise).

Run: ``python benchmarks/bench_live_overhead.py [--short 20] [--long 80] [--rounds 4]``
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
from teachmod.notebook import live as live_module  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_mlp import seed_mlp  # noqa: E402  (the same network as the speed benchmark)

logging.getLogger().setLevel(logging.WARNING)
MODES = ("none", "speedo", "text", "widget")


def callbacks(mode: str) -> tuple[dict, LiveMetrics | None]:
    if mode == "none":
        return {}, None
    if mode == "speedo":
        return {"batch_end_callback": mx.callback.Speedometer(32, 100)}, None
    live = LiveMetrics(mode=mode, file=io.StringIO())
    return {"batch_end_callback": live, "eval_end_callback": live}, live


def run(mode: str, epochs: int, data: tuple) -> tuple[float, float, LiveMetrics | None]:
    """CPU and wall seconds of one fit, and its LiveMetrics."""
    train, val = data
    train.reset()
    mod = mx.mod.Module(seed_mlp())
    kwargs, live = callbacks(mode)
    cpu, wall = time.process_time(), time.perf_counter()
    mod.fit(train, eval_data=val, num_epoch=epochs, optimizer_params={"learning_rate": 0.1},
            initializer=mx.init.Uniform(0.1), **kwargs)
    return time.process_time() - cpu, time.perf_counter() - wall, live


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", type=int, default=20)
    parser.add_argument("--long", type=int, default=80)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()

    x, y = mx.test_utils.get_letters()
    data = (mx.io.NDArrayIter(x[:16000], y[:16000], 32, shuffle=True),
            mx.io.NDArrayIter(x[16000:], y[16000:], 32))
    cpu, _, _ = run("widget", 1, data)  # imports matplotlib and ipywidgets, loads fonts
    print(f"one-off per process (imports, fonts): {cpu:.2f} CPU s")

    cpu_times = {(m, n): [] for m in MODES for n in (args.short, args.long)}
    wall_times = {m: [] for m in MODES}
    own = {"text": [], "widget": []}  # LiveMetrics' own share of the wall time, as it timed it
    lives = []
    for _ in range(args.rounds):
        for epochs in (args.short, args.long):
            for mode in MODES:
                cpu, wall, live = run(mode, epochs, data)
                cpu_times[mode, epochs].append(cpu)
                if epochs == args.long:
                    wall_times[mode].append(wall)
                    if live is not None:
                        own[mode].append(live._spent / wall)
                    if mode == "widget":
                        lives.append(live)

    line = {}
    for mode in MODES:
        short = statistics.median(cpu_times[mode, args.short])
        long = statistics.median(cpu_times[mode, args.long])
        per_epoch = (long - short) / (args.long - args.short)
        line[mode] = (per_epoch, short - per_epoch * args.short, long)
    floor_epoch, floor_fixed, floor_long = line["none"]
    print(f"\nseed MLP fit, {args.rounds} rounds of {args.short}- and {args.long}-epoch runs "
          f"(CPU seconds, medians)")
    print(f"  {'mode':7s} {'per epoch':>10s} {'overhead':>9s} {'fixed per run':>14s} "
          f"{args.long:>4d}-epoch run overhead")
    for mode in MODES:
        per_epoch, fixed, long = line[mode]
        print(f"  {mode:7s} {per_epoch:9.4f}s {100 * (per_epoch / floor_epoch - 1):+8.1f}% "
              f"{fixed - floor_fixed:+13.3f}s {100 * (long / floor_long - 1):+10.1f}%")
    timed = LiveMetrics().max_overhead * live_module.TIMED_SHARE
    print(f"\nLiveMetrics' own time inside fit, as it measures it for its budget "
          f"(timed budget {timed:.1%}; one-off set-up excluded): "
          + ", ".join(f"{mode} {100 * statistics.median(v):.1f}%" for mode, v in own.items()))
    wall = statistics.median(wall_times["widget"])
    refreshes = statistics.median(live.refreshes for live in lives)
    seconds = statistics.median(live.refresh_seconds for live in lives)
    print(f"\nwidget mode, {args.long}-epoch run: {wall:.2f} s wall, {refreshes:.0f} refreshes, "
          f"{seconds:.2f} s drawing in all ({100 * seconds / wall:.1f}%, with the figure's "
          f"construction and the final PNG)")


if __name__ == "__main__":
    main()
