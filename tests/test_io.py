"""Tests for teachmod.io: behaviour, errors, and parity with MXNet 1.9.1 (golden data)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from teachmod import io as mxio
from teachmod.base import MXNetError
from teachmod.ndarray.ndarray import NDArray

GOLDEN = Path(__file__).parent / "golden" / "module" / "ndarrayiter.json"
DATA = np.arange(10 * 2).reshape(10, 2)
LABEL = np.arange(10)


def first_column(batch) -> list[float]:
    return batch.data[0].asnumpy()[:, 0].tolist()


def epochs(it, count: int = 3) -> list[list[tuple[list[float], int]]]:
    """Per epoch: (first column of data[0], pad) of every batch; reset between epochs."""
    result = []
    for _ in range(count):
        result.append([(first_column(batch), batch.pad) for batch in it])
        it.reset()
    return result


# ---- DataDesc / DataBatch --------------------------------------------------------------------
def test_datadesc_is_a_tuple_with_dtype_and_layout():
    desc = mxio.DataDesc("data", (32, 16))
    name, shape = desc
    assert (name, shape) == ("data", (32, 16))
    assert desc.dtype is np.float32 and desc.layout == "NCHW"
    assert repr(desc) == "DataDesc[data,(32, 16),<class 'numpy.float32'>,NCHW]"
    assert mxio.DataDesc.get_batch_axis("TNC") == 1
    descs = mxio.DataDesc.get_list([("a", (2,)), ("b", (3,))], [("a", np.int32), ("b", "f")])
    assert [d.dtype for d in descs] == [np.int32, "f"]


def test_databatch_str_and_validation():
    batch = mxio.DataBatch([NDArray(np.zeros((2, 3))), NDArray(np.zeros((7, 8)))],
                           [NDArray(np.zeros((4, 5)))])
    assert str(batch) == "DataBatch: data shapes: [(2, 3), (7, 8)] label shapes: [(4, 5)]"
    assert str(mxio.DataBatch([NDArray(np.zeros(2))])).endswith("label shapes: None")
    with pytest.raises(TypeError, match="data must be a list"):
        mxio.DataBatch(NDArray(np.zeros(2)))


# ---- NDArrayIter -------------------------------------------------------------------------------
def test_pad_discard_roll_over_sequences():
    pad = mxio.NDArrayIter(DATA, LABEL, batch_size=4, last_batch_handle="pad")
    assert epochs(pad, 2) == [[([0.0, 2.0, 4.0, 6.0], 0), ([8.0, 10.0, 12.0, 14.0], 0),
                               ([16.0, 18.0, 0.0, 2.0], 2)]] * 2
    discard = mxio.NDArrayIter(DATA, LABEL, batch_size=4, last_batch_handle="discard")
    assert epochs(discard, 2) == [[([0.0, 2.0, 4.0, 6.0], 0), ([8.0, 10.0, 12.0, 14.0], 0)]] * 2
    roll = mxio.NDArrayIter(DATA, LABEL, batch_size=4, last_batch_handle="roll_over")
    assert epochs(roll, 3) == [
        [([0.0, 2.0, 4.0, 6.0], 0), ([8.0, 10.0, 12.0, 14.0], 0)],
        [([16.0, 18.0, 0.0, 2.0], 2), ([4.0, 6.0, 8.0, 10.0], 0), ([12.0, 14.0, 16.0, 18.0], 0)],
        [([0.0, 2.0, 4.0, 6.0], 0), ([8.0, 10.0, 12.0, 14.0], 0)],
    ]


def test_labels_follow_data_and_dtypes():
    it = mxio.NDArrayIter(DATA.astype(np.float64), LABEL, batch_size=3, shuffle=True)
    for batch in it:
        data, label = batch.data[0].asnumpy(), batch.label[0].asnumpy()
        np.testing.assert_array_equal(data[:, 0] / 2, label)
        assert data.dtype == np.float32 and label.dtype == np.float32  # numpy -> float32
    it = mxio.NDArrayIter(NDArray(DATA.astype(np.float64)), batch_size=5)
    assert it.provide_data[0].dtype is np.float64  # NDArrays keep their dtype
    assert it.provide_label == []


def test_pad_larger_than_data_wraps_repeatedly():
    it = mxio.NDArrayIter(DATA[:3], LABEL[:3], batch_size=8)
    (batch,) = list(it)
    assert batch.label[0].asnumpy().tolist() == [0, 1, 2, 0, 1, 2, 0, 1]
    assert batch.pad == 5


def test_shuffle_uses_numpy_global_rng_and_composes_orders():
    np.random.seed(0)
    it = mxio.NDArrayIter(DATA, LABEL, batch_size=10, shuffle=True)
    first = next(iter(it)).label[0].asnumpy()
    it.reset()
    second = next(iter(it)).label[0].asnumpy()
    np.random.seed(0)
    index = np.arange(10)
    np.random.shuffle(index)
    np.testing.assert_array_equal(first, index)
    np.random.shuffle(index)  # MXNet reorders the already shuffled data by the reshuffled index
    np.testing.assert_array_equal(second, first[index])


def test_dict_and_list_inputs_are_named_and_sorted():
    it = mxio.NDArrayIter({"b": DATA, "a": DATA * 10}, {"lab": LABEL}, batch_size=5)
    assert [d.name for d in it.provide_data] == ["a", "b"]
    assert [d.name for d in it.provide_label] == ["lab"]
    it = mxio.NDArrayIter([DATA, DATA], [LABEL], batch_size=5, data_name="x")
    assert [d.name for d in it.provide_data] == ["_0_x", "_1_x"]
    assert it.provide_label[0].name == "softmax_label"


def test_unshuffled_batches_are_read_only_views():
    source = DATA.astype(np.float32)
    it = mxio.NDArrayIter(source, batch_size=4, last_batch_handle="discard")
    batch = it.next()
    assert not batch.data[0]._data.flags.writeable
    with pytest.raises(ValueError):
        batch.data[0][:] = 0
    source[0, 0] = 99  # the iterator copied the numpy input, as MXNet's mx.nd.array does
    it.reset()
    assert it.next().data[0].asnumpy()[0, 0] == 0


def test_low_level_protocol_and_roll_over_without_next():
    it = mxio.NDArrayIter(DATA, LABEL, batch_size=4, last_batch_handle="roll_over")
    for _ in range(3):
        assert it.iter_next()
    assert it.getlabel()[0].asnumpy().tolist() == [8.0, 9.0]  # the incomplete batch is visible
    it.reset()  # stopping at the incomplete batch rolls it over, as after next()
    assert it.iter_next() and it.getpad() == 2
    assert it.getdata()[0].asnumpy()[:, 0].tolist() == [16.0, 18.0, 0.0, 2.0]
    assert it.getindex() is None


def test_hard_reset_drops_rolled_over_examples():
    it = mxio.NDArrayIter(DATA, LABEL, batch_size=4, last_batch_handle="roll_over")
    list(it)
    it.hard_reset()
    assert it.next().pad == 0 and it.cursor == 0


def test_layout_with_batch_axis_not_first():
    data = np.arange(2 * 6).reshape(2, 6)  # (T, N)
    it = mxio.NDArrayIter(data, batch_size=4, layout="TN", last_batch_handle="pad")
    assert it.provide_data[0].shape == (2, 4)
    batches = [b.data[0].asnumpy() for b in it]
    np.testing.assert_array_equal(batches[1], data[:, [4, 5, 0, 1]])


@pytest.mark.parametrize("kwargs, message", [
    ({"batch_size": 0}, "batch_size must be a positive integer"),
    ({"batch_size": 2.5}, "batch_size must be a positive integer"),
    ({"last_batch_handle": "wrap"}, "last_batch_handle must be one of"),
    ({"label": LABEL[:9]}, r"same number of samples .*data 'data': 10, label 'softmax_label': 9"),
    ({"layout": "TC"}, "no batch axis"),
])
def test_bad_arguments(kwargs, message):
    arguments = {"data": DATA, "label": LABEL, "batch_size": 4, **kwargs}
    with pytest.raises(ValueError, match=message):
        mxio.NDArrayIter(**arguments)


def test_bad_data_types():
    with pytest.raises(TypeError, match="data must be an NDArray"):
        mxio.NDArrayIter("not an array")
    with pytest.raises(ValueError, match="data must not be None"):
        mxio.NDArrayIter(None)
    with pytest.raises(TypeError, match="invalid type"):
        mxio.NDArrayIter({"data": object()})


def test_reading_after_the_end_is_an_error():
    it = mxio.NDArrayIter(DATA, batch_size=5)
    list(it)
    with pytest.raises(MXNetError, match="reset"):
        it.getdata()


# ---- ResizeIter / PrefetchingIter -------------------------------------------------------------
def test_resize_iter_restarts_the_inner_iterator():
    base = mxio.NDArrayIter(DATA, LABEL, batch_size=4, last_batch_handle="discard")
    resized = mxio.ResizeIter(base, 3)
    assert [first_column(b)[0] for b in resized] == [0.0, 8.0, 0.0]
    assert resized.provide_data == base.provide_data and resized.batch_size == 4


def test_prefetching_iter_joins_and_renames():
    one = mxio.NDArrayIter({"data": DATA}, {"label": LABEL}, batch_size=5)
    two = mxio.NDArrayIter({"data": DATA * 10}, {"label": LABEL}, batch_size=5)
    joined = mxio.PrefetchingIter([one, two], rename_data=[{"data": "d1"}, {"data": "d2"}])
    assert [d.name for d in joined.provide_data] == ["d1", "d2"]
    assert [d.name for d in joined.provide_label] == ["label", "label"]
    assert joined.batch_size == 5
    batches = list(joined)
    assert len(batches) == 2 and len(batches[0].data) == 2
    assert batches[0].provide_data[1].name == "d2"
    np.testing.assert_array_equal(batches[1].data[1].asnumpy(), DATA[5:] * 10)
    joined.reset()
    assert len(list(joined)) == 2


def test_prefetching_iter_rejects_unequal_iterators():
    short = mxio.NDArrayIter(DATA[:5], batch_size=5)
    long = mxio.NDArrayIter(DATA, batch_size=5)
    joined = mxio.PrefetchingIter([long, short])
    joined.next()
    with pytest.raises(MXNetError, match="different numbers of batches"):
        joined.next()
    with pytest.raises(ValueError, match="rename_data needs one dict per iterator"):
        mxio.PrefetchingIter([long, short], rename_data=[{}])


# ---- CSVIter (expected sequences recorded from MXNet 1.9.1) -------------------------------------
@pytest.fixture()
def csv_files(tmp_path):
    def write(rows: int) -> tuple[str, str]:
        data, label = tmp_path / f"data{rows}.csv", tmp_path / f"label{rows}.csv"
        data.write_text("".join(f"{i * 10},{i * 10 + 1},{i * 10 + 2}\n" for i in range(rows)))
        label.write_text("".join(f"{i}\n" for i in range(rows)))
        return str(data), str(label)
    return write


# rows, batch_size, round_batch -> per epoch, (first column of data, pad) of each batch
CSV_EXPECTED = {
    (4, 3, True): [[([0, 10, 20], 0), ([30, 0, 10], 2)], [([20, 30, 0], 1)], [([10, 20, 30], 0)],
                   [([0, 10, 20], 0), ([30, 0, 10], 2)], [([20, 30, 0], 1)]],
    (4, 6, True): [[([0, 10, 20, 30, 0, 10], 2)], [([20, 30, 0, 10, 20, 30], 4)], [],
                   [([0, 10, 20, 30, 0, 10], 2)], [([20, 30, 0, 10, 20, 30], 4)]],
    (5, 4, True): [[([0, 10, 20, 30], 0), ([40, 0, 10, 20], 3)], [([30, 40, 0, 10], 2)],
                   [([20, 30, 40, 0], 1)], [([10, 20, 30, 40], 0)],
                   [([0, 10, 20, 30], 0), ([40, 0, 10, 20], 3)]],
    (4, 8, True): [[([0, 10, 20, 30, 0, 10, 20, 30], 4)], [],
                   [([0, 10, 20, 30, 0, 10, 20, 30], 4)], [],
                   [([0, 10, 20, 30, 0, 10, 20, 30], 4)]],
    (7, 4, False): [[([0, 10, 20, 30], 0), ([40, 50, 60, 30], 1)]] * 5,
    (4, 3, False): [[([0, 10, 20], 0), ([30, 10, 20], 2)]] * 5,
}


@pytest.mark.parametrize("rows, batch_size, round_batch", sorted(CSV_EXPECTED))
def test_csv_iter_matches_mxnet(csv_files, rows, batch_size, round_batch):
    data_csv, label_csv = csv_files(rows)
    it = mxio.CSVIter(data_csv=data_csv, data_shape=(3,), label_csv=label_csv,
                      batch_size=batch_size, round_batch=round_batch)
    result = []
    for _ in range(5):
        epoch = []
        for batch in it:
            column = batch.data[0].asnumpy()[:, 0]
            np.testing.assert_array_equal(batch.label[0].asnumpy() * 10, column)
            np.testing.assert_array_equal(batch.index, column // 10)
            epoch.append((column.tolist(), batch.pad))
        result.append(epoch)
        it.reset()
    assert result == CSV_EXPECTED[(rows, batch_size, round_batch)]


def test_csv_iter_shapes_names_and_dtypes(csv_files):
    data_csv, label_csv = csv_files(4)
    it = mxio.CSVIter(data_csv=data_csv, data_shape=(3, 1), batch_size=3)
    assert repr(it.provide_data) == "[DataDesc[data,(3, 3, 1),<class 'numpy.float32'>,NCHW]]"
    assert repr(it.provide_label) == "[DataDesc[softmax_label,(3,),<class 'numpy.float32'>,NCHW]]"
    assert it.next().label[0].asnumpy().tolist() == [0, 0, 0]  # no label_csv: zeros
    it = mxio.CSVIter(data_csv=data_csv, data_shape=(3,), label_csv=label_csv, batch_size=2,
                      dtype="int32", data_name="x", label_name="y")
    assert repr(it.provide_data) == "[DataDesc[x,(2, 3),<class 'numpy.int32'>,NCHW]]"
    assert repr(it.provide_label) == "[DataDesc[y,(2,),<class 'numpy.int32'>,NCHW]]"
    assert it.iter_next() and it.getdata().shape == (2, 3) and it.getpad() == 0


def test_csv_iter_errors(csv_files):
    data_csv, label_csv = csv_files(4)
    with pytest.raises(MXNetError, match=r"3 values but data_shape=\(4,\) needs 4"):
        mxio.CSVIter(data_csv=data_csv, data_shape=(4,), batch_size=2)
    with pytest.raises(MXNetError, match="too large"):
        mxio.CSVIter(data_csv=data_csv, data_shape=(3,), batch_size=9)
    with pytest.raises(MXNetError, match="does not exist"):
        mxio.CSVIter(data_csv=data_csv + ".missing", data_shape=(3,), batch_size=2)
    with pytest.raises(ValueError, match="dtype must be one of"):
        mxio.CSVIter(data_csv=data_csv, data_shape=(3,), batch_size=2, dtype="float16")
    with pytest.raises(TypeError):
        mxio.CSVIter(data_csv, (3,), 2)  # keyword arguments only, as in MXNet
    short_label = Path(label_csv).with_name("short.csv")
    short_label.write_text("0\n1\n")
    with pytest.raises(MXNetError, match="label_csv has 2 rows but data_csv has 4"):
        mxio.CSVIter(data_csv=data_csv, data_shape=(3,), label_csv=str(short_label),
                     batch_size=2)


# ---- golden parity with MXNet 1.9.1 --------------------------------------------------------------
def golden() -> dict:
    if not GOLDEN.exists():
        pytest.skip(f"golden data {GOLDEN} not generated")
    return json.loads(GOLDEN.read_text())


def describe(descs):
    if descs is None:
        return None
    return [{"name": d.name, "shape": list(d.shape), "dtype": np.dtype(d.dtype).name,
             "layout": d.layout, "repr": repr(d)} for d in descs]


def record(batch) -> dict:
    return {
        "data": [d.asnumpy().tolist() for d in batch.data],
        "data_dtype": [np.dtype(d.dtype).name for d in batch.data],
        "label": None if batch.label is None else [lab.asnumpy().tolist() for lab in batch.label],
        "label_dtype": None if batch.label is None else [np.dtype(lab.dtype).name
                                                         for lab in batch.label],
        "pad": batch.pad,
        "index": None if batch.index is None else np.asarray(batch.index).tolist(),
        "provide_data": describe(batch.provide_data),
        "provide_label": describe(batch.provide_label),
        "str": str(batch),
    }


def run_epochs(it, count: int) -> list[dict]:
    result = []
    for epoch in range(count):
        batches = [record(batch) for batch in it]
        result.append({"epoch": epoch, "batches": batches,
                       "cursor_at_end": getattr(it, "cursor", None)})
        it.reset()
    return result


def iterator_info(it) -> dict:
    return {"provide_data": describe(it.provide_data),
            "provide_label": describe(it.provide_label),
            "provide_data_repr": repr(it.provide_data),
            "provide_label_repr": repr(it.provide_label),
            "batch_size": it.batch_size}


DICT_DATA = {"b": DATA * 10, "a": DATA}
GOLDEN_ITERATORS = {
    **{f"array_{handle}": (lambda h=handle: mxio.NDArrayIter(
        DATA, LABEL, batch_size=4, shuffle=False, last_batch_handle=h))
       for handle in ["pad", "discard", "roll_over"]},
    **{f"dict_{handle}": (lambda h=handle: mxio.NDArrayIter(
        DICT_DATA, {"lab": LABEL}, batch_size=4, last_batch_handle=h))
       for handle in ["pad", "roll_over"]},
    "dict_data_default_label_name": lambda: mxio.NDArrayIter(DICT_DATA, LABEL, batch_size=4),
    "list_data_no_label": lambda: mxio.NDArrayIter([DATA, DATA * 10], batch_size=4,
                                                   last_batch_handle="discard"),
    "float64_and_names": lambda: mxio.NDArrayIter(DATA.astype("float64"), LABEL.astype("int32"),
                                                  batch_size=5, data_name="x", label_name="y"),
    "nd_input_dtype": lambda: mxio.NDArrayIter(NDArray(DATA.astype("float64")),
                                               NDArray(LABEL.astype("int32")), batch_size=5),
    "pad_batch_bigger_than_data": lambda: mxio.NDArrayIter(DATA[:3], LABEL[:3], batch_size=8,
                                                           last_batch_handle="pad"),
    "shuffle_seed3": lambda: (np.random.seed(3), mxio.NDArrayIter(
        DATA, LABEL, batch_size=4, shuffle=True, last_batch_handle="pad"))[1],
}


def test_golden_inputs_and_cases():
    data = golden()
    assert data["data"] == DATA.tolist() and data["label"] == LABEL.tolist()
    assert set(data["cases"]) == set(GOLDEN_ITERATORS)


@pytest.mark.parametrize("case_name", sorted(GOLDEN_ITERATORS))
def test_golden_ndarrayiter_batches(case_name):
    expected = golden()["cases"][case_name]
    it = GOLDEN_ITERATORS[case_name]()
    info = iterator_info(it)
    for key, value in info.items():
        assert value == expected[key], f"{case_name}: {key}"
    assert it.cursor == expected["cursor_after_constructor"]
    actual_epochs = run_epochs(it, len(expected["epochs"]))
    for actual, wanted in zip(actual_epochs, expected["epochs"]):
        assert actual == wanted, f"{case_name}: epoch {wanted['epoch']}"


def test_golden_manual_next_and_hard_reset():
    expected = golden()["manual_next"]["events"]
    it = mxio.NDArrayIter(DATA, LABEL, batch_size=4, last_batch_handle="roll_over")
    events = []

    def step(call: str) -> None:
        try:
            events.append({"call": call, "batch": record(it.next()), "cursor": it.cursor})
        except StopIteration:
            events.append({"call": call, "result": "StopIteration", "cursor": it.cursor})

    for _ in range(4):
        step("next()")
    it.reset()
    events.append({"call": "reset()", "cursor": it.cursor})
    step("next()")
    it.hard_reset()
    events.append({"call": "hard_reset()", "cursor": it.cursor})
    step("next()")
    assert events == expected


@pytest.mark.parametrize("case_name, handle, size, reset_internal, epoch_count", [
    ("size7_pad", "pad", 7, True, 2),
    ("size7_discard_no_reset_internal", "discard", 7, False, 2),
    ("size2_pad", "pad", 2, True, 2),
])
def test_golden_resize_iter(case_name, handle, size, reset_internal, epoch_count):
    expected = golden()["resize"][case_name]
    base = mxio.NDArrayIter(DATA, LABEL, batch_size=4, last_batch_handle=handle)
    it = mxio.ResizeIter(base, size, reset_internal=reset_internal)
    for key, value in iterator_info(it).items():
        assert value == expected[key], f"{case_name}: {key}"
    assert run_epochs(it, epoch_count) == expected["epochs"]


def test_golden_datadesc_reprs():
    expected = golden()["datadesc_repr_examples"]
    assert repr(mxio.DataDesc("data", (32, 16))) == expected["DataDesc('data', (32, 16))"]
    assert repr(mxio.DataDesc("x", (4,), "int32", "N")) == \
        expected["DataDesc('x', (4,), 'int32', 'N')"]
    for layout in ["NCHW", "TNC", None]:
        key = f"DataDesc.get_batch_axis({layout!r})"
        assert mxio.DataDesc.get_batch_axis(layout) == expected[key]


def test_roll_over_with_too_large_batch_is_a_clear_error():
    it = mxio.NDArrayIter(DATA[:3], LABEL[:3], batch_size=8, last_batch_handle="roll_over")
    assert list(it) == []  # MXNet 1.9.1: the 3 examples are kept for the next epoch
    it.reset()
    with pytest.raises(MXNetError, match="needs 5 new examples but there are only 3"):
        it.next()
