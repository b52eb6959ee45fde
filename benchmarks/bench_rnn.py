"""LSTM language-model training speed: teachmod against a hand-written numpy LSTM and MXNet.

A 2-layer LSTM language model (Embedding -> fused 2-layer LSTM -> FullyConnected -> softmax
over the vocabulary; SGD) trained on random token sequences, measured in training tokens per
second, side by side:
  1. the same arithmetic written as one plain numpy loop (forward and backward through time,
     by hand): the floor;
  2. teachmod: ``mx.rnn.FusedRNNCell`` unrolled into the ``RNN`` operator, trained with
     ``Module.forward/backward/update``;
  3. MXNet 1.9.1 CPU, the same symbol (its fused RNN kernel), in its own interpreter via
     ``$MXNET_PYTHON`` (default /work/mxvenv/bin/python).
Goal: teachmod at most 1.5x the hand-written loop's time. One run; the peers take turns over
``--rounds`` so a slow spell of the machine hits all of them.

Run: ``python benchmarks/bench_rnn.py [--batches 20] [--rounds 3] [--quick]``
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

logging.getLogger().setLevel(logging.WARNING)

VOCAB, EMBED, HIDDEN, LAYERS, BATCH, STEPS, LR = 2000, 200, 200, 2, 32, 35, 0.1


def token_batches(count: int, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """``count`` (data, label) pairs of shape (STEPS, BATCH): random tokens, label = next."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        seq = rng.integers(0, VOCAB, (STEPS + 1, BATCH))
        out.append((seq[:-1].astype(np.float32), seq[1:].astype(np.float32)))
    return out


# ---- 1. the floor: a 2-layer LSTM language model in plain numpy -------------------------------
def sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def init_floor(rng: np.random.Generator) -> dict[str, np.ndarray]:
    def uniform(*shape):
        return rng.uniform(-0.1, 0.1, shape).astype(np.float32)

    params = {"embed": uniform(VOCAB, EMBED), "pred_w": uniform(VOCAB, HIDDEN),
              "pred_b": np.zeros(VOCAB, np.float32)}
    for layer in range(LAYERS):
        size_in = EMBED if layer == 0 else HIDDEN
        params[f"wx{layer}"] = uniform(4 * HIDDEN, size_in)
        params[f"wh{layer}"] = uniform(4 * HIDDEN, HIDDEN)
        params[f"bx{layer}"] = np.zeros(4 * HIDDEN, np.float32)
        params[f"bh{layer}"] = np.zeros(4 * HIDDEN, np.float32)
    return params


def floor_batch(params: dict[str, np.ndarray], data: np.ndarray, label: np.ndarray) -> None:
    """One SGD step of the language model, forward and backward through time by hand."""
    tokens = data.astype(np.int64)
    x = params["embed"][tokens]  # (T, N, E)
    layer_inputs, tapes = [], []
    for layer in range(LAYERS):
        wx, wh = params[f"wx{layer}"], params[f"wh{layer}"]
        xw = x @ wx.T + params[f"bx{layer}"]
        h = np.zeros((BATCH, HIDDEN), np.float32)
        c = np.zeros_like(h)
        hs, tape = [], []
        for t in range(STEPS):
            i, f, g, o = np.split(xw[t] + h @ wh.T + params[f"bh{layer}"], 4, axis=1)
            i, f, g, o = sigmoid(i), sigmoid(f), np.tanh(g), sigmoid(o)
            tape.append((h, c, i, f, g, o))
            c = f * c + i * g
            tanh_c = np.tanh(c)
            h = o * tanh_c
            tape[-1] += (tanh_c,)
            hs.append(h)
        layer_inputs.append(x)
        tapes.append(tape)
        x = np.stack(hs)
    flat = x.reshape(-1, HIDDEN)
    logits = flat @ params["pred_w"].T + params["pred_b"]
    logits -= logits.max(axis=1, keepdims=True)
    prob = np.exp(logits)
    prob /= prob.sum(axis=1, keepdims=True)
    prob[np.arange(len(prob)), label.reshape(-1).astype(np.int64)] -= 1.0  # d loss / d logits
    grads = {"pred_w": prob.T @ flat, "pred_b": prob.sum(axis=0)}
    dy = (prob @ params["pred_w"]).reshape(STEPS, BATCH, HIDDEN)
    for layer in reversed(range(LAYERS)):
        wx, wh = params[f"wx{layer}"], params[f"wh{layer}"]
        dh = np.zeros((BATCH, HIDDEN), np.float32)
        dc = np.zeros_like(dh)
        dxw = np.empty((STEPS, BATCH, 4 * HIDDEN), np.float32)
        dwh = np.zeros_like(wh)
        for t in reversed(range(STEPS)):
            h_prev, c_prev, i, f, g, o, tanh_c = tapes[layer][t]
            dh = dh + dy[t]
            dc = dc + dh * o * (1 - tanh_c * tanh_c)
            dpre = np.concatenate([dc * g * i * (1 - i), dc * c_prev * f * (1 - f),
                                   dc * i * (1 - g * g), dh * tanh_c * o * (1 - o)], axis=1)
            dwh += dpre.T @ h_prev
            dh, dc, dxw[t] = dpre @ wh, dc * f, dpre
        inputs = layer_inputs[layer].reshape(-1, wx.shape[1])
        flat_dxw = dxw.reshape(-1, 4 * HIDDEN)
        grads[f"wx{layer}"], grads[f"wh{layer}"] = flat_dxw.T @ inputs, dwh
        grads[f"bx{layer}"] = grads[f"bh{layer}"] = flat_dxw.sum(axis=0)
        dy = (flat_dxw @ wx).reshape(STEPS, BATCH, -1)
    grads["embed"] = np.zeros_like(params["embed"])
    np.add.at(grads["embed"], tokens.reshape(-1), dy.reshape(-1, EMBED))
    # Module's SGD rescales gradients by 1 / (axis 0 of the data), which is STEPS in TNC
    scale = LR / STEPS
    for name, grad in grads.items():
        params[name] -= scale * grad


def floor_seconds(batches) -> float:
    params = init_floor(np.random.default_rng(0))
    tic = time.perf_counter()
    for data, label in batches:
        floor_batch(params, data, label)
    return time.perf_counter() - tic


# ---- 2. teachmod --------------------------------------------------------------------------------
def language_model(mxmod):
    """The symbol, for teachmod or MXNet: begin states are ``state_names`` inputs (zeros)."""
    cell = mxmod.rnn.FusedRNNCell(HIDDEN, num_layers=LAYERS, mode="lstm", prefix="lstm_")
    states = cell.begin_state(func=mxmod.sym.Variable)
    data = mxmod.sym.Variable("data")
    net = mxmod.sym.Embedding(data, input_dim=VOCAB, output_dim=EMBED, name="embed")
    out, _ = cell.unroll(STEPS, net, begin_state=states, layout="TNC", merge_outputs=True)
    pred = mxmod.sym.FullyConnected(mxmod.sym.Reshape(out, shape=(-1, HIDDEN)),
                                    num_hidden=VOCAB, name="pred")
    label = mxmod.sym.Reshape(mxmod.sym.Variable("softmax_label"), shape=(-1,))
    return mxmod.sym.SoftmaxOutput(pred, label, name="softmax"), [s.name for s in states]


def module_seconds(mxmod, batches) -> float:
    net, state_names = language_model(mxmod)
    mod = mxmod.mod.Module(net, state_names=state_names)
    shape = (STEPS, BATCH)
    mod.bind(data_shapes=[("data", shape)], label_shapes=[("softmax_label", shape)])
    mod.init_params(mxmod.init.Uniform(0.1))
    mod.init_optimizer(optimizer="sgd", optimizer_params={"learning_rate": LR})
    prepared = [mxmod.io.DataBatch([mxmod.nd.array(d)], [mxmod.nd.array(lab)])
                for d, lab in batches]
    tic = time.perf_counter()
    for batch in prepared:
        mod.forward(batch, is_train=True)
        mod.backward()
        mod.update()
    mod.get_outputs()[0].asnumpy()  # MXNet computes asynchronously: wait for it
    return time.perf_counter() - tic


def mxnet_seconds(python: str, count: int) -> float | None:
    code = textwrap.dedent(f"""
        import importlib.util, sys, types
        sys.modules['teachmod'] = types.ModuleType('teachmod')  # bench_rnn's top-level import
        import mxnet as mx
        spec = importlib.util.spec_from_file_location('bench_rnn', {str(Path(__file__))!r})
        bench = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(bench)
        print(bench.module_seconds(mx, bench.token_batches({count})))
    """)
    try:
        result = subprocess.run([python, "-c", code], capture_output=True, text=True,
                                timeout=1200)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    return float(result.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="skip MXNet")
    args = parser.parse_args()
    batches = token_batches(args.batches)
    tokens = args.batches * BATCH * STEPS
    mxnet_python = os.environ.get("MXNET_PYTHON", "/work/mxvenv/bin/python")
    peers = {"hand-written numpy LSTM": lambda: floor_seconds(batches),
             "teachmod (FusedRNNCell -> RNN)": lambda: module_seconds(mx, batches)}
    if not args.quick and Path(mxnet_python).exists():
        peers["MXNet 1.9.1 CPU (fused RNN)"] = lambda: mxnet_seconds(mxnet_python, args.batches)
    times: dict[str, list[float]] = {name: [] for name in peers}
    for _ in range(args.rounds):
        for name, run in peers.items():
            seconds = run()
            if seconds is not None:
                times[name].append(seconds)
    print(f"2-layer LSTM LM: vocab {VOCAB}, embed {EMBED}, hidden {HIDDEN}, batch {BATCH}, "
          f"{STEPS} steps; {args.batches} batches x {args.rounds} rounds; numpy "
          f"{np.__version__}, {os.cpu_count()} cores; median\n")
    floor = statistics.median(times["hand-written numpy LSTM"])
    for name, values in times.items():
        if not values:
            print(f"   {name:32s} not run (set MXNET_PYTHON to a venv with mxnet==1.9.1)")
            continue
        seconds = statistics.median(values)
        print(f"   {name:32s} {tokens / seconds:9.0f} tokens/s   {seconds / floor:5.2f}x floor"
              + ("   (goal <= 1.5)" if name.startswith("teachmod") else ""))


if __name__ == "__main__":
    main()
