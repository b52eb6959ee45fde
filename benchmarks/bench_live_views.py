"""What one refresh of a live training view costs the kernel, for three ways of drawing.

After ``--batches`` recorded batches of the seed MLP's metrics (accuracy, cross-entropy,
learning rate, samples/s), one refresh is timed (median of ``--repeat``) as:

  matplotlib   draw the figure in the kernel and encode a PNG for an ``ipywidgets.Image``
               (the view teachmod had before: all drawing on the training thread);
  bqplot       set the x and y arrays of four ``bqplot.Lines`` and serialise the widget state
               as ipywidgets sends it (bqplot sends whole arrays: its cost grows with the run);
  anywidget    LiveMetrics' message: the new points since the last refresh, thinned, as JSON
               (the browser keeps the old ones and draws).

The serialisation is what the kernel does before a message leaves; the browser's drawing is not
the kernel's time. Run: ``python benchmarks/bench_live_views.py [--batches 20000]``
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import teachmod as mx  # noqa: E402
from teachmod.model import BatchEndParam  # noqa: E402


def timed(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def recorded_live(batches: int) -> mx.callback.LiveMetrics:
    """A LiveMetrics with ``batches`` recorded batches (500 an epoch), every one kept."""
    live = mx.callback.LiveMetrics(mode="silent", batch_size=32)
    metric = mx.metric.create(["acc", "ce"])
    rng = np.random.default_rng(0)
    for i in range(batches):
        if i % 500 == 0:
            metric.reset()
        metric.update([mx.nd.array(rng.integers(0, 26, 32))],
                      [mx.nd.array(rng.dirichlet(np.ones(26), 32))])
        live._next_sample = 0.0  # record every batch (as if each took 10 ms)
        live(BatchEndParam(i // 500, i % 500, metric, None))
    return live


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    live = recorded_live(args.batches)
    history = live.history["batch"]
    costs = {}

    import io

    from teachmod.notebook._plot import save

    def matplotlib_png() -> None:
        out = io.BytesIO()
        save(live.figure, out, "en", format="png")

    costs["matplotlib"] = timed(matplotlib_png, args.repeat)

    try:
        import bqplot
    except ImportError:
        bqplot = None
    if bqplot is not None:
        x = np.asarray(history["epoch"]) + (np.asarray(history["nbatch"]) + 1) / 500
        lines = [bqplot.Lines(scales={"x": bqplot.LinearScale(), "y": bqplot.LinearScale()})
                 for _ in range(4)]
        columns = ["accuracy", "cross-entropy", "lr", "samples_per_sec"]

        def bqplot_update() -> None:
            for line, column in zip(lines, columns):
                line.x, line.y = x, np.asarray(history[column], dtype=float)
                line.get_state()  # what send_state serialises

        costs["bqplot"] = timed(bqplot_update, args.repeat)

    from teachmod.notebook import _widget

    messages = []
    view = _widget.WidgetView.__new__(_widget.WidgetView)
    view.live, view.first_batch, view.shown = live, time.time(), -1e9
    view.widget = type("Sender", (), {"send": lambda self, m: messages.append(json.dumps(m))})()

    def anywidget_message() -> None:
        view.sent = args.batches - 120  # 0.25 s of new points at 500 batches a second
        view.refresh()

    costs["anywidget"] = timed(anywidget_message, args.repeat)
    print(f"one refresh after {args.batches} recorded batches (median of {args.repeat}):")
    for name, seconds in costs.items():
        print(f"  {name:10s} {1000 * seconds:8.2f} ms")
    print(f"  anywidget message: {len(messages[-1]) / 1000:.1f} kB of JSON")


if __name__ == "__main__":
    main()
