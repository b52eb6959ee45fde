"""Golden values from Apache MXNet 1.9.1 for the shape, indexing and creation operators.

Runs under MXNet 1.9.1 only (the teachmod tests never import it); from the repository root::

    MXNET_MKLDNN_ENABLED=0 /work/mxvenv/bin/python tests/golden/generate_opsB.py

Writes ``tests/golden/opsB/cases.json`` and one ``<case_id>.npz`` per case, read by
``tests/ops/test_shape_ops.py::test_agrees_with_mxnet``, and ``graphs.json``: symbols saved
by MXNet with the output shapes MXNet infers for them (``test_reads_mxnet_json``). Each case binds a one-operator
symbol on the CPU in float32, runs forward and backward with random head gradients and stores
``in<i>``, ``out<i>``, ``head<i>`` and ``grad<i>`` (for the inputs listed in ``grads``).
Inputs come from ``np.random.RandomState(crc32(case_id))``: deterministic, and adding a case
leaves the others unchanged.
"""

import json
import os
import zlib

os.environ.setdefault("MXNET_MKLDNN_ENABLED", "0")

import mxnet as mx  # noqa: E402
import numpy as np  # noqa: E402

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "opsB")
F32 = np.float32


def normal(*shape):
    return lambda rs: rs.randn(*shape).astype(F32)


def distinct(*shape):
    def gen(rs):
        n = int(np.prod(shape))
        return ((rs.permutation(n) - n / 2.0) * 0.1).reshape(shape).astype(F32)
    return gen


def ints(low, high, *shape):
    return lambda rs: rs.randint(low, high, size=shape).astype(F32)


def const(values, dtype=F32):
    return lambda rs: np.array(values, dtype=dtype)


# (case id, operator, attrs, inputs, indices of inputs whose gradient is compared)
CASES = [
    ("reshape_like_range", "reshape_like", {"lhs_begin": 1, "rhs_begin": 1, "rhs_end": 3},
     [normal(2, 6), normal(5, 2, 3)], [0]),
    ("reshape_target_shape", "Reshape", {"target_shape": (7, 0, 2), "keep_highest": True},
     [normal(2, 3, 4)], [0]),
    ("squeeze_axes", "squeeze", {"axis": (0, 2)}, [normal(1, 3, 1, 2)], [0]),
    ("stack_axis_neg", "stack", {"axis": -1, "num_args": 2}, [normal(2, 3), normal(2, 3)],
     [0, 1]),
    ("repeat_axis", "repeat", {"repeats": 3, "axis": 1}, [normal(2, 3, 2)], [0]),
    ("repeat_flat", "repeat", {"repeats": 2}, [normal(2, 3)], [0]),
    ("tile_more_reps", "tile", {"reps": (2, 1, 3)}, [normal(2, 3)], [0]),
    ("reverse_two", "reverse", {"axis": (0, 2)}, [normal(2, 3, 4)], [0]),
    ("depth_to_space", "depth_to_space", {"block_size": 2}, [normal(2, 8, 2, 3)], [0]),
    ("space_to_depth", "space_to_depth", {"block_size": 2}, [normal(2, 3, 4, 6)], [0]),
    ("diag_2d_k1", "diag", {"k": 1}, [normal(3, 4)], [0]),
    ("diag_1d_kneg", "diag", {"k": -1}, [normal(4)], [0]),
    ("diag_3d_axes", "diag", {"k": -1, "axis1": 2, "axis2": 0}, [normal(3, 2, 4)], [0]),
    ("ravel", "_ravel_multi_index", {"shape": (3, 5)}, [const([[0, 2, 1], [3, 0, 4]])], []),
    ("unravel", "_unravel_index", {"shape": (-1, 5)}, [const([3, 10, 9])], []),
    ("split_v2_indices", "_split_v2", {"indices": (0, 1, 4), "axis": 1}, [normal(2, 5)], [0]),
    ("split_v2_sections", "_split_v2",
     {"indices": (), "sections": 3, "axis": 0, "squeeze_axis": True}, [normal(3, 2)], [0]),
    ("take_wrap", "take", {"axis": 1, "mode": "wrap"},
     [normal(2, 3, 4), const([[0, 4], [-1, 2]])], [0]),
    ("take_clip", "take", {}, [normal(3, 2), const([5, 0, 0])], [0]),
    ("batch_take", "batch_take", {}, [normal(3, 4), const([3, 0, 3], np.int32)], []),  # no FGradient
    ("pick_keepdims", "pick", {"axis": 0, "keepdims": True},
     [normal(3, 4), const([2, 0, 1, 2])], [0]),
    ("pick_wrap", "pick", {"axis": 1, "mode": "wrap"}, [normal(3, 4), const([5, -1, 2])], [0]),
    ("gather_nd", "gather_nd", {}, [normal(3, 4, 2), const([[0, 2, 0], [1, 3, 1]])], [0]),
    ("scatter_nd", "scatter_nd", {"shape": (3, 4, 2)},
     [normal(2, 2), const([[0, 2], [1, 3]])], [0]),
    ("slice_like_axes", "slice_like", {"axes": (0, -1)}, [normal(4, 3, 5), normal(2, 9, 3)],
     [0]),
    ("broadcast_to", "broadcast_to", {"shape": (2, 0, 4)}, [normal(1, 3, 1)], [0]),
    ("broadcast_axis", "broadcast_axis", {"axis": (0, 2), "size": (3, 2)}, [normal(1, 3, 1)],
     [0]),
    ("broadcast_like_axes", "broadcast_like", {"lhs_axes": (1,), "rhs_axes": (0,)},
     [normal(2, 1), normal(5, 7)], [0]),
    ("sort_desc", "sort", {"axis": 0, "is_ascend": False}, [distinct(3, 4)], [0]),
    ("argsort", "argsort", {"is_ascend": False}, [distinct(3, 4)], []),
    ("gemm2_ta", "_linalg_gemm2", {"transpose_a": True, "alpha": 2.0},
     [normal(2, 4, 3), normal(2, 4, 5)], [0, 1]),
    ("gemm_tb_axis0", "_linalg_gemm", {"transpose_b": True, "beta": -0.5, "axis": 0},
     [normal(3, 2, 4), normal(5, 2, 4), normal(3, 2, 5)], [0, 1, 2]),
    ("zeros", "_zeros", {"shape": (2, 3)}, [], []),
    ("full_int", "_full", {"shape": (2,), "value": 3.7, "dtype": "int32"}, [], []),
    ("arange_repeat", "_arange", {"start": 1, "stop": 3.1, "step": 0.5, "repeat": 2}, [], []),
    ("arange_stop_only", "_arange", {"start": 4}, [], []),
    ("linspace_open", "_linspace", {"start": -1, "stop": 2, "num": 4, "endpoint": False}, [],
     []),
    ("eye_k", "_eye", {"N": 3, "M": 5, "k": 2}, [], []),
]


def run_case(case_id, op_name, attrs, gens, compared):
    rs = np.random.RandomState(zlib.crc32(case_id.encode()))
    inputs = [g(rs) for g in gens]
    names = ["in%d" % i for i in range(len(inputs))]
    variables = [mx.sym.Variable(n) for n in names]
    make = (getattr(mx.sym, op_name, None) or getattr(mx.sym._internal, op_name, None)
            or getattr(mx.sym.linalg, op_name.replace("_linalg_", "")))
    sym = make(*variables, **attrs)
    args = {n: mx.nd.array(x, dtype=x.dtype) for n, x in zip(names, inputs)}
    # operators MXNet does not differentiate (batch_take, argsort ...) are bound without grads
    grads = {names[i]: mx.nd.zeros(inputs[i].shape) for i in compared}
    exe = sym.bind(mx.cpu(), args=args, args_grad=grads or None,
                   grad_req={n: "write" if n in grads else "null" for n in names})
    outputs = [o.asnumpy() for o in exe.forward(is_train=True)]
    heads = [rs.randn(*o.shape).astype(F32) for o in outputs]
    if grads:
        exe.backward([mx.nd.array(h) for h in heads])
    arrays = {f"in{i}": x for i, x in enumerate(inputs)}
    arrays.update({f"out{i}": o for i, o in enumerate(outputs)})
    arrays.update({f"head{i}": h for i, h in enumerate(heads)})
    arrays.update({f"grad{i}": grads[names[i]].asnumpy() for i in compared})
    return arrays, len(outputs)


def graphs():
    """Symbols written by MXNet (JSON) with the shapes MXNet infers for them."""
    x, i = mx.sym.var("x"), mx.sym.var("i")
    built = {
        "split_v2": (mx.sym.split_v2(x, (1, 3), axis=1), {"x": (2, 5)}),
        "take": (mx.sym.take(x, i, axis=1, mode="wrap"), {"x": (2, 5), "i": (3,)}),
        "pick": (mx.sym.pick(x, i, axis=1, keepdims=True), {"x": (2, 5), "i": (2,)}),
        "creation": (mx.sym.zeros((2, 3)) + mx.sym.ones((2, 3), dtype="float32")
                     + mx.sym.full((2, 3), 3) + x, {"x": (2, 3)}),
        "arange": (mx.sym.arange(1, 3, 0.5, repeat=2) + x, {"x": (8,)}),
        "eye_linspace": (mx.sym.Group([mx.sym.eye(3, 4, 1) + x, mx.sym.linspace(0, 1, 4) + i]),
                         {"x": (3, 4), "i": (4,)}),
        "tile_repeat": (mx.sym.repeat(mx.sym.tile(x, reps=(2, 1, 3)), repeats=2),
                        {"x": (2, 3)}),
        "argsort": (mx.sym.argsort(x, axis=0, dtype="int32"), {"x": (2, 3)}),
        "gemm": (mx.sym.linalg.gemm(x, i, mx.sym.var("c"), transpose_b=True, axis=0),
                 {"x": (2, 3), "i": (2, 3), "c": (2, 2)}),
        "reshape_like": (mx.sym.reshape_like(x, i, lhs_begin=0, lhs_end=1, rhs_begin=0,
                                             rhs_end=2), {"x": (6, 3), "i": (2, 3, 7)}),
        "broadcast": (mx.sym.broadcast_like(mx.sym.broadcast_axis(x, axis=1, size=4), i,
                                            lhs_axes=(0,), rhs_axes=(1,)),
                      {"x": (1, 1), "i": (3, 5)}),
        "diag_squeeze": (mx.sym.squeeze(mx.sym.diag(x, k=-1), axis=(-1,)), {"x": (2, 1, 3)}),
        "stack": (mx.sym.stack(x, i, axis=-1), {"x": (2, 3), "i": (2, 3)}),
        "reshape_target": (mx.sym.Reshape(x, target_shape=(0, 2)), {"x": (3, 4)}),
        "ravel": (mx.sym.unravel_index(mx.sym.ravel_multi_index(x, shape=(3, 4)),
                                       shape=(3, 4)), {"x": (2, 5)}),
        "depth_space": (mx.sym.space_to_depth(mx.sym.depth_to_space(x, block_size=2),
                                              block_size=2), {"x": (1, 8, 2, 2)}),
        "gather_scatter": (mx.sym.scatter_nd(mx.sym.gather_nd(x, i), i, shape=(3, 4)),
                           {"x": (3, 4), "i": (2, 5)}),
        "slice_like_sort": (mx.sym.sort(mx.sym.slice_like(x, i, axes=(1,)), axis=None),
                            {"x": (3, 4), "i": (1, 2)}),
        "flip_shape_array": (mx.sym.shape_array(mx.sym.flip(x, axis=(0, 1))), {"x": (3, 4)}),
    }
    return {name: {"json": sym.tojson(), "shapes": shapes,
                   "out_shapes": [list(s) for s in sym.infer_shape(**shapes)[1]]}
            for name, (sym, shapes) in built.items()}


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    records = []
    for case_id, op_name, attrs, gens, compared in CASES:
        arrays, num_outputs = run_case(case_id, op_name, attrs, gens, compared)
        np.savez(os.path.join(OUT_DIR, case_id + ".npz"), **arrays)
        records.append({"id": case_id, "op": op_name, "attrs": attrs, "num_inputs": len(gens),
                        "num_outputs": num_outputs, "grads": compared})
    with open(os.path.join(OUT_DIR, "cases.json"), "w") as f:
        json.dump(records, f, indent=1)
        f.write("\n")
    with open(os.path.join(OUT_DIR, "graphs.json"), "w") as f:
        json.dump(graphs(), f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote %d cases and the graphs to %s" % (len(records), OUT_DIR))


if __name__ == "__main__":
    main()
