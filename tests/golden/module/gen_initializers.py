"""Golden data for ``mx.init`` initializers (MXNet 1.9.1).

Run in a separate venv that has the real MXNet::

    python -m venv /tmp/mxvenv && /tmp/mxvenv/bin/pip install mxnet==1.9.1 numpy==1.23.5
    /tmp/mxvenv/bin/python tests/golden/module/gen_initializers.py

Writes ``initializers.json``. For every initializer and every array name it records either
the exception MXNet raised or: the statistics (mean, std, min, max) of the initialized
array, the theoretical bound/scale, which rule of ``Initializer.__call__`` was applied, and
the exact values when the result is deterministic (constant fills). Random draws come from
MXNet's own generator (``mx.random.seed(0)`` before each initializer), which teachmod does
not reproduce bit-for-bit, so only statistics are compared for them.
"""

import json
import math
import warnings

import mxnet as mx
import numpy as np
from _golden_util import dump_json

ARRAYS = [
    ("fc1_weight", (64, 16)),
    ("conv_weight", (32, 3, 3, 3)),
    ("fc1_bias", (64,)),
    ("bn_gamma", (32,)),
    ("bn_beta", (32,)),
    ("bn_moving_mean", (32,)),
    ("bn_moving_var", (32,)),
]

INITS = [
    ("Uniform(0.07)", lambda: mx.init.Uniform(0.07)),
    ("Uniform()", lambda: mx.init.Uniform()),
    ("Normal(0.02)", lambda: mx.init.Normal(0.02)),
    ("Normal()", lambda: mx.init.Normal()),
    ("Xavier()", lambda: mx.init.Xavier()),
    ("Xavier(rnd_type='uniform', factor_type='avg', magnitude=3)",
     lambda: mx.init.Xavier(rnd_type="uniform", factor_type="avg", magnitude=3)),
    ("Xavier(rnd_type='uniform', factor_type='in', magnitude=3)",
     lambda: mx.init.Xavier(rnd_type="uniform", factor_type="in", magnitude=3)),
    ("Xavier(rnd_type='uniform', factor_type='out', magnitude=3)",
     lambda: mx.init.Xavier(rnd_type="uniform", factor_type="out", magnitude=3)),
    ("Xavier(rnd_type='gaussian', factor_type='avg', magnitude=3)",
     lambda: mx.init.Xavier(rnd_type="gaussian", factor_type="avg", magnitude=3)),
    ("Xavier(rnd_type='gaussian', factor_type='in', magnitude=2.34)",
     lambda: mx.init.Xavier(rnd_type="gaussian", factor_type="in", magnitude=2.34)),
    ("Xavier(rnd_type='gaussian', factor_type='out', magnitude=2.34)",
     lambda: mx.init.Xavier(rnd_type="gaussian", factor_type="out", magnitude=2.34)),
    ("Xavier(rnd_type='uniform', factor_type='in', magnitude=2.34)",
     lambda: mx.init.Xavier(rnd_type="uniform", factor_type="in", magnitude=2.34)),
    ("MSRAPrelu()", lambda: mx.init.MSRAPrelu()),
    ("MSRAPrelu(factor_type='in', slope=0.0)",
     lambda: mx.init.MSRAPrelu(factor_type="in", slope=0.0)),
    ("Orthogonal()", lambda: mx.init.Orthogonal()),
    ("Orthogonal(scale=1.0, rand_type='normal')",
     lambda: mx.init.Orthogonal(scale=1.0, rand_type="normal")),
    ("Zero()", lambda: mx.init.Zero()),
    ("One()", lambda: mx.init.One()),
    ("Constant(0.5)", lambda: mx.init.Constant(0.5)),
]


def rule_for(name):
    """Which branch of Initializer.__call__ (InitDesc without __init__ attr) applies."""
    for suffix, rule in [("weight", "_init_weight"), ("bias", "_init_bias (0)"),
                         ("gamma", "_init_gamma (1)"), ("beta", "_init_beta (0)"),
                         ("min", "_init_zero"), ("max", "_init_one")]:
        if name.endswith(suffix):
            return rule
    return "_init_default (raises ValueError)"


def theory(init, shape):
    """Theoretical distribution of _init_weight for a given initializer and shape."""
    if isinstance(init, mx.init.Xavier):
        hw_scale = float(np.prod(shape[2:])) if len(shape) > 2 else 1.0
        fan_in, fan_out = shape[1] * hw_scale, shape[0] * hw_scale
        factor = {"avg": (fan_in + fan_out) / 2.0, "in": fan_in, "out": fan_out}[
            init.factor_type]
        scale = math.sqrt(init.magnitude / factor)
        out = {"fan_in": fan_in, "fan_out": fan_out, "factor": factor,
               "magnitude": init.magnitude, "scale": scale, "rnd_type": init.rnd_type}
        if init.rnd_type == "uniform":
            out.update(dist="uniform", low=-scale, high=scale, std=scale / math.sqrt(3))
        else:
            out.update(dist="normal", mean=0.0, std=scale)
        return out
    if isinstance(init, mx.init.Uniform):
        return {"dist": "uniform", "low": -init.scale, "high": init.scale,
                "std": init.scale / math.sqrt(3)}
    if isinstance(init, mx.init.Normal):
        return {"dist": "normal", "mean": 0.0, "std": init.sigma}
    if isinstance(init, mx.init.Orthogonal):
        nout, nin = shape[0], int(np.prod(shape[1:]))
        return {"dist": "orthogonal", "scale": init.scale, "rand_type": init.rand_type,
                "matrix_shape": [nout, nin],
                "property": "W = scale * (rows orthonormal if nout <= nin else columns "
                            "orthonormal), W reshaped from (nout, prod(shape[1:]))"}
    if isinstance(init, mx.init.Constant):
        return {"dist": "constant", "value": init.value}
    if isinstance(init, mx.init.One):
        return {"dist": "constant", "value": 1.0}
    if isinstance(init, mx.init.Zero):
        return {"dist": "constant", "value": 0.0}
    return None


def stats(arr):
    arr = arr.astype(np.float64)
    return {"mean": arr.mean(), "std": arr.std(), "min": arr.min(), "max": arr.max(),
            "abs_mean": np.abs(arr).mean()}


def orthogonality(arr, scale):
    """How orthogonal the (nout, nin) matrix is: max |W W^T / scale^2 - I| on the small side."""
    mat = arr.reshape(arr.shape[0], -1).astype(np.float64) / scale
    gram = mat @ mat.T if mat.shape[0] <= mat.shape[1] else mat.T @ mat
    return float(np.abs(gram - np.eye(gram.shape[0])).max())


def init_one(make, text, name, shape):
    mx.random.seed(0)
    init = make()
    arr = mx.nd.zeros(shape)
    result = {"shape": list(shape), "rule": rule_for(name)}
    try:
        init(mx.init.InitDesc(name), arr)
    except Exception as err:  # noqa: BLE001 - record whatever MXNet raises
        result["error"] = type(err).__name__
        result["message"] = str(err)
        return result
    val = arr.asnumpy()
    result["stats"] = stats(val)
    if result["rule"] == "_init_weight":
        result["theory"] = theory(init, shape)
        if isinstance(init, mx.init.Orthogonal):
            result["max_abs_gram_minus_identity"] = orthogonality(val, init.scale)
    if np.all(val == val.flat[0]):
        result["deterministic"] = True
        result["constant_value"] = float(val.flat[0])
    else:
        result["deterministic"] = False
        result["first_values"] = val.reshape(-1)[:8].tolist()
    return result


def mixed_case():
    mx.random.seed(0)
    init = mx.init.Mixed(["bias", ".*"], [mx.init.Zero(), mx.init.Uniform(0.1)])
    out = {"created_with": "mx.init.Mixed(['bias', '.*'], [mx.init.Zero(), "
                           "mx.init.Uniform(0.1)])",
           "matching": "re.match (anchored at the start of the name), first pattern wins",
           "arrays": {}}
    names = ["fc1_bias", "bias_only", "fc1_weight", "bn_gamma", "bn_moving_mean"]
    for name in names:
        arr = mx.nd.ones((16, 4)) * 7
        try:
            init(mx.init.InitDesc(name), arr)
            val = arr.asnumpy()
            out["arrays"][name] = {"stats": stats(val)}
        except Exception as err:  # noqa: BLE001
            out["arrays"][name] = {"error": type(err).__name__, "message": str(err)}
    return out


def attr_cases():
    """Initializer serialisation: dumps(), Variable(init=...) and BatchNorm aux attrs."""
    out = {"dumps": {}}
    for text, make in INITS + [("Mixed? (no dumps)", None)]:
        if make is None:
            continue
        out["dumps"][text] = make().dumps()
    out["dumps"]["Constant(np.array)"] = mx.init.Constant(np.array([1.0, 2.0])).dumps()
    var = mx.sym.Variable("w", init=mx.init.Xavier(magnitude=2))
    out["variable_w_init_attr"] = var.attr("__init__")
    out["variable_w_attr_dict"] = var.attr_dict()
    out["variable_w_tojson"] = json.loads(var.tojson())
    data = mx.sym.Variable("data")
    bn = mx.sym.BatchNorm(data, name="bn")
    out["batchnorm_attr_dict"] = bn.attr_dict()
    out["batchnorm_list_arguments"] = bn.list_arguments()
    out["batchnorm_list_auxiliary_states"] = bn.list_auxiliary_states()

    # Initializer called with an InitDesc carrying the attrs from the symbol
    mx.random.seed(0)
    attrs = bn.attr_dict()
    res = {}
    for name in ["bn_gamma", "bn_beta", "bn_moving_mean", "bn_moving_var"]:
        arr = mx.nd.ones((4,)) * 7
        mx.init.Uniform(0.07)(mx.init.InitDesc(name, attrs.get(name, None)), arr)
        res[name] = arr.asnumpy().tolist()
    out["uniform_with_batchnorm_attrs"] = res

    # Variable with an explicit init attr overrides the global initializer
    mx.random.seed(0)
    arr = mx.nd.zeros((64, 16))
    desc = mx.init.InitDesc("w", {"__init__": var.attr("__init__")})
    mx.init.Uniform(0.07)(desc, arr)
    out["variable_init_override"] = {
        "call": "mx.init.Uniform(0.07)(InitDesc('w', {'__init__': <xavier magnitude 2>}), "
                "zeros(64,16))",
        "stats": stats(arr.asnumpy()),
        "theory_scale": math.sqrt(2.0 / ((64 + 16) / 2.0)),
    }
    return out


def legacy_string_names():
    """init(str_name, arr) (legacy path, no InitDesc) for moving_* names."""
    out = {}
    for name in ["bn_moving_mean", "bn_moving_var", "bn_moving_inv_var", "bn_moving_avg",
                 "fc1_bias", "bn_gamma", "foo"]:
        arr = mx.nd.ones((3,)) * 7
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                mx.init.Uniform(0.07)(name, arr)
            out[name] = arr.asnumpy().tolist()
        except Exception as err:  # noqa: BLE001
            out[name] = f"{type(err).__name__}: {err}"
    return out


def main():
    results = {}
    for text, make in INITS:
        per_init = {}
        for name, shape in ARRAYS:
            per_init[name] = init_one(make, text, name, shape)
        results[text] = per_init
    dump_json("initializers.json", {
        "mxnet_version": mx.__version__,
        "protocol": "for each initializer: for each array: mx.random.seed(0); "
                    "arr = mx.nd.zeros(shape); init(mx.init.InitDesc(name), arr)",
        "arrays": {name: list(shape) for name, shape in ARRAYS},
        "results": results,
        "mixed": mixed_case(),
        "attrs": attr_cases(),
        "legacy_str_name_call": legacy_string_names(),
    })


if __name__ == "__main__":
    main()
