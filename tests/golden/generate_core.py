"""Golden data for tests/test_core_api.py, from the real MXNet 1.9.1 (run only under MXNet).

    MXNET_MKLDNN_ENABLED=0 /work/mxvenv/bin/python tests/golden/generate_core.py

Writes tests/golden/core/core.json: the bytes ``mx.nd.save`` writes under legacy and NumPy shape
semantics, which indexing results share memory with the array, and the feature names of
``mx.runtime``, and what arithmetic on integer arrays gives. Deterministic: no random numbers.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import mxnet as mx
import numpy as np

OUT = Path(__file__).parent / "core" / "core.json"

# keys as strings (evaluated on a 4x5x6 array)
INDEX_KEYS = ["1", "slice(1, 3)", "(1, 2)", "(1, slice(2, 4))", "(slice(None), 1)",
              "slice(0, 4, 2)", "(Ellipsis, 1)", "(1, None)", "[0, 2]", "(1, 2, 3)"]


def saved_bytes(arrays: list, np_shape: bool) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        fname = os.path.join(tmp, "f")
        with mx.np_shape(np_shape):
            mx.nd.save(fname, arrays)
        return Path(fname).read_bytes().hex()


def shares_memory(key: str) -> bool:
    x = mx.nd.array(np.arange(120).reshape(4, 5, 6))
    y = x[eval(key)]  # noqa: S307 - our own literal keys
    before = y.asnumpy().copy()
    x[:] = -1
    return not np.array_equal(before, y.asnumpy())


# operator expressions on the int32 array a = [-7, 7, 3, 4], b = [2, 2, -2, -2], and the uint8
# array u = [250, 3]: a scalar is cast to the array's dtype first, results keep the dtype
INT_EXPRESSIONS = ["a / b", "a % b", "a * 2.5", "a + 0.7", "7.9 / a", "a > 3.5", "a % 2.5",
                   "a ** 0.5", "u + 10", "u - 5", "u * 2"]


def int_results() -> dict:
    a = mx.nd.array([-7, 7, 3, 4], dtype="int32")  # noqa: F841 - used by eval
    b = mx.nd.array([2, 2, -2, -2], dtype="int32")  # noqa: F841
    u = mx.nd.array([250, 3], dtype="uint8")  # noqa: F841
    results = {}
    for text in INT_EXPRESSIONS:
        value = eval(text)  # noqa: S307 - our own literal expressions
        results[text] = {"values": value.asnumpy().tolist(), "dtype": np.dtype(value.dtype).name}
    return results


def main() -> None:
    with mx.np_shape(True):
        scalar = mx.nd.array(np.float32(2.5))
        empty = mx.nd.zeros((0, 3))
    golden = {
        "legacy_save": saved_bytes([mx.nd.array([[1, 2, 3]]), mx.nd.array(np.zeros((2, 0, 1)))], False),
        "np_shape_save": saved_bytes([scalar, empty], True),
        "views": {key: shares_memory(key) for key in INDEX_KEYS},
        "features": list(mx.runtime.Features().keys()),
        "int_ops": int_results(),
        "shapes": {key: list(mx.nd.zeros((4, 5, 6))[eval(key)].shape)  # noqa: S307
                   for key in INDEX_KEYS},
    }
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
