"""Overhead of ``LiveMetrics`` on the seed MLP's ``fit``, side by side in one run.

The seed MLP (16-64-26, batch 32, SGD lr 0.1, 16,000 UCI letters, metrics acc and ce) is
trained for ``--epochs`` epochs with:

  none     no callback at all (the floor);
  noop     a batch callback that does nothing: what ``fit`` itself spends on callbacks
           (``locals()``, the ``BatchEndParam``, the call), for reference;
  text     ``LiveMetrics(mod, mode='text')``, as outside Jupyter (lines to a discarded stream);
  widget   ``LiveMetrics(mod, mode='widget')``: the Jupyter view.

The measurements run inside a real IPython kernel, started here with jupyter_client, so that
widget mode is what a notebook gets: the widget is displayed and every refresh is a comm
message serialised by the kernel's session and sent over ZeroMQ to this client (which reads
and drops it: no browser; drawing happens in the browser, not in the kernel). The number of
messages sent is counted and printed. The modes are interleaved over ``--rounds`` rounds;
times are CPU seconds of the kernel process (``time.process_time``), steadier than wall time
on a shared machine; the median and the minimum of each mode are printed with the overhead
over ``none``.

Targets (issue #19): text at most 3%, widget at most 5% over ``none``.

Run: ``python benchmarks/bench_live_overhead.py [--epochs 10] [--rounds 5]``
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# The code run in the kernel; prints one JSON line with the results.
KERNEL_CODE = r"""
import io, json, logging, statistics, sys, time
sys.path[:0] = [{repo!r}, {bench!r}]
import teachmod as mx
from bench_mlp import seed_mlp
logging.getLogger().setLevel(logging.WARNING)

x, y = mx.test_utils.get_letters()
train = mx.io.NDArrayIter(x[:16000], y[:16000], 32, shuffle=True)
sent = []

def run(mode, epochs):
    train.reset()
    mod = mx.mod.Module(seed_mlp())
    kwargs, live = {{}}, None
    if mode == "noop":
        kwargs = {{"batch_end_callback": lambda param: None}}
    elif mode in ("text", "widget"):
        live = mx.callback.LiveMetrics(mod, mode=mode, file=io.StringIO())
        kwargs = {{"batch_end_callback": live}}
    cpu, wall = time.process_time(), time.perf_counter()
    mod.fit(train, num_epoch=epochs, eval_metric=["acc", "ce"],
            optimizer_params={{"learning_rate": 0.1}}, initializer=mx.init.Uniform(0.1),
            **kwargs)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if live is not None:
        live.finish()  # the final figure: after the timed fit, as at the end of a cell
        if mode == "widget":
            sent.append((live.refreshes, wall))
    return cpu

modes = ("none", "noop", "text", "widget")
run("widget", 1)  # one-off imports (anywidget, matplotlib for the final figure)
times = {{m: [] for m in modes}}
for _ in range({rounds}):
    for m in modes:
        times[m].append(run(m, {epochs}))
print("RESULT " + json.dumps({{"times": times, "sent": sent}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    import statistics

    from jupyter_client.manager import start_new_kernel

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(REPO), os.environ.get("PYTHONPATH")])), "MPLBACKEND": "Agg"}
    manager, client = start_new_kernel(kernel_name="python3", env=env)
    code = KERNEL_CODE.format(repo=str(REPO), bench=str(REPO / "benchmarks"),
                              epochs=args.epochs, rounds=args.rounds)
    lines: list[str] = []

    def output(msg: dict) -> None:
        content = msg["content"]
        if msg["msg_type"] == "stream":
            lines.extend(content["text"].splitlines())
        elif msg["msg_type"] == "error":
            sys.exit("\n".join(content["traceback"]))

    try:
        client.execute_interactive(code, output_hook=output, timeout=3600)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    result = json.loads(next(line for line in lines if line.startswith("RESULT "))[7:])
    print(f"seed MLP fit, {args.epochs} epochs x 500 batches, {args.rounds} interleaved rounds, "
          f"in an IPython kernel (CPU seconds of the kernel; the minimum is the run least "
          f"disturbed by other processes)")
    print(f"  {'mode':7s} {'median':>8s} {'overhead':>9s} {'minimum':>8s} {'overhead':>9s}")
    floor = {kind: pick(result["times"]["none"]) for kind, pick in
             (("median", statistics.median), ("min", min))}
    for mode, values in result["times"].items():
        median, low = statistics.median(values), min(values)
        print(f"  {mode:7s} {median:7.3f}s {100 * (median / floor['median'] - 1):+8.1f}% "
              f"{low:7.3f}s {100 * (low / floor['min'] - 1):+8.1f}%")
    refreshes = statistics.median(n for n, _ in result["sent"])
    wall = statistics.median(w for _, w in result["sent"])
    print(f"widget mode: {refreshes:.0f} comm messages in {wall:.2f} s of training "
          f"({refreshes / wall:.1f} a second)")


if __name__ == "__main__":
    main()
