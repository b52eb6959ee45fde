"""Golden data from the real MXNet 1.9.1 for the operators of branch opsA.

Runs under MXNet 1.9.1 only (the teachmod tests never import it), from the repository root::

    MXNET_MKLDNN_ENABLED=0 /tmp/mxvenv/bin/python tests/golden/generate_opsA.py

It writes ``tests/golden/opsA/cases.json`` and one npz per case, in the format of
``generate_ops.py`` (whose ``run_case`` and input generators it uses), plus
``tests/golden/opsA/values.json``: results that are not float32 arrays (histogram counts,
casts, integer arithmetic), as lists.
"""

import json
import os
import shutil
import sys

import mxnet as mx
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import generate_ops as g  # noqa: E402

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "opsA")


def cases():
    add = g.add
    add("hard_sigmoid", "hard_sigmoid", {"data": g.away_from(3, 4, points=(-2.5, 2.5),
                                                             low=-4, high=4)})
    add("hard_sigmoid_params", "hard_sigmoid", {"data": g.away_from(3, 4, points=(-1, 1))},
        alpha=0.5, beta=0.5)
    add("gamma", "gamma", {"data": g.uniform(0.3, 4, 3, 4)})
    add("gammaln", "gammaln", {"data": g.uniform(0.3, 4, 3, 4)})
    add("erfinv", "erfinv", {"data": g.uniform(-0.9, 0.9, 3, 4)})
    add("smooth_l1", "smooth_l1", {"data": g.away_from(3, 4, points=(-0.25, 0.25))},
        scalar=2.0)
    add("moments_axes_1", "moments", {"data": g.normal(2, 3, 4)}, axes=(1,))
    add("moments_axes_02_keepdims", "moments", {"data": g.normal(2, 3, 4)}, axes=(0, 2),
        keepdims=True)
    add("argmax_channel", "argmax_channel", {"data": g.distinct(3, 4)}, is_train=False,
        no_grad=("data",))
    add("prelu_gamma_per_sample", "LeakyReLU", {"data": g.away_from(3, 4),
                                                "gamma": g.uniform(0.1, 0.5, 3, 4)},
        act_type="prelu")
    add("prelu_gamma_4d", "LeakyReLU", {"data": g.away_from(2, 3, 2, 2),
                                        "gamma": g.uniform(0.1, 0.5, 3)}, act_type="prelu")
    add("mod_negative", "broadcast_mod", {"lhs": g.away_from(3, 4, points=(0.0,), low=-5, high=5),
                                          "rhs": g.away_from(1, 4, points=(0.0,), low=-3,
                                                             high=3)})
    add("rmod_scalar", "_rmod_scalar", {"data": g.away_from(3, 4, points=(0.0,), low=-3,
                                                            high=3)},
        build=lambda v: 5.5 % v["data"])
    add("multi_all_finite", "multi_all_finite",
        {"a": g.normal(2, 3), "b": g.const(np.array([1.0, np.inf], np.float32))},
        num_arrays=2, positional=True, is_train=False, no_grad=("a", "b"))


def values():
    """Results MXNet gives in other types than float32."""
    nd = mx.nd
    x = nd.array([-1.5, 0.1, 0.5, 1.0, 2.0, 2.5, 3.0, 7.0])
    counts, edges = nd.histogram(x, bins=3, range=(0, 3))
    counts2, edges2 = nd.histogram(x, bins=nd.array([-2.0, 0.5, 1.0, 4.0]))
    ints = nd.array([-7, -3, 5, 7], dtype="int32")
    div = nd.array([2, 2, -3, 0], dtype="int32")
    half = nd.array([1.0, 65504.0, 70000.0, 1e-8], dtype="float32")
    scalar_ops = ["_plus_scalar", "_mul_scalar", "_div_scalar", "_rdiv_scalar", "_mod_scalar",
                  "_power_scalar", "_rpower_scalar", "_maximum_scalar", "_greater_scalar"]
    positive = nd.array([1, 2, 3, 7], dtype="int32")
    return {
        # integer data with a fractional scalar: MXNet converts the scalar to int first
        "int_scalar_2p5": {op: getattr(nd._internal, op)(positive, scalar=2.5).asnumpy().tolist()
                           for op in scalar_ops},
        "int_clip": nd.clip(ints, -3.5, 2.5).asnumpy().tolist(),
        "int_mean": nd.mean(ints).asnumpy().tolist(),
        "int8_sum": nd.sum(nd.array([100, 100], dtype="int8")).asnumpy().tolist(),
        "int_power": nd.broadcast_power(ints, nd.array([2, -1, 3, 1], dtype="int32"))
        .asnumpy().tolist(),
        "histogram_bin_cnt": [counts.asnumpy().tolist(), edges.asnumpy().tolist(),
                              str(counts.dtype.__name__)],
        "histogram_edges": [counts2.asnumpy().tolist(), edges2.asnumpy().tolist()],
        "int_div": nd.broadcast_div(ints, div[:3].reshape((3, 1))).asnumpy().tolist(),
        "int_mod": nd.broadcast_mod(ints, div[:3].reshape((3, 1))).asnumpy().tolist(),
        "int_div_scalar": (ints / 2).asnumpy().tolist(),
        "int_mod_scalar": (ints % 3).asnumpy().tolist(),
        "int_rdiv_scalar": (7 / ints).asnumpy().tolist(),
        "cast_float16": nd.cast(half, "float16").asnumpy().astype(np.float64).tolist(),
        "amp_cast_int": str(nd.amp_cast(ints, dtype="float16").dtype.__name__),
        "amp_multicast": [str(a.dtype.__name__) for a in nd.amp_multicast(
            half.astype("float16"), half, ints, num_outputs=3)],
        "amp_multicast_narrow": [str(a.dtype.__name__) for a in nd.amp_multicast(
            half.astype("float16"), half, num_outputs=2, cast_narrow=True)],
    }


def main():
    os.environ.setdefault("MXNET_MKLDNN_ENABLED", "0")
    os.environ.setdefault("MXNET_STORAGE_FALLBACK_LOG_VERBOSE", "0")
    cases()
    if os.path.isdir(OUT_DIR):
        shutil.rmtree(OUT_DIR)
    os.makedirs(OUT_DIR)
    entries = []
    for case in g.CASES:
        entry, arrays = g.run_case(case)
        np.savez_compressed(os.path.join(OUT_DIR, case.id + ".npz"), **arrays)
        entries.append(entry)
    with open(os.path.join(OUT_DIR, "cases.json"), "w") as f:
        json.dump(entries, f, indent=1)
        f.write("\n")
    with open(os.path.join(OUT_DIR, "values.json"), "w") as f:
        json.dump(values(), f, indent=1)
        f.write("\n")
    print(f"{len(entries)} cases written to {OUT_DIR}")


if __name__ == "__main__":
    main()
