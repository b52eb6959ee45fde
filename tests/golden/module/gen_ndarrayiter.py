"""Golden data for ``mx.io.NDArrayIter`` and ``mx.io.ResizeIter`` (MXNet 1.9.1).

Run in a separate venv that has the real MXNet::

    python -m venv /tmp/mxvenv && /tmp/mxvenv/bin/pip install mxnet==1.9.1 numpy==1.23.5
    /tmp/mxvenv/bin/python tests/golden/module/gen_ndarrayiter.py

Writes ``ndarrayiter.json``. Every case lists, per epoch, the batches produced by iterating
the iterator until StopIteration (``for batch in it``), then ``it.reset()`` before the next
epoch. Each batch records data (list, one entry per data source, in provide_data order),
label, pad, index, and the DataBatch's provide_data/provide_label (None for NDArrayIter).
"""

import mxnet as mx
import numpy as np
from _golden_util import dump_json

DATA = np.arange(10 * 2).reshape(10, 2)
LABEL = np.arange(10)
EPOCHS = 3


def desc(descs):
    if descs is None:
        return None
    return [{"name": d.name, "shape": list(d.shape), "dtype": np.dtype(d.dtype).name,
             "layout": d.layout, "repr": repr(d)} for d in descs]


def batch_record(batch):
    return {
        "data": [d.asnumpy().tolist() for d in batch.data],
        "data_dtype": [np.dtype(d.dtype).name for d in batch.data],
        "label": None if batch.label is None else [lab.asnumpy().tolist()
                                                   for lab in batch.label],
        "label_dtype": None if batch.label is None else [np.dtype(lab.dtype).name
                                                         for lab in batch.label],
        "pad": batch.pad,
        "index": None if batch.index is None else np.asarray(batch.index).tolist(),
        "provide_data": desc(batch.provide_data),
        "provide_label": desc(batch.provide_label),
        "str": str(batch),
    }


def run_epochs(it, epochs=EPOCHS):
    out = []
    for epoch in range(epochs):
        batches = [batch_record(b) for b in it]
        out.append({"epoch": epoch, "batches": batches,
                    "cursor_at_end": getattr(it, "cursor", None)})
        it.reset()
    return out


def iter_info(it):
    return {
        "provide_data": desc(it.provide_data),
        "provide_label": desc(it.provide_label),
        "provide_data_repr": repr(it.provide_data),
        "provide_label_repr": repr(it.provide_label),
        "batch_size": it.batch_size,
    }


def ndarrayiter_case(text, make):
    it = make()
    info = iter_info(it)
    info["created_with"] = text
    info["cursor_after_constructor"] = getattr(it, "cursor", None)
    info["epochs"] = run_epochs(it)
    return info


def manual_next_case():
    """Using next() by hand, including calls after StopIteration and hard_reset()."""
    it = mx.io.NDArrayIter(DATA, LABEL, batch_size=4, last_batch_handle="roll_over")
    events = []

    def step(what):
        try:
            batch = it.next()
            events.append({"call": what, "batch": batch_record(batch), "cursor": it.cursor})
        except StopIteration:
            events.append({"call": what, "result": "StopIteration", "cursor": it.cursor})

    for _ in range(4):
        step("next()")
    it.reset()
    events.append({"call": "reset()", "cursor": it.cursor})
    step("next()")
    it.hard_reset()
    events.append({"call": "hard_reset()", "cursor": it.cursor})
    step("next()")
    return {"created_with": "NDArrayIter(data, label, batch_size=4, "
                            "last_batch_handle='roll_over')",
            "events": events}


def main():
    cases = {}
    for handle in ["pad", "discard", "roll_over"]:
        text = ("mx.io.NDArrayIter(data, label, batch_size=4, shuffle=False, "
                f"last_batch_handle={handle!r})")
        cases["array_" + handle] = ndarrayiter_case(
            text, lambda h=handle: mx.io.NDArrayIter(DATA, LABEL, batch_size=4, shuffle=False,
                                                     last_batch_handle=h))
    dict_data = {"b": DATA * 10, "a": DATA}
    for handle in ["pad", "roll_over"]:
        text = ("mx.io.NDArrayIter({'b': data*10, 'a': data}, {'lab': label}, batch_size=4, "
                f"last_batch_handle={handle!r})")
        cases["dict_" + handle] = ndarrayiter_case(
            text, lambda h=handle: mx.io.NDArrayIter(dict_data, {"lab": LABEL}, batch_size=4,
                                                     last_batch_handle=h))
    cases["dict_data_default_label_name"] = ndarrayiter_case(
        "mx.io.NDArrayIter({'b': data*10, 'a': data}, label, batch_size=4)",
        lambda: mx.io.NDArrayIter(dict_data, LABEL, batch_size=4))
    cases["list_data_no_label"] = ndarrayiter_case(
        "mx.io.NDArrayIter([data, data*10], batch_size=4, last_batch_handle='discard')",
        lambda: mx.io.NDArrayIter([DATA, DATA * 10], batch_size=4,
                                  last_batch_handle="discard"))
    cases["float64_and_names"] = ndarrayiter_case(
        "mx.io.NDArrayIter(data.astype('float64'), label.astype('int32'), batch_size=5, "
        "data_name='x', label_name='y')",
        lambda: mx.io.NDArrayIter(DATA.astype("float64"), LABEL.astype("int32"), batch_size=5,
                                  data_name="x", label_name="y"))
    cases["nd_input_dtype"] = ndarrayiter_case(
        "mx.io.NDArrayIter(mx.nd.array(data, dtype='float64'), "
        "mx.nd.array(label, dtype='int32'), batch_size=5)",
        lambda: mx.io.NDArrayIter(mx.nd.array(DATA, dtype="float64"),
                                  mx.nd.array(LABEL, dtype="int32"), batch_size=5))
    cases["pad_batch_bigger_than_data"] = ndarrayiter_case(
        "mx.io.NDArrayIter(data[:3], label[:3], batch_size=8, last_batch_handle='pad')",
        lambda: mx.io.NDArrayIter(DATA[:3], LABEL[:3], batch_size=8, last_batch_handle="pad"))
    np.random.seed(3)
    cases["shuffle_seed3"] = ndarrayiter_case(
        "np.random.seed(3); mx.io.NDArrayIter(data, label, batch_size=4, shuffle=True, "
        "last_batch_handle='pad')  (uses numpy's global RNG: exact order is MXNet+numpy "
        "specific)",
        lambda: mx.io.NDArrayIter(DATA, LABEL, batch_size=4, shuffle=True,
                                  last_batch_handle="pad"))

    resize = {}
    base = mx.io.NDArrayIter(DATA, LABEL, batch_size=4, last_batch_handle="pad")
    rit = mx.io.ResizeIter(base, 7)
    info = iter_info(rit)
    info["created_with"] = ("mx.io.ResizeIter(mx.io.NDArrayIter(data, label, batch_size=4, "
                            "last_batch_handle='pad'), size=7)")
    info["epochs"] = run_epochs(rit, 2)
    resize["size7_pad"] = info
    base = mx.io.NDArrayIter(DATA, LABEL, batch_size=4, last_batch_handle="discard")
    rit = mx.io.ResizeIter(base, 7, reset_internal=False)
    info = iter_info(rit)
    info["created_with"] = ("mx.io.ResizeIter(mx.io.NDArrayIter(data, label, batch_size=4, "
                            "last_batch_handle='discard'), size=7, reset_internal=False)")
    info["epochs"] = run_epochs(rit, 2)
    resize["size7_discard_no_reset_internal"] = info
    base = mx.io.NDArrayIter(DATA, LABEL, batch_size=4, last_batch_handle="pad")
    rit = mx.io.ResizeIter(base, 2)
    info = iter_info(rit)
    info["created_with"] = ("mx.io.ResizeIter(mx.io.NDArrayIter(data, label, batch_size=4, "
                            "last_batch_handle='pad'), size=2)")
    info["epochs"] = run_epochs(rit, 2)
    resize["size2_pad"] = info

    dump_json("ndarrayiter.json", {
        "mxnet_version": mx.__version__,
        "data": DATA,
        "label": LABEL,
        "note": "data = np.arange(20).reshape(10, 2) (int64), label = np.arange(10) (int64). "
                "Epoch loop: batches = list(it); it.reset().",
        "cases": cases,
        "manual_next": manual_next_case(),
        "resize": resize,
        "datadesc_repr_examples": {
            "DataDesc('data', (32, 16))": repr(mx.io.DataDesc("data", (32, 16))),
            "DataDesc('x', (4,), 'int32', 'N')": repr(mx.io.DataDesc("x", (4,), "int32",
                                                                      "N")),
            "DataDesc.get_batch_axis('NCHW')": mx.io.DataDesc.get_batch_axis("NCHW"),
            "DataDesc.get_batch_axis('TNC')": mx.io.DataDesc.get_batch_axis("TNC"),
            "DataDesc.get_batch_axis(None)": mx.io.DataDesc.get_batch_axis(None),
        },
    })


if __name__ == "__main__":
    main()
