"""Cases written once and run both by real MXNet 1.9.1 (tests/golden/generate_mod.py) and by
teachmod (tests/ops/test_custom.py, tests/test_optimizer_rules.py): custom operators and the
inputs of the optimizer goldens. ``mx`` is passed in, so nothing here imports either framework."""
from __future__ import annotations

from typing import Any

import numpy as np


def define_custom_ops(mx: Any) -> None:
    """Register 'tm_softmax' (a loss: softmax forward, softmax - one_hot backward) and
    'tm_scaled_tanh' (``scale * tanh(x)``, the scale given to the prop as a string)."""

    class Softmax(mx.operator.CustomOp):
        def forward(self, is_train, req, in_data, out_data, aux):
            x = in_data[0].asnumpy()
            y = np.exp(x - x.max(axis=1, keepdims=True))
            y /= y.sum(axis=1, keepdims=True)
            self.assign(out_data[0], req[0], mx.nd.array(y))

        def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
            label = in_data[1].asnumpy().ravel().astype(int)
            y = out_data[0].asnumpy().copy()
            y[np.arange(label.shape[0]), label] -= 1.0
            self.assign(in_grad[0], req[0], mx.nd.array(y))

    @mx.operator.register("tm_softmax")
    class SoftmaxProp(mx.operator.CustomOpProp):
        def __init__(self):
            super().__init__(need_top_grad=False)

        def list_arguments(self):
            return ["data", "label"]

        def list_outputs(self):
            return ["output"]

        def infer_shape(self, in_shape):
            data_shape = in_shape[0]
            return [data_shape, (data_shape[0],)], [data_shape], []

        def create_operator(self, ctx, shapes, dtypes):
            return Softmax()

    class ScaledTanh(mx.operator.CustomOp):
        def __init__(self, scale):
            self.scale = scale

        def forward(self, is_train, req, in_data, out_data, aux):
            self.assign(out_data[0], req[0], self.scale * mx.nd.tanh(in_data[0]))

        def backward(self, req, out_grad, in_data, out_data, in_grad, aux):
            y = out_data[0] / self.scale
            self.assign(in_grad[0], req[0], out_grad[0] * self.scale * (1 - y * y))

    @mx.operator.register("tm_scaled_tanh")
    class ScaledTanhProp(mx.operator.CustomOpProp):
        def __init__(self, scale="1.0"):
            super().__init__(need_top_grad=True)
            self.scale = float(scale)

        def create_operator(self, ctx, shapes, dtypes):
            return ScaledTanh(self.scale)


def custom_graph(mx: Any) -> Any:
    """FullyConnected -> Custom scaled tanh -> FullyConnected -> Custom softmax loss."""
    net = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=5, name="fc1")
    net = mx.sym.Custom(net, op_type="tm_scaled_tanh", scale=1.5, name="act")
    net = mx.sym.FullyConnected(net, num_hidden=3, name="fc2")
    return mx.sym.Custom(net, mx.sym.Variable("softmax_label"), op_type="tm_softmax",
                         name="softmax")


def graph_inputs() -> dict[str, np.ndarray]:
    rng = np.random.RandomState(3)
    return {"data": rng.uniform(-1, 1, (4, 6)).astype(np.float32),
            "fc1_weight": rng.uniform(-0.5, 0.5, (5, 6)).astype(np.float32),
            "fc1_bias": rng.uniform(-0.5, 0.5, (5,)).astype(np.float32),
            "fc2_weight": rng.uniform(-0.5, 0.5, (3, 5)).astype(np.float32),
            "fc2_bias": rng.uniform(-0.5, 0.5, (3,)).astype(np.float32),
            "softmax_label": np.array([0, 2, 1, 2], dtype=np.float32)}


def optimizer_inputs() -> tuple[np.ndarray, list[np.ndarray]]:
    """A weight and three gradients for the optimizer goldens."""
    rng = np.random.RandomState(0)
    weight = rng.uniform(-1, 1, (3, 4)).astype(np.float32)
    grads = [rng.uniform(-1, 1, (3, 4)).astype(np.float32) for _ in range(3)]
    return weight, grads


def run_optimizer(mx: Any, name: str, kwargs: dict) -> np.ndarray:
    """The weight after three updates by optimizer ``name``."""
    weight0, grads = optimizer_inputs()
    updater = mx.optimizer.get_updater(mx.optimizer.create(name, **kwargs))
    weight = mx.nd.array(weight0)
    for grad in grads:
        updater(0, mx.nd.array(grad), weight)
    return weight.asnumpy()


def sequential_case(mx: Any, python_loss: bool) -> dict[str, np.ndarray]:
    """Parameters after three SGD-with-momentum steps of a two-module chain: FullyConnected +
    relu, then FullyConnected + SoftmaxOutput (or + softmax and a PythonLossModule)."""
    rng = np.random.RandomState(5)
    data = rng.uniform(-1, 1, (6, 4)).astype(np.float32)
    label = np.array([0, 1, 2, 1, 0, 2], dtype=np.float32)
    params = {"fc1_weight": rng.uniform(-0.5, 0.5, (5, 4)), "fc1_bias": rng.uniform(-0.1, 0.1, 5),
              "fc2_weight": rng.uniform(-0.5, 0.5, (3, 5)), "fc2_bias": rng.uniform(-0.1, 0.1, 3)}
    first = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=5, name="fc1")
    first = mx.sym.Activation(first, act_type="relu", name="relu1")
    second = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=3, name="fc2")
    seq = mx.mod.SequentialModule()
    seq.add(mx.mod.Module(first, label_names=None))
    if python_loss:
        def grad_func(scores, labels):
            p = scores.asnumpy().copy()
            p[np.arange(p.shape[0]), labels.asnumpy().astype(int)] -= 1.0
            return p

        seq.add(mx.mod.Module(mx.sym.softmax(second), label_names=None), auto_wiring=True)
        seq.add(mx.mod.PythonLossModule(grad_func=grad_func), take_labels=True,
                auto_wiring=True)
    else:
        seq.add(mx.mod.Module(mx.sym.SoftmaxOutput(second, name="softmax")), take_labels=True,
                auto_wiring=True)
    seq.bind(data_shapes=[("data", data.shape)], label_shapes=[("softmax_label", label.shape)])
    seq.init_params(arg_params={k: mx.nd.array(v) for k, v in params.items()})
    seq.init_optimizer(optimizer="sgd",
                       optimizer_params={"learning_rate": 0.5, "momentum": 0.9, "wd": 0.01})
    batch = mx.io.DataBatch([mx.nd.array(data)], [mx.nd.array(label)])
    for _ in range(3):
        seq.forward_backward(batch)
        seq.update()
    return {k: v.asnumpy() for k, v in seq.get_params()[0].items()}


UPDATE_OP_CASES = [
    ("sgd_update", 0, {"lr": 0.1, "wd": 0.01}),
    ("sgd_mom_update", 1, {"lr": 0.1, "momentum": 0.9, "clip_gradient": 0.3}),
    ("nag_mom_update", 1, {"lr": 0.1, "momentum": 0.9, "wd": 0.02}),
    ("adam_update", 2, {"lr": 0.01, "rescale_grad": 0.5}),
    ("rmsprop_update", 1, {"lr": 0.01, "clip_weights": 0.4}),
    ("rmspropalex_update", 3, {"lr": 0.01}),
    ("ftrl_update", 2, {"lr": 0.1, "lamda1": 0.001}),
    ("signsgd_update", 0, {"lr": 0.1, "wd": 0.1}),
    ("signum_update", 1, {"lr": 0.1, "momentum": 0.9, "wd_lh": 0.01}),
    ("ftml_update", 3, {"lr": 0.1, "t": 1}),
    ("lamb_update_phase1", 2, {"t": 1, "wd": 0.01}),
]


def run_update_ops(mx: Any) -> dict[str, list]:
    """Each update operator applied twice to the same weight and states: the new weight and
    the states, as lists."""
    weight0, grads = optimizer_inputs()
    results = {}
    for name, num_states, params in UPDATE_OP_CASES:
        weight = mx.nd.array(weight0)
        states = [mx.nd.zeros(weight0.shape) + 0.1 * (i + 1) for i in range(num_states)]
        for grad in grads[:2]:
            out = getattr(mx.nd, name)(weight, mx.nd.array(grad), *states, **params)
            if name != "lamb_update_phase1":
                weight = out
        results[name] = [out.asnumpy().tolist()] + [s.asnumpy().tolist() for s in states]
    g = mx.nd.array(grads[0])
    r1, r2 = mx.nd.array([2.0]), mx.nd.array([4.0])
    results["lamb_update_phase2"] = [mx.nd.lamb_update_phase2(
        mx.nd.array(weight0), g, r1, r2, lr=0.1, lower_bound=0.5, upper_bound=1.5
    ).asnumpy().tolist()]
    weight16 = mx.nd.array(weight0).astype("float16")
    weight32, mom = mx.nd.array(weight0), mx.nd.zeros(weight0.shape)
    for grad in grads:
        mx.nd.mp_sgd_mom_update(weight16, mx.nd.array(grad).astype("float16"), mom, weight32,
                                lr=0.1, momentum=0.9, out=weight16)
    results["mp_sgd_mom_update"] = [weight16.asnumpy().astype(np.float32).tolist(),
                                    mom.asnumpy().tolist(), weight32.asnumpy().tolist()]
    return results
