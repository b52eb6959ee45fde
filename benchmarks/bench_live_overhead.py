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
and drops it, after answering the widget's "drawn" question at once as a browser would: no
drawing happens in the kernel). The number of
messages sent is counted and printed. Each of ``--rounds`` rounds runs every mode once, in a
shuffled order (a fixed order would give one mode the same neighbour every time), after a
``gc.collect()``; times are CPU seconds of the kernel process (``time.process_time``), steadier
than wall time on a shared machine, with one BLAS thread (see below). Printed per mode:

- the median time;
- the overhead: the median over the rounds of the ratio to ``none`` in the same round (paired,
  so a round slowed by another process slows both sides), with a 95% confidence interval of
  that median (from the order statistics: how precisely this run measured it);
- the same median ratio to ``noop``: what the mode costs beyond what ``fit`` spends on any
  batch callback;
- the wall time spent inside the batch callback as a share of ``none``'s fit: the steadiest
  figure of the callback's own cost. The callbacks are wrapped to measure it; the wrapper's
  own cost (two clock reads a batch: ``noop``'s share) is in every figure, which err high.

Targets (issue #19): text at most 3%, widget at most 5% over ``none``.

Run: ``python benchmarks/bench_live_overhead.py [--epochs 2] [--rounds 50]``
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
import gc, io, json, logging, random, statistics, sys, time
sys.path[:0] = [{repo!r}, {bench!r}]
import teachmod as mx
from bench_mlp import seed_mlp
logging.getLogger().setLevel(logging.WARNING)

x, y = mx.test_utils.get_letters()
train = mx.io.NDArrayIter(x[:16000], y[:16000], 32, shuffle=True)
sent = []

def timed(callback, inside):
    clock = time.perf_counter  # a cheap clock: process_time is a system call
    def call(param):
        start = clock()
        callback(param)
        inside[0] += clock() - start
    return call

def run(mode, epochs):
    train.reset()
    mod = mx.mod.Module(seed_mlp())
    kwargs, live, inside = {{}}, None, [0.0]
    if mode == "noop":
        kwargs = {{"batch_end_callback": timed(lambda param: None, inside)}}
    elif mode in ("text", "widget"):
        live = mx.callback.LiveMetrics(mod, mode=mode, file=io.StringIO())
        kwargs = {{"batch_end_callback": timed(live, inside)}}
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    mod.fit(train, num_epoch=epochs, eval_metric=["acc", "ce"],
            optimizer_params={{"learning_rate": 0.1}}, initializer=mx.init.Uniform(0.1),
            **kwargs)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if live is not None:
        live.finish()  # the final figure: after the timed fit, as at the end of a cell
        if mode == "widget":
            sent.append((live.refreshes, wall))
    return cpu, inside[0]

modes = ("none", "noop", "text", "widget")
run("widget", 1)  # one-off imports (anywidget, matplotlib for the final figure)
times, inside = {{m: [] for m in modes}}, {{m: [] for m in modes}}
order = random.Random(0)
for _ in range({rounds}):
    for m in order.sample(modes, len(modes)):
        cpu, spent = run(m, {epochs})
        times[m].append(cpu)
        inside[m].append(spent)
print("RESULT " + json.dumps({{"times": times, "inside": inside, "sent": sent}}))
"""


def median_interval(values: list[float]) -> tuple[float, float]:
    """A 95% confidence interval of the median: the order statistics n/2 -+ 1.96 sqrt(n)/2
    (the normal approximation of the binomial count of values below the median)."""
    ordered = sorted(values)
    n = len(ordered)
    half = 0.98 * n ** 0.5
    low = max(0, int(n / 2 - half))
    high = min(n - 1, int(-(-(n / 2 + half) // 1)))
    return ordered[low], ordered[high]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()

    import statistics

    from jupyter_client.manager import start_new_kernel

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(REPO), os.environ.get("PYTHONPATH")])), "MPLBACKEND": "Agg",
        # one BLAS thread: the seed MLP's matrices are too small to share, and the idle helper
        # threads' spinning counts as CPU time of the kernel, at random (+-5% between runs)
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    manager, client = start_new_kernel(kernel_name="python3", env=env)
    code = KERNEL_CODE.format(repo=str(REPO), bench=str(REPO / "benchmarks"),
                              epochs=args.epochs, rounds=args.rounds)
    lines: list[str] = []

    def output(msg: dict) -> None:
        content = msg["content"]
        if msg["msg_type"] == "comm_open" and "uid" in content["data"].get("state", {}):
            # a browser says "ready" once it has drawn the widget; so does this client, at
            # once, or LiveMetrics would wait for it (and idle) before every widget run
            client.shell_channel.send(client.session.msg("comm_msg", {
                "comm_id": content["comm_id"],
                "data": {"method": "custom", "content": {"event": "ready"}}}))
        elif msg["msg_type"] == "stream":
            lines.extend(content["text"].splitlines())
        elif msg["msg_type"] == "error":
            sys.exit("\n".join(content["traceback"]))

    try:
        client.execute_interactive(code, output_hook=output, timeout=3600)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    result = json.loads(next(line for line in lines if line.startswith("RESULT "))[7:])
    print(f"seed MLP fit, {args.epochs} epochs x 500 batches, {args.rounds} rounds in shuffled "
          f"order, in an IPython kernel (CPU seconds of the kernel)")
    print(f"  {'mode':7s} {'median':>8s} {'overhead':>9s}  {'95% interval':>16s}  "
          f"{'over noop':>9s}  in the callback")
    times = result["times"]
    for mode, values in times.items():
        ratios = [v / f - 1 for v, f in zip(values, times["none"])]
        low, high = median_interval(ratios)
        over_noop = statistics.median(v / f - 1 for v, f in zip(values, times["noop"]))
        share = statistics.median(i / f for i, f in zip(result["inside"][mode], times["none"]))
        print(f"  {mode:7s} {statistics.median(values):7.3f}s "
              f"{100 * statistics.median(ratios):+8.1f}%  {100 * low:+6.1f}% .. "
              f"{100 * high:+5.1f}%  {100 * over_noop:+8.1f}%  {100 * share:6.2f}%")
    refreshes = statistics.median(n for n, _ in result["sent"])
    wall = statistics.median(w for _, w in result["sent"])
    print(f"widget mode: {refreshes:.0f} comm messages in {wall:.2f} s of training "
          f"({refreshes / wall:.1f} a second)")


if __name__ == "__main__":
    main()
