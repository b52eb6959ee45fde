"""Shared helpers for the MXNet 1.9.1 golden-data generators in this directory.

These scripts need the *real* MXNet, which teachmod does not depend on. Run them in a
separate virtual environment::

    python -m venv /tmp/mxvenv && /tmp/mxvenv/bin/pip install mxnet==1.9.1 numpy==1.23.5
    /tmp/mxvenv/bin/python tests/golden/module/gen_all.py

Outputs are JSON (arrays as nested lists, written with Python's ``json`` module) or ``.npz``
written with ``np.savez_compressed`` (no object arrays: load with ``allow_pickle=False``).
"""

import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
CHECKPOINT_DIR = os.path.join(REPO, "tests", "fixtures", "checkpoints")
LETTERS = os.environ.get(
    "TEACHMOD_LETTERS",
    os.path.join(os.path.dirname(REPO), "shared", "datasets", "letter-recognition.data"))


def to_jsonable(obj):
    """Convert numpy / MXNet values (recursively) into plain JSON-able Python values."""
    if hasattr(obj, "asnumpy"):
        obj = obj.asnumpy()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, type):
        return obj.__name__
    return obj


def dump_json(name, payload, directory=HERE):
    """Write ``payload`` as pretty JSON to ``directory/name`` and return the path."""
    path = os.path.join(directory, name)
    with open(path, "w") as fout:
        json.dump(to_jsonable(payload), fout, indent=1, sort_keys=False)
        fout.write("\n")
    print("wrote", os.path.relpath(path, REPO), os.path.getsize(path), "bytes")
    return path


def dump_npz(name, arrays, directory=HERE):
    """Write a dict of numpy arrays with ``np.savez_compressed`` (no object arrays)."""
    clean = {}
    for key, val in arrays.items():
        arr = val.asnumpy() if hasattr(val, "asnumpy") else np.asarray(val)
        if arr.dtype == object:
            raise TypeError(f"object array for key {key!r}")
        clean[key] = arr
    path = os.path.join(directory, name)
    np.savez_compressed(path, **clean)
    print("wrote", os.path.relpath(path, REPO), os.path.getsize(path), "bytes")
    return path


def seed_all(seed):
    """Seed numpy and MXNet random generators."""
    import mxnet as mx

    np.random.seed(seed)
    mx.random.seed(seed)


def mlp_symbol():
    """The seed MLP used throughout the teachmod tutorials."""
    import mxnet as mx

    data = mx.sym.Variable("data")
    fc1 = mx.sym.FullyConnected(data, name="fc1", num_hidden=64)
    act1 = mx.sym.Activation(fc1, name="relu1", act_type="relu")
    fc2 = mx.sym.FullyConnected(act1, name="fc2", num_hidden=26)
    return mx.sym.SoftmaxOutput(fc2, name="softmax")


def load_letters():
    """Load the UCI letters data as in the tutorial: (features float64 (N,16), labels)."""
    data = np.genfromtxt(LETTERS, delimiter=",")[:, 1:]
    with open(LETTERS) as fin:
        label = np.array([ord(line.split(",")[0]) - ord("A") for line in fin if line.strip()])
    return data, label
