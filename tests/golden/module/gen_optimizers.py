"""Golden data for ``mx.optimizer`` + ``mx.optimizer.get_updater`` (MXNet 1.9.1).

Run in a separate venv that has the real MXNet::

    python -m venv /tmp/mxvenv && /tmp/mxvenv/bin/pip install mxnet==1.9.1 numpy==1.23.5
    /tmp/mxvenv/bin/python tests/golden/module/gen_optimizers.py

Writes ``optimizers.json`` (everything, arrays as lists) and ``optimizers.npz`` (the same
arrays, keys ``<case>/weight0``, ``<case>/grads``, ``<case>/weights``, ``<case>/state<i>``).
"""

import pickletools

import mxnet as mx
import numpy as np
from _golden_util import dump_json, dump_npz

SEED = 1234
SHAPE = (3, 4)
NSTEPS = 4

# (case name, optimizer name for mx.optimizer.create, constructor kwargs)
CASES = [
    ("sgd", "sgd", {"learning_rate": 0.1}),
    ("sgd_momentum", "sgd", {"learning_rate": 0.1, "momentum": 0.9}),
    ("sgd_wd_clip_rescale", "sgd",
     {"learning_rate": 0.1, "momentum": 0.0, "wd": 0.01, "clip_gradient": 0.5,
      "rescale_grad": 0.25}),
    ("sgd_momentum_wd_clip_rescale", "sgd",
     {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01, "clip_gradient": 0.5,
      "rescale_grad": 0.25}),
    ("nag", "nag", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01}),
    ("nag_no_momentum", "nag", {"learning_rate": 0.1, "wd": 0.01}),
    ("adam", "adam", {}),
    ("adam_wd_clip_rescale", "adam",
     {"learning_rate": 0.01, "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-6, "wd": 0.01,
      "clip_gradient": 0.5, "rescale_grad": 0.5}),
    ("adagrad", "adagrad", {"learning_rate": 0.1, "wd": 0.01}),
    ("adagrad_clip_rescale", "adagrad",
     {"learning_rate": 0.1, "eps": 1e-6, "clip_gradient": 0.3, "rescale_grad": 0.5}),
    ("rmsprop", "rmsprop", {"learning_rate": 0.01, "wd": 0.01}),
    ("rmsprop_centered", "rmsprop",
     {"learning_rate": 0.01, "gamma1": 0.95, "gamma2": 0.9, "centered": True, "wd": 0.01}),
    ("rmsprop_clip_weights", "rmsprop",
     {"learning_rate": 0.05, "clip_weights": 0.3, "clip_gradient": 0.5}),
    ("adadelta", "adadelta", {"rho": 0.9, "epsilon": 1e-5, "wd": 0.01}),
    ("adadelta_rescale", "adadelta", {"rescale_grad": 0.5, "clip_gradient": 0.2}),
    ("signum", "signum", {"learning_rate": 0.01, "momentum": 0.9, "wd_lh": 0.01, "wd": 0.01}),
    ("signsgd", "signum", {"learning_rate": 0.01, "momentum": 0.0}),
    ("ftrl", "ftrl", {"lamda1": 0.01, "learning_rate": 0.1, "beta": 1, "wd": 0.01}),
    ("ftrl_default", "ftrl", {}),
]

HYPER_ATTRS = [
    "lr", "learning_rate", "wd", "rescale_grad", "clip_gradient", "momentum", "lazy_update",
    "beta1", "beta2", "epsilon", "float_stable_eps", "gamma1", "gamma2", "centered",
    "clip_weights", "rho", "lamda1", "beta", "wd_lh", "multi_precision", "begin_num_update",
    "num_update", "aggregate_num", "lr_mult", "wd_mult", "idx2name",
]
DEFAULT_OPTIMIZERS = ["sgd", "nag", "adam", "adagrad", "rmsprop", "adadelta", "signum", "ftrl"]


def hyper_params(opt):
    """Read the hyper-parameters that exist on an optimizer object."""
    out = {"class": type(opt).__name__}
    for attr in HYPER_ATTRS:
        if hasattr(opt, attr):
            val = getattr(opt, attr)
            if isinstance(val, dict):
                val = {str(k): v for k, v in val.items()}
            out[attr] = val
    out["lr_scheduler"] = None if opt.lr_scheduler is None else type(opt.lr_scheduler).__name__
    return out


def flatten_state(state):
    """Updater state (None, NDArray or tuple of NDArray) -> list of numpy arrays."""
    if state is None:
        return []
    if isinstance(state, mx.nd.NDArray):
        return [state.asnumpy()]
    out = []
    for item in state:
        out.extend(flatten_state(item))
    return out


def state_structure(state):
    """A short description of the Python structure of an updater state."""
    if state is None:
        return "None"
    if isinstance(state, mx.nd.NDArray):
        return f"NDArray{state.shape}"
    inner = ", ".join(state_structure(s) for s in state)
    return f"{type(state).__name__}({inner})"


def make_inputs(rng):
    weight = rng.uniform(-1, 1, SHAPE).astype(np.float32)
    grads = rng.normal(0, 1, (NSTEPS,) + SHAPE).astype(np.float32)
    return weight, grads


def run_case(name, opt_name, kwargs, weight0, grads, arrays):
    opt = mx.optimizer.create(opt_name, **kwargs)
    updater = mx.optimizer.get_updater(opt)
    weight = mx.nd.array(weight0, dtype="float32")
    history = []
    grads_after = []
    lrs = []
    for step in range(NSTEPS):
        grad = mx.nd.array(grads[step], dtype="float32")
        updater(0, grad, weight)
        history.append(weight.asnumpy().copy())
        grads_after.append(grad.asnumpy().copy())
        lrs.append(opt.learning_rate)
    state = updater.states[0]
    state_arrays = flatten_state(state)
    grad_mutated = bool(not np.array_equal(np.stack(grads_after), grads))
    arrays[f"{name}/weight0"] = weight0
    arrays[f"{name}/grads"] = grads
    arrays[f"{name}/weights"] = np.stack(history)
    for i, arr in enumerate(state_arrays):
        arrays[f"{name}/state{i}"] = arr
    return {
        "optimizer": opt_name,
        "kwargs": kwargs,
        "hyper_params_after": hyper_params(opt),
        "weight0": weight0,
        "grads": grads,
        "weights_after_each_step": np.stack(history),
        "learning_rate_after_each_step": lrs,
        "index_update_count": {str(k): v for k, v in opt._index_update_count.items()},
        "num_update": opt.num_update,
        "final_state_structure": state_structure(state),
        "final_state": state_arrays,
        "grad_array_modified_in_place_by_update": grad_mutated,
        "grads_after_update_call": np.stack(grads_after) if grad_mutated else None,
    }


def run_scheduler_case(weight0, grads, arrays):
    """SGD driven by a FactorScheduler: lr is read from the scheduler at each update."""
    sched = mx.lr_scheduler.FactorScheduler(step=2, factor=0.5, base_lr=0.1)
    kwargs = {"momentum": 0.9, "lr_scheduler": "FactorScheduler(step=2, factor=0.5, "
                                                "base_lr=0.1)"}
    opt = mx.optimizer.SGD(momentum=0.9, lr_scheduler=sched)
    updater = mx.optimizer.get_updater(opt)
    weight = mx.nd.array(weight0)
    history, lrs = [], []
    for step in range(NSTEPS):
        updater(0, mx.nd.array(grads[step]), weight)
        history.append(weight.asnumpy().copy())
        lrs.append(opt._get_lr(0))
    arrays["sgd_factor_scheduler/weight0"] = weight0
    arrays["sgd_factor_scheduler/grads"] = grads
    arrays["sgd_factor_scheduler/weights"] = np.stack(history)
    return {
        "optimizer": "sgd",
        "kwargs": kwargs,
        "note": "lr used at step k (1-based num_update k) is sched(k); _get_lr(0) read after "
                "each step is listed in lr_used_each_step",
        "hyper_params_after": hyper_params(opt),
        "weight0": weight0,
        "grads": grads,
        "weights_after_each_step": np.stack(history),
        "lr_used_each_step": lrs,
    }


def run_mult_case(rng, arrays):
    """lr_mult / wd_mult with param_idx2name (one SGD case, three parameters)."""
    idx2name = {0: "fc1_weight", 1: "fc1_bias", 2: "fc2_weight", 3: "bn_gamma"}
    opt = mx.optimizer.SGD(learning_rate=0.1, momentum=0.9, wd=0.1,
                           param_idx2name=idx2name)
    wd_mult_default = dict(opt.wd_mult)
    opt.set_lr_mult({"fc2_weight": 0.5, 1: 2.0})
    opt.set_wd_mult({"fc2_weight": 3.0})
    updater = mx.optimizer.get_updater(opt)
    shapes = {0: (3, 4), 1: (3,), 2: (2, 3), 3: (3,)}
    weights0 = {i: rng.uniform(-1, 1, s).astype(np.float32) for i, s in shapes.items()}
    grads = {i: rng.normal(0, 1, (NSTEPS,) + s).astype(np.float32) for i, s in shapes.items()}
    weights = {i: mx.nd.array(w) for i, w in weights0.items()}
    history = {i: [] for i in shapes}
    for step in range(NSTEPS):
        for i in sorted(shapes):
            updater(i, mx.nd.array(grads[i][step]), weights[i])
            history[i].append(weights[i].asnumpy().copy())
    params = {}
    for i in sorted(shapes):
        name = idx2name[i]
        arrays[f"sgd_lr_wd_mult/{name}/weight0"] = weights0[i]
        arrays[f"sgd_lr_wd_mult/{name}/grads"] = grads[i]
        arrays[f"sgd_lr_wd_mult/{name}/weights"] = np.stack(history[i])
        params[name] = {
            "index": i,
            "effective_lr": opt._get_lr(i),
            "effective_wd": opt._get_wd(i),
            "weight0": weights0[i],
            "grads": grads[i],
            "weights_after_each_step": np.stack(history[i]),
        }
    return {
        "optimizer": "sgd",
        "kwargs": {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.1,
                   "param_idx2name": {str(k): v for k, v in idx2name.items()}},
        "calls": ["opt.set_lr_mult({'fc2_weight': 0.5, 1: 2.0})",
                  "opt.set_wd_mult({'fc2_weight': 3.0})"],
        "wd_mult_right_after_constructor": wd_mult_default,
        "lr_mult": {str(k): v for k, v in opt.lr_mult.items()},
        "wd_mult": {str(k): v for k, v in opt.wd_mult.items()},
        "update_order": "for each step: index 0, 1, 2, 3",
        "params": params,
    }


def describe_updater_states(weight0, grads):
    """Updater.get_states() is a pickle; describe it with pickletools (nothing is loaded)."""
    opt = mx.optimizer.SGD(learning_rate=0.1, momentum=0.9)
    updater = mx.optimizer.get_updater(opt)
    weight = mx.nd.array(weight0)
    updater(0, mx.nd.array(grads[0]), weight)
    raw = updater.get_states()
    ops = []
    for opcode, arg, _pos in pickletools.genops(raw):
        if isinstance(arg, bytes):
            arg = f"<{len(arg)} raw bytes>"
        ops.append(f"{opcode.name} {'' if arg is None else arg}".strip())
    return {
        "what": "mx.optimizer.get_updater(SGD(momentum=0.9)).get_states() after one update "
                "of index 0 with a float32 (3,4) weight",
        "is_pickle": raw[:1] == b"\x80",
        "pickle_protocol": raw[1],
        "num_bytes": len(raw),
        "pickletools_opcodes": ops,
        "note": "pickle of {index: state}; each NDArray pickles as "
                "NDArray.__reduce__ -> (NDArray, (None,), {'handle': <bytes of "
                "MXNDArraySaveRawBytes>}). Raw bytes are not stored here.",
    }


def main():
    rng = np.random.RandomState(SEED)
    mx.random.seed(SEED)
    weight0, grads = make_inputs(rng)
    arrays = {}
    cases = {}
    for name, opt_name, kwargs in CASES:
        cases[name] = run_case(name, opt_name, kwargs, weight0, grads, arrays)
    cases["sgd_factor_scheduler"] = run_scheduler_case(weight0, grads, arrays)
    defaults = {name: hyper_params(mx.optimizer.create(name)) for name in DEFAULT_OPTIMIZERS}
    payload = {
        "mxnet_version": mx.__version__,
        "seed": SEED,
        "protocol": "opt = mx.optimizer.create(name, **kwargs); "
                    "updater = mx.optimizer.get_updater(opt); for each grad g: "
                    "updater(0, g, weight) (weight updated in place); record weight",
        "weight_dtype": "float32",
        "cases": cases,
        "lr_wd_mult_case": run_mult_case(rng, arrays),
        "defaults": defaults,
        "updater_get_states": describe_updater_states(weight0, grads),
    }
    dump_json("optimizers.json", payload)
    dump_npz("optimizers.npz", arrays)


if __name__ == "__main__":
    main()
