"""Write checkpoints with teachmod (MLP and BatchNorm CNN) for check_teachmod_checkpoint.py.

Run with teachmod (not MXNet), then check them in the MXNet 1.9.1 venv::

    python tests/golden/module/write_teachmod_checkpoints.py
    for name in mlp_tm:3 cnn_tm:2; do
      /tmp/mxvenv/bin/python tests/golden/module/check_teachmod_checkpoint.py \\
        tests/fixtures/checkpoints/${name%%:*} ${name##*:} \\
        tests/fixtures/checkpoints/${name%%:*}_predict.npz \\
        tests/fixtures/checkpoints/${name%%:*}_mxnet_check.json
    done

The ``*_mxnet_check.json`` results are committed; tests/test_module.py checks they say PASS.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

import teachmod as mx

OUT = Path(__file__).resolve().parents[2] / "fixtures" / "checkpoints"


def train_and_save(symbol, data, label, prefix: str, epochs: int) -> None:
    mx.random.seed(0)
    np.random.seed(0)
    train = mx.io.NDArrayIter(data, label, 32, shuffle=True)
    mod = mx.mod.Module(symbol)
    mod.fit(train, optimizer="sgd", optimizer_params={"learning_rate": 0.1}, num_epoch=epochs)
    mod.save_checkpoint(str(OUT / prefix), epochs)
    rows = data[:64]
    prediction = mod.predict(mx.io.NDArrayIter(rows, None, 32)).asnumpy()
    np.savez_compressed(OUT / f"{prefix}_predict.npz", data=rows, predict=prediction)


def main() -> None:
    letters, letter_labels = mx.test_utils.get_letters()
    net = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(net, name="fc1", num_hidden=64)
    net = mx.sym.Activation(net, name="relu1", act_type="relu")
    net = mx.sym.FullyConnected(net, name="fc2", num_hidden=26)
    net = mx.sym.SoftmaxOutput(net, name="softmax")
    train_and_save(net, letters[:4000], letter_labels[:4000], "mlp_tm", 3)

    digits, digit_labels = mx.test_utils.get_digits()
    net = mx.sym.Variable("data")
    net = mx.sym.Convolution(net, num_filter=4, kernel=(3, 3), pad=(1, 1), name="conv")
    net = mx.sym.BatchNorm(net, name="bn")
    net = mx.sym.Activation(net, act_type="relu")
    net = mx.sym.Pooling(net, kernel=(2, 2), stride=(2, 2), pool_type="max")
    net = mx.sym.FullyConnected(net, num_hidden=10)
    net = mx.sym.SoftmaxOutput(net, name="softmax")
    train_and_save(net, digits[:512], digit_labels[:512], "cnn_tm", 2)


if __name__ == "__main__":
    main()
