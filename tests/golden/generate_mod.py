"""Golden values from MXNet 1.9.1 for the mod branch: a CustomOp's gradients inside a graph and
the update rules of the optimizers added here.

Run with MXNet 1.9.1's own CPU operators, from the repository root::

    MXNET_MKLDNN_ENABLED=0 /work/mxvenv/bin/python tests/golden/generate_mod.py

Writes small JSON files into tests/golden/mod/: custom_grads.json, optimizers.json,
update_ops.json (mx.nd.sgd_mom_update and the other update operators) and sequential.json (SequentialModule updates, with SoftmaxOutput or a PythonLossModule last).
The same operator and optimizer code runs under teachmod in tests/ops/test_custom.py and
tests/test_optimizer_rules.py, which compare with these files.
"""
from __future__ import annotations

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # tests/, for mod_cases

import mod_cases  # noqa: E402
import mxnet as mx  # noqa: E402  (the real MXNet 1.9.1)

OPTIMIZER_CASES = [
    ("adamax", {}), ("adamax", {"wd": 0.1, "clip_gradient": 0.3, "rescale_grad": 0.5}),
    ("nadam", {}), ("nadam", {"wd": 0.05}), ("ftml", {"learning_rate": 0.1}),
    ("ftml", {"learning_rate": 0.05, "wd": 0.01, "clip_gradient": 0.5}),
    ("lamb", {"wd": 0.01}),
    ("lamb", {"bias_correction": False, "lower_bound": 0.1, "upper_bound": 1.0}),
]


def main() -> None:
    mod_cases.define_custom_ops(mx)
    net = mod_cases.custom_graph(mx)
    inputs = mod_cases.graph_inputs()
    exe = net.simple_bind(mx.cpu(), **{k: v.shape for k, v in inputs.items()})
    for name, value in inputs.items():
        exe.arg_dict[name][:] = value
    exe.forward(is_train=True)
    exe.backward()
    custom = {"outputs": [o.asnumpy().tolist() for o in exe.outputs],
              "grads": {k: v.asnumpy().tolist() for k, v in exe.grad_dict.items()}}
    with open(os.path.join(HERE, "mod", "custom_grads.json"), "w") as handle:
        json.dump(custom, handle)

    results = [{"name": name, "kwargs": kwargs,
                "weight": mod_cases.run_optimizer(mx, name, kwargs).tolist()}
               for name, kwargs in OPTIMIZER_CASES]
    with open(os.path.join(HERE, "mod", "optimizers.json"), "w") as handle:
        json.dump(results, handle)
    with open(os.path.join(HERE, "mod", "update_ops.json"), "w") as handle:
        json.dump(mod_cases.run_update_ops(mx), handle)

    chains = {}
    for kind in ("softmax_output", "python_loss"):
        params = mod_cases.sequential_case(mx, python_loss=kind == "python_loss")
        chains[kind] = {k: v.tolist() for k, v in params.items()}
    with open(os.path.join(HERE, "mod", "sequential.json"), "w") as handle:
        json.dump(chains, handle)


if __name__ == "__main__":
    main()
