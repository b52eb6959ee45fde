"""Generate symbol-JSON fixtures from the real Apache MXNet 1.9.1.

This script runs under MXNet 1.9.1 only; the teachmod tests never import it.
Run it from the repository root::

    python -m venv /tmp/mxvenv && /tmp/mxvenv/bin/pip install mxnet==1.9.1 numpy==1.23.5 \
        && /tmp/mxvenv/bin/python tests/golden/generate_json.py

It writes, under ``tests/fixtures/json/``, for every graph ``<name>``:

* ``<name>.json``: exactly the bytes of ``sym.tojson()``;
* ``<name>.meta.json``: list_* results, attr_dict, infer_shape/infer_type results for the
  recorded input shapes/types, the JSON round trip through ``mx.sym.load_json``,
  ``repr``/``str``/``debug_str``;

and ``errors.json`` with the messages MXNet raises for a few user errors.  Every graph is
built inside a fresh ``mx.name.NameManager`` (or ``mx.name.Prefix``) so that automatic names
start from counter 0 and the output is deterministic.
"""

import contextlib
import io
import json
import os
import re
import sys
import warnings

import mxnet as mx
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from json_graphs import GRAPHS  # noqa: E402  (the graphs, shared with the teachmod tests)

OUT_DIR = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "json"
)


# ---------------------------------------------------------------------------
# Graphs
# ---------------------------------------------------------------------------




# ---------------------------------------------------------------------------
# Metadata
# ---------------------------------------------------------------------------


def shapes_dict(names, shapes):
    if shapes is None:
        return None
    return {n: list(s) for n, s in zip(names, shapes, strict=True)}


def types_dict(names, types):
    if types is None:
        return None
    return {n: np.dtype(t).name for n, t in zip(names, types, strict=True)}


def meta(sym, input_shapes):
    arg_names = sym.list_arguments()
    out_names = sym.list_outputs()
    aux_names = sym.list_auxiliary_states()
    arg_shapes, out_shapes, aux_shapes = sym.infer_shape(**input_shapes)
    arg_types, out_types, aux_types = sym.infer_type(**{k: "float32" for k in input_shapes})
    text = sym.tojson()
    roundtrip = mx.sym.load_json(text).tojson()
    return {
        "list_arguments": arg_names,
        "list_outputs": out_names,
        "list_auxiliary_states": aux_names,
        "list_inputs": sym.list_inputs(),
        "name": sym.name,
        "list_attr": sym.list_attr(),
        "attr_dict": sym.attr_dict(),
        "internals_list_outputs": sym.get_internals().list_outputs(),
        "infer_shape": {
            "input_shapes": {k: list(v) for k, v in input_shapes.items()},
            "arg_shapes": shapes_dict(arg_names, arg_shapes),
            "out_shapes": shapes_dict(out_names, out_shapes),
            "aux_shapes": shapes_dict(aux_names, aux_shapes),
        },
        "infer_type": {
            "input_types": {k: "float32" for k in input_shapes},
            "arg_types": types_dict(arg_names, arg_types),
            "out_types": types_dict(out_names, out_types),
            "aux_types": types_dict(aux_names, aux_types),
        },
        "roundtrip_tojson": roundtrip,
        "roundtrip_exact": roundtrip == text,
        "repr": repr(sym),
        "str": str(sym),
        "debug_str": sym.debug_str(),
    }


# ---------------------------------------------------------------------------
# Error messages
# ---------------------------------------------------------------------------


def _infer(sym, **shapes):
    return sym.infer_shape(**shapes)


ERRORS = {
    "unknown_parameter": lambda: mx.sym.FullyConnected(mx.sym.Variable("data"), num_hiden=64),
    "bad_act_type": lambda: mx.sym.Activation(mx.sym.Variable("data"), act_type="bad"),
    "missing_num_hidden": lambda: mx.sym.FullyConnected(mx.sym.Variable("data")),
    "op_attr_plain_key": lambda: mx.sym.Activation(
        mx.sym.Variable("data"), act_type="relu", attr={"foo": "bar"}
    ),
    "infer_shape_inconsistent": lambda: _infer(
        mx.sym.elemwise_add(mx.sym.Variable("a"), mx.sym.Variable("b")), a=(2, 3), b=(3, 2)
    ),
    "infer_shape_provided_mismatch": lambda: _infer(
        mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=3, name="fc"),
        data=(2, 4),
        fc_weight=(3, 5),
    ),
    "infer_shape_unknown_keyword": lambda: _infer(
        mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=3, name="fc"), dta=(2, 4)
    ),
}

TIME_STAMP = re.compile(r"\[\d\d:\d\d:\d\d\] ")


def errors():
    result = {}
    for key, trigger in ERRORS.items():
        stdout = io.StringIO()
        with mx.name.NameManager(), contextlib.redirect_stdout(stdout):
            try:
                trigger()
            except mx.base.MXNetError as err:
                message = TIME_STAMP.sub("[HH:MM:SS] ", str(err))
                result[key] = {
                    "exception": type(err).__name__,
                    "first_lines": message.strip().splitlines()[:2],
                    "message": message,
                    "printed_to_stdout": stdout.getvalue(),
                }
                continue
        raise AssertionError(f"{key} did not raise")

    # Not an error: infer_shape with too little information returns three Nones (and
    # issues a UserWarning), and a partially known graph is completed by inference.
    with mx.name.NameManager():
        fc = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=3, name="fc")
        add = mx.sym.elemwise_add(mx.sym.Variable("a"), mx.sym.Variable("b"))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            unknown = fc.infer_shape()
        result["infer_shape_not_enough_info (not an error)"] = {
            "result": list(unknown),
            "warning": [str(w.message) for w in caught],
        }
        result["infer_shape_completed_from_one_input (not an error)"] = {
            "result": [[list(s) for s in part] for part in add.infer_shape(a=(2, 3))],
        }
    return result


# ---------------------------------------------------------------------------


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def main():
    os.environ.setdefault("MXNET_SUBGRAPH_VERBOSE", "0")  # read lazily by MXNet
    os.makedirs(OUT_DIR, exist_ok=True)
    for name, (builder, input_shapes) in GRAPHS.items():
        sym = builder(mx)
        with open(os.path.join(OUT_DIR, name + ".json"), "w") as f:
            f.write(sym.tojson())
        write_json(os.path.join(OUT_DIR, name + ".meta.json"), meta(sym, input_shapes))
        print("wrote", name)
    write_json(os.path.join(OUT_DIR, "errors.json"), errors())
    print("wrote errors")


if __name__ == "__main__":
    main()
