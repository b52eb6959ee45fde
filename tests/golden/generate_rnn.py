"""Generate the RNN golden data from the real Apache MXNet 1.9.1.

Runs under MXNet 1.9.1 only (the teachmod tests never import it); from the repository root::

    /path/to/mxnet-venv/bin/python tests/golden/generate_rnn.py

It rewrites ``tests/golden/rnn/``: ``op_<case>.npz`` for the fused ``RNN`` operator (inputs,
outputs, head gradients and input gradients) and ``cell_<name>.npz`` for each cell graph of
``tests/golden/rnn_nets.py`` unrolled (arguments, outputs and final states, head gradients,
the gradients of every argument). Keys: ``arg:NAME``, ``out:I``, ``ograd:I``, ``grad:NAME``.
``lm_two_epochs.npz``: the initial parameters and the validation perplexity after each of two
epochs of ``rnn_nets.train_lm`` (a BucketingModule language model on BucketSentenceIter).
Inputs come from ``np.random.RandomState(zlib.crc32(case))``, so the files are reproducible.

The numbers come from MXNet's own CPU RNN kernels (``src/operator/rnn_impl.h``), chosen with
``MXNET_USE_MKLDNN_RNN=0``. ``MXNET_MKLDNN_ENABLED=0``, which the other generators use, breaks
the RNN operator of the 1.9.1 wheel: its storage fallback returns garbage outputs and fails with
``state_outputs=True`` ("out_data.size() == num_outputs (2 vs. 1)").
"""
import importlib.util
import os
import shutil
import zlib
from pathlib import Path

os.environ["MXNET_USE_MKLDNN_RNN"] = "0"  # MXNet's reference CPU kernels for RNN

import mxnet as mx  # noqa: E402
import numpy as np  # noqa: E402

HERE = Path(__file__).parent
OUT = HERE / "rnn"
_spec = importlib.util.spec_from_file_location("rnn_nets", HERE / "rnn_nets.py")
rnn_nets = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rnn_nets)

# (case, RNN parameters, train?): every mode stacked twice and bidirectional, plus a plain
# one-layer LSTM without state outputs and an LSTM with a projection (inference only on CPU)
OP_CASES = [
    *[(f"{mode}_2layer_bi", dict(mode=mode, num_layers=2, bidirectional=True,
                                 state_outputs=True), True)
      for mode in ("rnn_relu", "rnn_tanh", "lstm", "gru")],
    ("lstm_1layer", dict(mode="lstm", num_layers=1), True),
    ("lstm_projection", dict(mode="lstm", num_layers=2, bidirectional=True, state_outputs=True,
                             projection_size=2), False),
]
T, N, IN, H = rnn_nets.T, rnn_nets.N, rnn_nets.IN, rnn_nets.H


def run(sym, args, rs, is_train):
    """Bind ``sym`` to ``args``, run forward (and backward with random head gradients)."""
    arrays = {k: mx.nd.array(v) for k, v in args.items()}
    grads = {k: mx.nd.zeros(v.shape) for k, v in args.items()}
    exe = sym.bind(mx.cpu(), arrays, args_grad=grads if is_train else None,
                   grad_req="write" if is_train else "null")
    outs = [o.asnumpy() for o in exe.forward(is_train=is_train)]
    record = {f"arg:{k}": v for k, v in args.items()}
    record.update({f"out:{i}": o for i, o in enumerate(outs)})
    if is_train:
        heads = [rs.uniform(-1, 1, o.shape).astype(np.float32) for o in outs]
        exe.backward([mx.nd.array(h) for h in heads])
        record.update({f"ograd:{i}": h for i, h in enumerate(heads)})
        record.update({f"grad:{k}": g.asnumpy() for k, g in grads.items()})
    return record


def op_case(case, params, is_train):
    rs = np.random.RandomState(zlib.crc32(case.encode()))
    sym = mx.sym.RNN(mx.sym.Variable("data"), mx.sym.Variable("parameters"),
                     mx.sym.Variable("state"),
                     *([mx.sym.Variable("state_cell")] if params["mode"] == "lstm" else []),
                     state_size=H, name="rnn", **params)
    arg_shapes, _, _ = sym.infer_shape(data=(T, N, IN))
    args = {name: rs.uniform(-0.6, 0.6, shape).astype(np.float32)
            for name, shape in zip(sym.list_arguments(), arg_shapes)}
    np.savez(OUT / f"op_{case}.npz", **run(sym, args, rs, is_train))


def cell_case(name):
    rs = np.random.RandomState(zlib.crc32(name.encode()))
    with mx.name.NameManager():
        sym, state_names = rnn_nets.CELLS[name](mx)
    attrs = sym.attr_dict()
    shapes = {"data": rnn_nets.DATA_SHAPES.get(name, (N, T, IN))}
    for state in state_names:  # the begin states' shapes with the batch size filled in
        shape = eval(attrs[state]["__shape__"])  # a tuple written by MXNet itself
        shapes[state] = tuple(N if d == 0 else d for d in shape)
    arg_shapes, _, _ = sym.infer_shape(**shapes)
    args = {k: rs.uniform(-0.6, 0.6, s).astype(np.float32)
            for k, s in zip(sym.list_arguments(), arg_shapes)}
    record = run(sym, args, rs, True)
    record["names:outputs"] = np.array(sym.list_outputs())
    np.savez(OUT / f"cell_{name}.npz", **record)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir()
    for case in OP_CASES:
        op_case(*case)
    for name in rnn_nets.CELLS:
        cell_case(name)
    initial, perplexities = rnn_nets.train_lm(mx)
    np.savez(OUT / "lm_two_epochs.npz", perplexity=np.array(perplexities),
             **{f"arg:{k}": v for k, v in initial.items()})
    print(f"wrote {len(list(OUT.iterdir()))} files to {OUT}")


if __name__ == "__main__":
    main()
