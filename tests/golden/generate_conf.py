"""Golden values from MXNet 1.9.1 for the legacy element and slice-assignment operators:
choose_element_0index, fill_element_0index, _slice_assign (_crop_assign) and
_slice_assign_scalar. Writes tests/golden/conf/values.json (tests/ops/test_assign_ops.py
reads it). Run under MXNet: ``/tmp/mxvenv/bin/python tests/golden/generate_conf.py``.
"""
import json
import os
from pathlib import Path

os.environ.setdefault("MXNET_MKLDNN_ENABLED", "0")
import mxnet as mx  # noqa: E402
import numpy as np  # noqa: E402

OUT = Path(__file__).resolve().parent / "conf" / "values.json"


def main():
    rng = np.random.RandomState(7)
    lhs = rng.uniform(-1, 1, (4, 5)).astype(np.float32)
    idx = np.array([0, 4, 2, 2], np.float32)
    mhs = np.array([10, 20, 30, 40], np.float32)
    x = rng.uniform(-1, 1, (3, 4, 5)).astype(np.float32)
    part = rng.uniform(-1, 1, (2, 2, 3)).astype(np.float32)
    begin, end, step = (1, 0, 0), (3, 4, 5), (1, 2, 2)
    cases = {
        "inputs": {"lhs": lhs.tolist(), "idx": idx.tolist(), "mhs": mhs.tolist(),
                   "x": x.tolist(), "part": part.tolist()},
        "choose": mx.nd.choose_element_0index(mx.nd.array(lhs), mx.nd.array(idx)).asnumpy()
        .tolist(),
        "fill": mx.nd.fill_element_0index(mx.nd.array(lhs), mx.nd.array(mhs), mx.nd.array(idx))
        .asnumpy().tolist(),
        "slice_assign": mx.nd._internal._slice_assign(
            mx.nd.array(x), mx.nd.array(part), begin=begin, end=end, step=step).asnumpy()
        .tolist(),
        "crop_assign": mx.nd._internal._crop_assign(
            mx.nd.array(x), mx.nd.array(part), begin=begin, end=end, step=step).asnumpy()
        .tolist(),
        "slice_assign_scalar": mx.nd._internal._slice_assign_scalar(
            mx.nd.array(x), scalar=5.0, begin=(0, 1), end=(2, 3)).asnumpy().tolist(),
        "slice": {"begin": begin, "end": end, "step": step},
    }
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(cases) + "\n")
    print("wrote", OUT, OUT.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
