"""Fuzzing: hypothesis feeds random and damaged input to everything that reads user input.

Each property says: whatever the input, the code either works or raises a clean error
(``MXNetError``, ``ValueError`` or ``TypeError`` with a message) -- never another exception
or an allocation larger than the input. No deadline: a test may not depend on a machine's speed.

The run is short by default (the 'ci' profile in conftest.py); ``TEACHMOD_FUZZ=long`` runs
many more examples.
"""
from __future__ import annotations

import json
import math
import struct
import tracemalloc
import warnings

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import assume, event, example, given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import teachmod as mx  # noqa: E402
from teachmod.base import DTYPE_TO_FLAG, MXNetError  # noqa: E402
from teachmod.ndarray.ndarray import NDArray  # noqa: E402
from teachmod.ndarray.utils import load_bytes, save_bytes  # noqa: E402

CLEAN = (MXNetError, ValueError, TypeError)

# ==================================================================================================
# .params files
# ==================================================================================================
DTYPES = sorted(DTYPE_TO_FLAG, key=str)
EXTREMES = [0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 62, 2 ** 63 - 1, 2 ** 64 - 1]


@st.composite
def arrays(draw: st.DrawFn) -> NDArray:
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=1, max_size=4)))
    dtype = draw(st.sampled_from(DTYPES))
    values = np.arange(math.prod(shape)).reshape(shape).astype(dtype)
    return mx.nd.array(values, dtype=dtype)


@st.composite
def params_files(draw: st.DrawFn) -> tuple[bytes, object]:
    """A valid .params payload and what it holds (a list or a dict of NDArrays)."""
    items = draw(st.lists(arrays(), max_size=4))
    if draw(st.booleans()):
        names = draw(st.lists(st.text(max_size=12), min_size=len(items), max_size=len(items),
                              unique=True))
        data: object = dict(zip(names, items))
    else:
        data = items
    return save_bytes(data), data


@st.composite
def mutations(draw: st.DrawFn, payload: bytes) -> bytes:
    """``payload`` damaged by a few bit flips, cuts, insertions or extreme integers."""
    damaged = bytearray(payload)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "u64", "i32", "delete"]))
        at = draw(st.integers(0, max(len(damaged) - 1, 0)))
        if kind == "flip" and damaged:
            damaged[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del damaged[at:]
        elif kind == "insert":
            damaged[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            del damaged[at:at + draw(st.integers(1, 8))]
        elif kind == "u64" and len(damaged) >= at + 8:
            damaged[at:at + 8] = struct.pack("<Q", draw(st.sampled_from(EXTREMES)))
        elif kind == "i32" and len(damaged) >= at + 4:
            value = draw(st.sampled_from([-(2 ** 31), -1, 0, 1, 33, 2 ** 31 - 1]))
            damaged[at:at + 4] = struct.pack("<i", value)
    return bytes(damaged)


def load_or_clean_error(payload: bytes) -> object:
    """Load ``payload``; a refusal must be an MXNetError naming the cause. No amplification:
    what loads holds at most as many bytes as the file."""
    try:
        loaded = load_bytes(payload, "fuzz.params")
    except MXNetError as err:
        assert "fuzz.params" in str(err)
        return None
    arrays_loaded = loaded.values() if isinstance(loaded, dict) else loaded
    assert all(isinstance(a, NDArray) for a in arrays_loaded)
    assert sum(a._data.nbytes for a in arrays_loaded) <= len(payload)
    return loaded


@given(st.binary(max_size=600))
def test_params_reader_on_random_bytes(payload):
    load_or_clean_error(payload)


@given(st.binary(max_size=300))
def test_params_reader_on_random_bytes_after_a_valid_header(tail):
    load_or_clean_error(struct.pack("<QQ", 0x112, 0) + tail)


@given(params_files())
def test_params_files_round_trip(file):
    payload, data = file
    loaded = load_bytes(payload)
    if isinstance(data, dict):
        assert list(loaded) == list(data)
        pairs = [(loaded[k], data[k]) for k in data]
    else:
        pairs = list(zip(loaded, data))
    for got, want in pairs:
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got.asnumpy(), want.asnumpy())


@given(st.data())
def test_params_reader_on_damaged_files(data):
    payload, _ = data.draw(params_files())
    load_or_clean_error(data.draw(mutations(payload)))


@given(st.sampled_from(EXTREMES[1:]), st.integers(1, 4), st.sampled_from([1, 2, 4, 8]))
def test_absurd_shapes_in_a_params_header_allocate_nothing(size, ndim, itemsize):
    flag = {1: 3, 2: 2, 4: 0, 8: 1}[itemsize]
    header = (struct.pack("<QQQ", 0x112, 0, 1) + struct.pack("<Iii", 0xF993FAC9, 0, ndim)
              + struct.pack(f"<{ndim}q", *[min(size, 2 ** 63 - 1)] * ndim)
              + struct.pack("<iii", 1, 0, flag) + bytes(64) + struct.pack("<Q", 0))
    tracemalloc.start()
    try:
        with pytest.raises(MXNetError, match="needs .* bytes|impossible shape|unexpected bytes"):
            load_bytes(header, "absurd.params")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20, f"reading a {len(header)}-byte header allocated {peak} bytes"


@given(st.data())
def test_optimizer_states_reader_on_damaged_files(data):
    optimizer = mx.optimizer.create("sgd", momentum=0.9, learning_rate=0.1)
    updater = mx.optimizer.get_updater(optimizer)
    for index, shape in enumerate(data.draw(st.lists(st.tuples(st.integers(1, 3)), max_size=3))):
        updater(index, mx.nd.ones(shape), mx.nd.ones(shape))
    states = updater.get_states(dump_optimizer=data.draw(st.booleans()))
    damaged = data.draw(mutations(states))
    try:
        mx.optimizer.get_updater(optimizer).set_states(damaged)
    except MXNetError:
        pass


# ==================================================================================================
# Symbol JSON
# ==================================================================================================
def _cnn() -> mx.sym.Symbol:
    data = mx.sym.Variable("data")
    net = mx.sym.Convolution(data, kernel=(3, 3), num_filter=4, pad=(1, 1), name="conv1")
    net = mx.sym.BatchNorm(net, name="bn1")
    net = mx.sym.Activation(net, act_type="relu", name="relu1")
    left = mx.sym.Pooling(net, kernel=(2, 2), stride=(2, 2), pool_type="max", name="pool1")
    right = mx.sym.Pooling(net, kernel=(2, 2), stride=(2, 2), pool_type="avg", name="pool2")
    net = mx.sym.Concat(left, right, dim=1, name="cat")
    net = mx.sym.Dropout(mx.sym.Flatten(net), p=0.5, name="drop")
    net = mx.sym.FullyConnected(net, num_hidden=10, name="fc")
    return mx.sym.SoftmaxOutput(net, name="softmax")


def _mlp() -> mx.sym.Symbol:
    net = mx.sym.FullyConnected(mx.sym.Variable("data"), num_hidden=8, name="fc1")
    net = mx.sym.Activation(net, act_type="tanh", name="act")
    net = mx.sym.Reshape(mx.sym.FullyConnected(net, num_hidden=6, name="fc2"), shape=(-1, 2, 3))
    net = mx.sym.sum(net, axis=2) * 2 + 1
    return mx.sym.LinearRegressionOutput(net, name="out")


GRAPHS = {"cnn": (_cnn().tojson(), (2, 1, 8, 8)), "mlp": (_mlp().tojson(), (4, 5))}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 2 ** 40) | st.text(max_size=8)
    | st.sampled_from(["null", "FullyConnected", "(3, 3)", "(0,)", "-1", "1e9", "(2**40,)"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6),
                                                                      children, max_size=3),
    max_leaves=8)


@st.composite
def damaged_graphs(draw: st.DrawFn) -> tuple[str, tuple]:
    text, data_shape = GRAPHS[draw(st.sampled_from(sorted(GRAPHS)))]
    graph = json.loads(text)
    for _ in range(draw(st.integers(1, 3))):
        nodes = graph["nodes"]
        node = nodes[draw(st.integers(0, len(nodes) - 1))]
        kind = draw(st.sampled_from(["field", "delete", "input", "attr", "heads", "swap"]))
        if kind == "field":
            node[draw(st.sampled_from(["op", "name", "inputs", "attrs"]))] = draw(json_values)
        elif kind == "delete" and node:
            del node[draw(st.sampled_from(sorted(node)))]
        elif kind == "input" and isinstance(node.get("inputs"), list) and node["inputs"]:
            entry = node["inputs"][draw(st.integers(0, len(node["inputs"]) - 1))]
            if isinstance(entry, list) and entry:
                entry[draw(st.integers(0, len(entry) - 1))] = draw(
                    st.integers(-2, len(nodes) + 2) | json_values)
        elif kind == "attr" and isinstance(node.get("attrs"), dict) and node["attrs"]:
            key = draw(st.sampled_from(sorted(node["attrs"])))
            node["attrs"][key] = draw(st.sampled_from(
                ["0", "-1", "(0, 0)", "(2**40, 2)", "(1099511627776,)", "True", "relux", "",
                 "(3, 3, 3, 3)", "1e309", "nan", "None", "[1, [2]]"]))
        elif kind == "heads":
            graph["heads"] = draw(st.lists(st.lists(st.integers(-1, len(nodes) + 1),
                                                    min_size=1, max_size=3), max_size=2))
        elif kind == "swap":
            i, j = draw(st.integers(0, len(nodes) - 1)), draw(st.integers(0, len(nodes) - 1))
            nodes[i], nodes[j] = nodes[j], nodes[i]
    return json.dumps(graph), data_shape


@given(damaged_graphs())
def test_load_json_of_damaged_graphs(graph):
    text, data_shape = graph
    try:
        symbol = mx.sym.load_json(text)
    except MXNetError:
        event("json: refused by load_json")
        return
    # what loads must also answer the usual questions cleanly
    symbol.list_arguments(), symbol.list_outputs(), symbol.list_auxiliary_states()
    assert mx.sym.load_json(symbol.tojson()).tojson() == symbol.tojson()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            shapes = symbol.infer_shape_partial(data=data_shape)
        except MXNetError:
            event("json: loaded, refused by infer_shape")
            return
        try:
            executor = symbol.simple_bind(mx.cpu(), data=data_shape)
        except MXNetError:
            event("json: loaded, refused by simple_bind")
            return
        executor.arg_dict["data"][:] = np.random.default_rng(0).random(data_shape)
        with np.errstate(all="ignore"):
            executor.forward(is_train=True)
            executor.backward()
    event("json: loaded, bound, ran forward and backward")
    assert shapes is not None


@given(st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_load_json_of_random_text(text):
    with pytest.raises(MXNetError):
        mx.sym.load_json(text)


@given(st.integers(1, 3), st.integers(0, 40))
def test_load_json_of_a_deeply_nested_document(width, depth_thousands):
    text = "[" * (1000 * depth_thousands + width) + "]" * (1000 * depth_thousands + width)
    with pytest.raises(MXNetError):
        mx.sym.load_json('{"nodes": ' + text + ', "heads": [[0, 0, 0]]}')


# ==================================================================================================
# NDArrayIter arguments
# ==================================================================================================
def _sample_arrays(rows: int) -> st.SearchStrategy:
    return st.tuples(st.just(rows), st.integers(1, 3)).map(lambda s: np.ones(s, np.float32))


iter_data = st.one_of(
    st.integers(0, 9).flatmap(_sample_arrays),
    st.integers(1, 9).flatmap(lambda n: st.lists(_sample_arrays(n), min_size=1, max_size=3)),
    st.integers(1, 9).flatmap(lambda n: st.dictionaries(st.text(max_size=5), _sample_arrays(n),
                                                        min_size=1, max_size=2)),
    st.none(), st.text(max_size=5), st.integers(), st.lists(st.integers(), max_size=3),
)


@given(data=iter_data, label=st.none() | iter_data,
       batch_size=st.integers(-2, 12) | st.floats(allow_nan=True) | st.text(max_size=3)
       | st.none() | st.booleans(),
       shuffle=st.booleans(),
       last_batch_handle=st.sampled_from(["pad", "discard", "roll_over", "drop", "", None, 1]),
       names=st.tuples(st.text(max_size=5), st.text(max_size=5)),
       layout=st.sampled_from(["NCHW", "NC", "CN", "TNC", "CHW", ""]))
def test_ndarrayiter_arguments(data, label, batch_size, shuffle, last_batch_handle, names,
                               layout):
    try:
        it = mx.io.NDArrayIter(data, label, batch_size=batch_size, shuffle=shuffle,
                               last_batch_handle=last_batch_handle, data_name=names[0],
                               label_name=names[1], layout=layout)
    except CLEAN as err:
        assert str(err)
        return
    for _ in range(2):  # two epochs: every batch has batch_size examples along the batch axis
        batches = 0
        try:
            epoch = list(it)
        except MXNetError as err:  # a documented refusal: roll_over with too large a batch
            assert last_batch_handle == "roll_over" and it.batch_size > it.num_data, err
            return
        for batch in epoch:
            for array, desc in zip(batch.data + batch.label, it.provide_data + it.provide_label):
                assert array.shape == desc.shape
                assert array.shape[it.batch_axis] == it.batch_size
            assert 0 <= (batch.pad or 0) < it.batch_size
            batches += 1
        if last_batch_handle == "pad":
            assert batches == math.ceil(it.num_data / it.batch_size)
        elif last_batch_handle == "discard":
            assert batches == it.num_data // it.batch_size
        it.reset()


# ==================================================================================================
# Operator parameters
# ==================================================================================================
param_values = st.one_of(
    st.integers(-3, 9), st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none(),
    st.text(max_size=6),
    st.lists(st.integers(-2, 6), max_size=4).map(tuple),
    st.sampled_from(["(3, 3)", "(2,)", "(1, 1, 1)", "(0, 0)", "True", "false", "None", "max",
                     "avg", "sum", "lp", "valid", "full", "same", "NCHW", "NCW", "NHWC", "3",
                     "-1", "(2, -1)", "[2, 2]", "(1e3,)", "2**40"]),
)

OPERATORS = {
    "FullyConnected": {"num_hidden": 3},
    "Convolution": {"kernel": (2, 2), "num_filter": 2},
    "Pooling": {"kernel": (2, 2)},
}
PLAUSIBLE = {  # values that often make a working layer, so the fuzzer also reaches forward
    "num_hidden": st.integers(1, 5), "num_filter": st.integers(1, 4),
    "num_group": st.sampled_from([1, 2]), "no_bias": st.booleans(), "flatten": st.booleans(),
    "global_pool": st.booleans(), "pool_type": st.sampled_from(["max", "avg", "sum", "lp"]),
    "pooling_convention": st.sampled_from(["valid", "full", "same"]),
    "p_value": st.sampled_from([None, 1, 2, 3]), "count_include_pad": st.sampled_from([None, True,
                                                                                       False]),
    "layout": st.sampled_from([None, "NCW", "NCHW", "NCDHW"]),
}
WINDOWS = {"kernel": (1, 3), "stride": (1, 2), "dilate": (1, 2), "pad": (0, 1)}


@st.composite
def operator_calls(draw: st.DrawFn) -> tuple[str, dict, tuple]:
    """An operator, parameters (mostly plausible, some garbage) and a data shape."""
    name = draw(st.sampled_from(sorted(OPERATORS)))
    rank = draw(st.integers(1, 3))  # spatial dimensions of Convolution and Pooling
    known = sorted(mx.ops.registry.get(name).params)
    kwargs = dict(OPERATORS[name]) if draw(st.booleans()) else {}
    if "kernel" in kwargs:
        kwargs["kernel"] = (2,) * rank
    for key in draw(st.lists(st.sampled_from(known + ["kernal", "num_hiden", "name2"]),
                             max_size=4)):
        if key in WINDOWS and draw(st.integers(0, 3)):
            low, high = WINDOWS[key]
            kwargs[key] = draw(st.tuples(*[st.integers(low, high)] * rank))
        elif key in PLAUSIBLE and draw(st.integers(0, 3)):
            kwargs[key] = draw(PLAUSIBLE[key])
        else:
            kwargs[key] = draw(param_values)
    if draw(st.integers(0, 3)):
        data_shape = (draw(st.integers(1, 3)), draw(st.integers(1, 4)),
                      *draw(st.lists(st.integers(1, 7), min_size=rank, max_size=rank)))
    else:
        data_shape = tuple(draw(st.lists(st.integers(1, 6), min_size=1, max_size=5)))
    return name, kwargs, data_shape


@given(operator_calls())
# found by the random run: a 1-D input to flatten=False once reached matmul with a vector
@example(("FullyConnected", {"flatten": False, "num_hidden": 2}, (1,)))
def test_operator_parameters(call):
    name, kwargs, data_shape = call
    data = mx.sym.Variable("data")
    try:
        op = getattr(mx.sym, name)(data, name="layer", **kwargs)
    except MXNetError as err:
        assert "layer" in str(err)
        event("op: refused when created")
        return
    try:
        arg_shapes, out_shapes, aux_shapes = op.infer_shape_partial(data=data_shape)
    except MXNetError as err:
        assert "layer" in str(err) or "data" in str(err)
        event("op: refused by infer_shape")
        return
    assume(all(arg_shapes) and all(out_shapes))
    assume(max(math.prod(s) for s in arg_shapes + out_shapes) <= 20_000)
    executor = op.simple_bind(mx.cpu(), data=data_shape)
    rng = np.random.default_rng(0)
    for array in executor.arg_arrays:
        array[:] = rng.standard_normal(array.shape).astype(np.float32)
    with np.errstate(all="ignore"):
        outputs = executor.forward(is_train=True)
        executor.backward([mx.nd.ones(o.shape) for o in outputs])
    assert [o.shape for o in outputs] == [tuple(s) for s in out_shapes]
    event(f"op: {name} ran forward and backward")
