"""Checkpoint fixtures written by MXNet 1.9.1 (for teachmod's load/compat tests).

Run in a separate venv that has the real MXNet::

    python -m venv /tmp/mxvenv && /tmp/mxvenv/bin/pip install mxnet==1.9.1 numpy==1.23.5
    /tmp/mxvenv/bin/python tests/golden/module/gen_checkpoints.py

Writes into ``tests/fixtures/checkpoints/``:

* ``mlp_mx-symbol.json``, ``mlp_mx-0003.params``, ``mlp_mx-0003.states``: the seed MLP
  trained 3 epochs on the UCI letters data (tutorial recipe), plus ``mlp_mx_predict.npz``
  (``data`` = first 64 validation rows as float32, ``label``, ``predict`` (64, 26)).
* ``cnn_mx-symbol.json``, ``cnn_mx-0002.params``: a small Conv/BatchNorm CNN trained 2 epochs
  on random 1x8x8 images, plus ``cnn_mx_predict.npz`` (``data`` (48,1,8,8), ``label``,
  ``predict`` (48, 3)).
* ``nd_save_list.params`` / ``nd_save_dict.params``: ``mx.nd.save`` of a list / a dict of
  arrays of several dtypes, described by ``nd_save_expected.json`` (exact values).
* ``checkpoints.json``: what each file holds (keys, shapes, dtypes), training recipe and
  accuracies, a byte-level description of the .params format (verified here by an
  independent pure-Python parser) and of the .states file (a pickle; described with
  ``pickletools`` without loading it).
"""

import json
import os
import pickletools
import struct

import mxnet as mx
import numpy as np
from _golden_util import CHECKPOINT_DIR, dump_json, dump_npz, load_letters, mlp_symbol, seed_all

# MXNet's type_flag codes (mshadow) as written in .params files
TYPE_FLAGS = {0: "float32", 1: "float64", 2: "float16", 3: "uint8", 4: "int32", 5: "int8",
              6: "int64", 7: "bool", 8: "int16", 9: "uint16", 10: "uint32", 11: "uint64",
              12: "bfloat16"}
LIST_MAGIC = 0x112
NDARRAY_V1_MAGIC = 0xF993FAC8
NDARRAY_V2_MAGIC = 0xF993FAC9
NDARRAY_V3_MAGIC = 0xF993FACA


def parse_ndarray(buf, pos):
    """Parse one NDArray record (dense only). Returns (array, new_pos, header-info)."""
    (magic,) = struct.unpack_from("<I", buf, pos)
    pos += 4
    info = {"magic": hex(magic)}
    if magic not in (NDARRAY_V2_MAGIC, NDARRAY_V3_MAGIC):
        raise ValueError(f"unsupported NDArray magic {hex(magic)}")
    (stype,) = struct.unpack_from("<i", buf, pos)
    pos += 4
    info["stype"] = stype
    if stype != 0:
        raise ValueError("only dense (stype 0) supported")
    (ndim,) = struct.unpack_from("<I", buf, pos)
    pos += 4
    shape = struct.unpack_from(f"<{ndim}q", buf, pos)
    pos += 8 * ndim
    dev_type, dev_id, type_flag = struct.unpack_from("<iii", buf, pos)
    pos += 12
    dtype = np.dtype(TYPE_FLAGS[type_flag])
    count = int(np.prod(shape)) if ndim else 1
    arr = np.frombuffer(buf, dtype=dtype.newbyteorder("<"), count=count, offset=pos)
    pos += count * dtype.itemsize
    info.update(ndim=ndim, shape=list(shape), dev_type=dev_type, dev_id=dev_id,
                type_flag=type_flag, dtype=dtype.name)
    return arr.reshape(shape).astype(dtype), pos, info


def parse_params_file(path):
    """Independent parser of mx.nd.save files -> (list of arrays, list of names, headers)."""
    with open(path, "rb") as fin:
        buf = fin.read()
    header, reserved = struct.unpack_from("<QQ", buf, 0)
    assert header == LIST_MAGIC and reserved == 0, (header, reserved)
    pos = 16
    (num,) = struct.unpack_from("<Q", buf, pos)
    pos += 8
    arrays, infos = [], []
    for _ in range(num):
        arr, pos, info = parse_ndarray(buf, pos)
        arrays.append(arr)
        infos.append(info)
    (nnames,) = struct.unpack_from("<Q", buf, pos)
    pos += 8
    names = []
    for _ in range(nnames):
        (length,) = struct.unpack_from("<Q", buf, pos)
        pos += 8
        names.append(buf[pos:pos + length].decode("utf-8"))
        pos += length
    assert pos == len(buf), (pos, len(buf))
    return arrays, names, infos


def describe_params(path):
    """Keys/shapes/dtypes of a .params file, cross-checked between mx.nd.load and our parser."""
    loaded = mx.nd.load(path)
    arrays, names, infos = parse_params_file(path)
    if isinstance(loaded, dict):
        assert sorted(loaded) == sorted(names)
        for name, arr in zip(names, arrays, strict=True):
            np.testing.assert_array_equal(loaded[name].asnumpy(), arr)
    else:
        for ref, arr in zip(loaded, arrays, strict=True):
            np.testing.assert_array_equal(ref.asnumpy(), arr)
    return {
        "file_size": os.path.getsize(path),
        "names_in_file_order": names,
        "arrays": [{"name": n if names else None, "shape": i["shape"], "dtype": i["dtype"],
                    "type_flag": i["type_flag"], "magic": i["magic"],
                    "dev_type": i["dev_type"], "dev_id": i["dev_id"]}
                   for n, i in zip(names or [None] * len(infos), infos, strict=True)],
        "parser_agrees_with_mx_nd_load": True,
    }


def describe_states(path):
    """The .states file is a pickle: disassemble it (nothing is unpickled)."""
    with open(path, "rb") as fin:
        raw = fin.read()
    ops = []
    for opcode, arg, _pos in pickletools.genops(raw):
        if isinstance(arg, (bytes, bytearray)):
            arg = f"<{len(arg)} raw bytes>"
        ops.append(f"{opcode.name} {'' if arg is None else arg}".strip())
    return {"file_size": len(raw), "pickle_protocol": raw[1], "pickletools_opcodes": ops}


def train_mlp(data, label):
    seed_all(42)
    ntrain = 16000
    train_iter = mx.io.NDArrayIter(data[:ntrain], label[:ntrain], batch_size=32, shuffle=True)
    val_iter = mx.io.NDArrayIter(data[ntrain:], label[ntrain:], batch_size=32)
    mod = mx.mod.Module(mlp_symbol())
    mod.fit(train_iter, eval_data=val_iter, optimizer="sgd",
            optimizer_params={"learning_rate": 0.1}, eval_metric="acc", num_epoch=3)
    prefix = os.path.join(CHECKPOINT_DIR, "mlp_mx")
    mod.save_checkpoint(prefix, 3, save_optimizer_states=True)
    val_acc = mod.score(val_iter, "acc")[0][1]

    rows = data[ntrain:ntrain + 64].astype(np.float32)
    pred_iter = mx.io.NDArrayIter(rows, label[ntrain:ntrain + 64].astype(np.float32),
                                  batch_size=32)
    pred = mod.predict(pred_iter).asnumpy()
    dump_npz("mlp_mx_predict.npz", {"data": rows,
                                    "label": label[ntrain:ntrain + 64].astype(np.float32),
                                    "predict": pred}, CHECKPOINT_DIR)
    return {
        "recipe": [
            ("data = np.genfromtxt(letters, delimiter=',')[:, 1:]; "
             "label = ord(first column) - ord('A')"),
            "mx.random.seed(42); np.random.seed(42)",
            ("train_iter = NDArrayIter(data[:16000], label[:16000], batch_size=32, "
             "shuffle=True)"),
            "val_iter = NDArrayIter(data[16000:], label[16000:], batch_size=32)",
            ("mod = mx.mod.Module(mlp); mod.fit(train_iter, eval_data=val_iter, "
             "optimizer='sgd', optimizer_params={'learning_rate': 0.1}, eval_metric='acc', "
             "num_epoch=3)   # default initializer Uniform(0.01)"),
            "mod.save_checkpoint('mlp_mx', 3, save_optimizer_states=True)",
        ],
        "val_accuracy_after_training": val_acc,
        "predict_npz": "mlp_mx_predict.npz: data (64,16) float32 = data[16000:16064], label "
                       "(64,), predict (64,26) = mod.predict(NDArrayIter(data, label, "
                       "batch_size=32))",
        "predict_accuracy_on_64_rows": float((pred.argmax(1) == label[ntrain:ntrain + 64])
                                             .mean()),
        "symbol_list_arguments": mod.symbol.list_arguments(),
        "symbol_list_outputs": mod.symbol.list_outputs(),
        "params": describe_params(prefix + "-0003.params"),
        "states": describe_states(prefix + "-0003.states"),
    }


def cnn_symbol():
    data = mx.sym.Variable("data")
    net = mx.sym.Convolution(data, name="conv", num_filter=4, kernel=(3, 3), pad=(1, 1))
    net = mx.sym.BatchNorm(net, name="bn")
    net = mx.sym.Activation(net, name="relu", act_type="relu")
    net = mx.sym.Pooling(net, name="pool", pool_type="max", kernel=(2, 2), stride=(2, 2))
    net = mx.sym.FullyConnected(net, name="fc", num_hidden=3)
    return mx.sym.SoftmaxOutput(net, name="softmax")


def make_images(rng, n):
    """Random 1x8x8 images; the class is the brightest of three vertical bands."""
    imgs = rng.normal(0, 1, (n, 1, 8, 8)).astype(np.float32)
    label = rng.randint(0, 3, n)
    for i, lab in enumerate(label):
        cols = [slice(0, 3), slice(3, 5), slice(5, 8)][lab]
        imgs[i, 0, :, cols] += 1.0
    return imgs, label.astype(np.float32)


def train_cnn():
    seed_all(7)
    rng = np.random.RandomState(7)
    x_train, y_train = make_images(rng, 320)
    x_test, y_test = make_images(rng, 48)
    train_iter = mx.io.NDArrayIter(x_train, y_train, batch_size=16, shuffle=True)
    mod = mx.mod.Module(cnn_symbol())
    mod.fit(train_iter, optimizer="sgd",
            optimizer_params={"learning_rate": 0.1, "momentum": 0.9},
            initializer=mx.init.Xavier(), eval_metric="acc", num_epoch=2)
    prefix = os.path.join(CHECKPOINT_DIR, "cnn_mx")
    mod.save_checkpoint(prefix, 2)
    pred = mod.predict(mx.io.NDArrayIter(x_test, y_test, batch_size=16)).asnumpy()
    dump_npz("cnn_mx_predict.npz", {"data": x_test, "label": y_test, "predict": pred},
             CHECKPOINT_DIR)
    arg_params, aux_params = mod.get_params()
    return {
        "symbol": "data -> Convolution(name='conv', num_filter=4, kernel=(3,3), pad=(1,1)) -> "
                  "BatchNorm(name='bn') -> Activation(name='relu', act_type='relu') -> "
                  "Pooling(name='pool', pool_type='max', kernel=(2,2), stride=(2,2)) -> "
                  "FullyConnected(name='fc', num_hidden=3) -> SoftmaxOutput(name='softmax')",
        "recipe": [
            "mx.random.seed(7); np.random.seed(7); rng = np.random.RandomState(7)",
            ("images N(0,1) of shape (1,8,8); label = argmax band (cols 0-2, 3-4, 5-7) "
             "which gets +1.0"),
            "train: 320 images, NDArrayIter(batch_size=16, shuffle=True); test: 48 images",
            ("mod.fit(train_iter, optimizer='sgd', optimizer_params={'learning_rate': 0.1, "
             "'momentum': 0.9}, initializer=mx.init.Xavier(), eval_metric='acc', num_epoch=2)"),
            "mod.save_checkpoint('cnn_mx', 2)",
        ],
        "predict_npz": "cnn_mx_predict.npz: data (48,1,8,8) float32, label (48,), predict "
                       "(48,3) = mod.predict(NDArrayIter(data, label, batch_size=16)) "
                       "(inference mode: BatchNorm uses moving_mean/moving_var)",
        "predict_accuracy": float((pred.argmax(1) == y_test).mean()),
        "symbol_list_arguments": mod.symbol.list_arguments(),
        "symbol_list_auxiliary_states": mod.symbol.list_auxiliary_states(),
        "arg_shapes": {k: list(v.shape) for k, v in arg_params.items()},
        "aux_shapes": {k: list(v.shape) for k, v in aux_params.items()},
        "bn_moving_var_min": float(aux_params["bn_moving_var"].asnumpy().min()),
        "params": describe_params(prefix + "-0002.params"),
    }


def nd_save_files():
    lst = [mx.nd.array(np.arange(6).reshape(2, 3) / 4.0 - 0.5, dtype="float32"),
           mx.nd.array([-3, 0, 7, 2147483647], dtype="int32")]
    dct = {
        "f64": mx.nd.array(np.array([np.pi, -1e-300]), dtype="float64"),
        "f16": mx.nd.array(np.array([[0.5], [-2.25], [65504.0]]), dtype="float16"),
        "u8": mx.nd.array(np.array([0, 1, 127, 128, 255]), dtype="uint8"),
        "i64": mx.nd.array(np.array([[-(2 ** 40), 5], [2 ** 53, -1]]), dtype="int64"),
    }
    list_path = os.path.join(CHECKPOINT_DIR, "nd_save_list.params")
    dict_path = os.path.join(CHECKPOINT_DIR, "nd_save_dict.params")
    mx.nd.save(list_path, lst)
    mx.nd.save(dict_path, dct)
    reloaded = mx.nd.load(dict_path)
    expected = {
        "mxnet_version": mx.__version__,
        "nd_save_list.params": {
            "written_with": "mx.nd.save(path, [a0, a1])",
            "mx_nd_load_returns": type(mx.nd.load(list_path)).__name__,
            "arrays": [{"dtype": np.dtype(a.dtype).name, "shape": list(a.shape),
                        "values": a.asnumpy().tolist()} for a in lst],
        },
        "nd_save_dict.params": {
            "written_with": "mx.nd.save(path, {'f64': ..., 'f16': ..., 'u8': ..., 'i64': ...})",
            "mx_nd_load_returns": type(reloaded).__name__,
            "key_order_in_file": parse_params_file(dict_path)[1],
            "arrays": {k: {"dtype": np.dtype(v.dtype).name, "shape": list(v.shape),
                           "values": v.asnumpy().tolist()} for k, v in dct.items()},
        },
        "int64_note": "i64 holds -(2**40) and 2**53: exact int64 values (type_flag 6)",
        "file_descriptions": {"nd_save_list.params": describe_params(list_path),
                              "nd_save_dict.params": describe_params(dict_path)},
    }
    dump_json("nd_save_expected.json", expected, CHECKPOINT_DIR)


PARAMS_FORMAT = [
    "All integers little-endian.",
    "uint64 0x112 (list magic), uint64 0 (reserved)",
    "uint64 N = number of arrays; then N NDArray records:",
    ("  uint32 magic 0xF993FAC9 (NDARRAY_V2_MAGIC; 0xF993FACA = V3 is written only in "
     "numpy-shape mode)"),
    "  int32 storage type (0 = dense)",
    "  uint32 ndim, then ndim x int64 dims",
    "  int32 dev_type (1 = cpu), int32 dev_id (0)",
    ("  int32 type_flag: 0 float32, 1 float64, 2 float16, 3 uint8, 4 int32, 5 int8, 6 int64, "
     "7 bool"),
    "  raw C-order data, prod(shape) * itemsize bytes",
    ("uint64 K = number of names (0 for a list save, N for a dict save); then K x "
     "(uint64 length, utf-8 bytes)"),
    "Module/model checkpoints name arrays 'arg:<name>' and 'aux:<name>'.",
]


def main():
    os.makedirs(CHECKPOINT_DIR, exist_ok=True)
    data, label = load_letters()
    mlp = train_mlp(data, label)
    cnn = train_cnn()
    nd_save_files()
    with open(os.path.join(CHECKPOINT_DIR, "mlp_mx-symbol.json")) as fin:
        mlp_sym = json.load(fin)
    dump_json("checkpoints.json", {
        "mxnet_version": mx.__version__,
        "params_file_format": PARAMS_FORMAT,
        "states_file_format": "Module.save_optimizer_states with a local updater writes "
                              "Updater.get_states(): pickle.dumps(updater.states), a dict "
                              "{param index (int): optimizer state}. For plain SGD without "
                              "momentum every state is None. NDArray states pickle via "
                              "NDArray.__reduce__ -> (NDArray, (None,), {'handle': bytearray("
                              "one NDArray record in the .params record format above)}). "
                              "teachmod must not unpickle; see pickletools_opcodes.",
        "symbol_json_top_level_keys": sorted(mlp_sym),
        "symbol_json_attrs": mlp_sym.get("attrs"),
        "mlp_mx": mlp,
        "cnn_mx": cnn,
    }, CHECKPOINT_DIR)


if __name__ == "__main__":
    main()
